package hospital

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The environment wasmcc reads, from its ConfigMap (see [WasmccConfigMap]).
const (
	// EnvChaincodeAddress is where wasmcc's chaincode server listens.
	EnvChaincodeAddress = "CHAINCODE_SERVER_ADDRESS"
	// EnvChaincodeID lists the chaincode package IDs wasmcc serves, comma-separated and sorted: the wasmcc
	// packages committed on the channels this hospital has joined. Empty until the first is committed.
	EnvChaincodeID = "CHAINCODE_ID"
	// EnvDefaultGas and EnvDefaultMemoryPages are spec.contractRuntime.defaultLimits, when set.
	EnvDefaultGas         = "WASMCC_DEFAULT_GAS"
	EnvDefaultMemoryPages = "WASMCC_DEFAULT_MEMORY_PAGES"
	// EnvCacheDir is the folder for the compilation cache (a pod-local volume).
	EnvCacheDir = "WASMCC_CACHE_DIR"
	// WasmccCacheDir is the value of EnvCacheDir.
	WasmccCacheDir = "/var/cache/wasmcc"
)

// WasmccConfigMap returns wasmcc's configuration, as environment variables. packageIDs are the wasmcc chaincode
// package IDs of the channels the hospital has joined; duplicates and order do not matter.
func WasmccConfigMap(m *Model, packageIDs []string) *corev1.ConfigMap {
	ids := slices.Clone(packageIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ids = slices.DeleteFunc(ids, func(s string) bool { return s == "" })
	data := map[string]string{
		EnvChaincodeAddress: fmt.Sprintf("0.0.0.0:%d", WasmccPort),
		EnvChaincodeID:      strings.Join(ids, ","),
		EnvCacheDir:         WasmccCacheDir,
	}
	if g := m.RuntimeLimits.Gas; g != nil {
		data[EnvDefaultGas] = strconv.FormatInt(*g, 10)
	}
	if p := m.RuntimeLimits.MemoryPages; p != nil {
		data[EnvDefaultMemoryPages] = strconv.FormatInt(int64(*p), 10)
	}
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(m, WasmccName(m.Name), ComponentContractRuntime, "wasmcc"),
		Data:       data,
	}
}

// WasmccDeployment returns wasmcc's Deployment. configHash is the digest of its ConfigMap, so a new package ID
// or new limits roll the pods; the rollout starts a new pod before stopping an old one.
func WasmccDeployment(m *Model, configHash string) *appsv1.Deployment {
	sel := SelectorLabels(m.Name, ComponentContractRuntime)
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	probe := func(period int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("chaincode")}},
			PeriodSeconds: period, TimeoutSeconds: 3, FailureThreshold: 3,
		}
	}
	return &appsv1.Deployment{
		TypeMeta:   typeMeta("apps/v1", "Deployment"),
		ObjectMeta: objectMeta(m, WasmccName(m.Name), ComponentContractRuntime, "wasmcc"),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(m.RuntimeReplicas),
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Strategy: appsv1.DeploymentStrategy{
				Type:          appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &one},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      Labels(m.Name, ComponentContractRuntime, "wasmcc"),
					Annotations: map[string]string{AnnotationConfigHash: configHash},
				},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr(false),
					EnableServiceLinks:           ptr(false),
					SecurityContext:              podSecurityContext(),
					Affinity:                     spreadOverNodes(sel),
					Containers: []corev1.Container{{
						Name:            "wasmcc",
						Image:           m.RuntimeImage,
						ImagePullPolicy: corev1.PullIfNotPresent,
						EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: WasmccName(m.Name)},
						}}},
						Ports:           []corev1.ContainerPort{{Name: "chaincode", ContainerPort: WasmccPort, Protocol: corev1.ProtocolTCP}},
						ReadinessProbe:  probe(5),
						LivenessProbe:   probe(20),
						Resources:       m.RuntimeResources,
						SecurityContext: containerSecurityContext(),
						VolumeMounts: []corev1.VolumeMount{
							{Name: "cache", MountPath: WasmccCacheDir},
							{Name: "tmp", MountPath: "/tmp"},
						},
					}},
					Volumes: []corev1.Volume{
						{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
						{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					},
				},
			},
		},
	}
}

// WasmccService returns the ClusterIP Service the peers dial wasmcc through ([Model.WasmccAddress]).
func WasmccService(m *Model) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: objectMeta(m, WasmccName(m.Name), ComponentContractRuntime, "wasmcc"),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: SelectorLabels(m.Name, ComponentContractRuntime),
			Ports:    []corev1.ServicePort{tcpPort("chaincode", WasmccPort, "chaincode")},
		},
	}
}
