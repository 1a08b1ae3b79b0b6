package hospital

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/medledger/medledger/operator/internal/network/nodeconfig"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// Paths inside a peer pod.
const (
	// PeerConfigDir holds core.yaml from the peer ConfigMap; FABRIC_CFG_PATH points at it.
	PeerConfigDir = "/etc/hyperledger/fabric"
	// PeerCryptoDir holds the peer's msp/ and tls/ folders, assembled by the init container in a memory-backed
	// volume from PeerIdentityDir.
	PeerCryptoDir = "/var/hyperledger/peer/crypto"
	// PeerIdentityDir is where the init container sees the identity Secrets (every peer's, keyed by pod name,
	// and the CA certificates). The peer container does not mount it.
	PeerIdentityDir = "/var/hyperledger/identity"
	// PeerDataDir is the ledger volume (peer.fileSystemPath).
	PeerDataDir = "/var/hyperledger/production"
	// PeerBuilderDir is Fabric's chaincode-as-a-service external builder, shipped in Hyperledger's peer images
	// since Fabric 2.4. A custom spec.fabric.image must keep it there, and must have /bin/sh for the init
	// container.
	PeerBuilderDir = "/opt/hyperledger/ccaas_builder"
	// BuilderConfigEnv is the variable Fabric's ccaas builder reads connection.json template values from.
	BuilderConfigEnv = "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"
)

// UID and GID the peer and wasmcc containers run as; the volumes are group-owned by it (fsGroup).
const runAsID = 1000

// peerConfig is the nodeconfig form of peer 0; the other peers override their own names by environment.
func (m *Model) peerConfig() nodeconfig.Peer {
	return nodeconfig.Peer{
		ID:                      PeerPodName(m.Name, 0),
		MSPID:                   m.MSPID,
		MSPDir:                  path.Join(PeerCryptoDir, "msp"),
		ListenAddress:           fmt.Sprintf("0.0.0.0:%d", PeerPort),
		Address:                 m.PeerAddress(0),
		ChaincodeListenAddress:  fmt.Sprintf("0.0.0.0:%d", PeerChaincodePort),
		GossipBootstrap:         []string{m.PeerAddress(0)},
		GossipExternalEndpoint:  m.PeerAddress(0),
		OperationsListenAddress: fmt.Sprintf("0.0.0.0:%d", PeerOperationsPort),
		FileSystemPath:          PeerDataDir,
		TLS: nodeconfig.TLS{
			CertFile:   path.Join(PeerCryptoDir, "tls", pki.TLSServerCertFile),
			KeyFile:    path.Join(PeerCryptoDir, "tls", pki.TLSServerKeyFile),
			RootCAFile: path.Join(PeerCryptoDir, "tls", pki.TLSCAFile),
		},
		ExternalBuilders: []nodeconfig.ExternalBuilder{{
			Name: "ccaas_builder", Path: PeerBuilderDir, PropagateEnvironment: []string{BuilderConfigEnv},
		}},
	}
}

// PeerConfigMap returns the ConfigMap with the peers' core.yaml, rendered by nodeconfig for peer 0. Each pod
// overrides its own ID, address and gossip endpoint through CORE_* variables (see [PeerStatefulSet]), so the
// file does not depend on the number of peers and scaling restarts nothing.
//
// # Errors
//   - nodeconfig refuses the configuration (a bug: Resolve has validated every input).
func PeerConfigMap(m *Model) (*corev1.ConfigMap, error) {
	core, err := m.peerConfig().CoreYAML()
	if err != nil {
		return nil, err
	}
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: objectMeta(m, PeerConfigMapName(m.Name), ComponentPeer, "fabric-peer"),
		Data:       map[string]string{"core.yaml": string(core)},
	}, nil
}

// initScript assembles the pod's MSP and TLS folders from the identity Secrets, picking the pod's own files by
// name. A StatefulSet cannot mount a different Secret in each pod, so every peer pod's init container sees the
// set's credentials; the peer container sees only its own.
const initScript = `set -eu
src=` + PeerIdentityDir + `
dst=` + PeerCryptoDir + `
mkdir -p "$dst/msp/cacerts" "$dst/msp/tlscacerts" "$dst/msp/signcerts" "$dst/msp/keystore" "$dst/tls"
cp "$src/ca.crt" "$dst/msp/cacerts/ca.crt"
cp "$src/tlsca.crt" "$dst/msp/tlscacerts/tlsca.crt"
cp "$src/config.yaml" "$dst/msp/config.yaml"
cp "$src/$POD_NAME.cert.pem" "$dst/msp/signcerts/cert.pem"
cp "$src/$POD_NAME.key.pem" "$dst/msp/keystore/priv_sk"
cp "$src/tlsca.crt" "$dst/tls/ca.crt"
cp "$src/$POD_NAME.tls.crt" "$dst/tls/server.crt"
cp "$src/$POD_NAME.tls.key" "$dst/tls/server.key"
chmod 0600 "$dst/msp/keystore/priv_sk" "$dst/tls/server.key"
`

// PeerStatefulSet returns the peers' StatefulSet. configHash is the digest of the peer ConfigMap (see
// [ConfigHash]) and revision the identity revision; both are pod template annotations, so a new core.yaml or
// new certificates roll the peers one at a time (RollingUpdate), which keeps a hospital with two or more peers
// endorsing throughout.
func PeerStatefulSet(m *Model, configHash string, revision int64) *appsv1.StatefulSet {
	sel := SelectorLabels(m.Name, ComponentPeer)
	retain := appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	whenDeleted := retain
	if m.DeleteData {
		whenDeleted = appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	}
	claim := corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: PeerVolumeName, Labels: Labels(m.Name, ComponentPeer, "fabric-peer")},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: m.StorageClassName,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: m.StorageSize}},
		},
	}
	return &appsv1.StatefulSet{
		TypeMeta:   typeMeta("apps/v1", "StatefulSet"),
		ObjectMeta: objectMeta(m, PeerStatefulSetName(m.Name), ComponentPeer, "fabric-peer"),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr(m.Replicas),
			ServiceName:         PeerHeadlessServiceName(m.Name),
			Selector:            &metav1.LabelSelector{MatchLabels: sel},
			PodManagementPolicy: appsv1.ParallelPodManagement, // peers do not depend on each other to start
			UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: whenDeleted, WhenScaled: retain, // a peer scaled away keeps its ledger for when it returns
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels: Labels(m.Name, ComponentPeer, "fabric-peer"),
					Annotations: map[string]string{
						AnnotationConfigHash:       configHash,
						AnnotationIdentityRevision: strconv.FormatInt(revision, 10),
					},
				},
				Spec: m.peerPodSpec(sel),
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{claim},
		},
	}
}

func (m *Model) peerPodSpec(sel map[string]string) corev1.PodSpec {
	builderConfig, _ := json.Marshal(map[string]string{"peername": "$(POD_NAME)", "address": m.WasmccAddress()})
	podHost := "$(POD_NAME)." + PeerHeadlessServiceName(m.Name) + "." + m.Namespace + ".svc." + m.Opts.ClusterDomain
	address := fmt.Sprintf("%s:%d", podHost, PeerPort)
	gossipExternal := address
	if m.External != nil {
		gossipExternal = fmt.Sprintf("$(POD_NAME).%s:%d", m.External.Domain, *m.External.Port)
	}
	env := []corev1.EnvVar{
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		{Name: "FABRIC_CFG_PATH", Value: PeerConfigDir},
		{Name: "FABRIC_LOGGING_SPEC", Value: "info"},
		{Name: "CORE_PEER_ID", Value: "$(POD_NAME)"},
		{Name: "CORE_PEER_ADDRESS", Value: address},
		{Name: "CORE_PEER_GOSSIP_EXTERNALENDPOINT", Value: gossipExternal},
		{Name: BuilderConfigEnv, Value: string(builderConfig)},
	}
	probe := func(period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/healthz", Port: intstr.FromString("operations"), Scheme: corev1.URISchemeHTTP,
			}},
			PeriodSeconds: period, TimeoutSeconds: 5, FailureThreshold: failures,
		}
	}
	return corev1.PodSpec{
		AutomountServiceAccountToken: ptr(false), // peers never call the Kubernetes API
		EnableServiceLinks:           ptr(false),
		SecurityContext:              podSecurityContext(),
		Affinity:                     spreadOverNodes(sel),
		InitContainers: []corev1.Container{{
			Name:            "identity",
			Image:           m.PeerImage,
			ImagePullPolicy: m.PullPolicy,
			Command:         []string{"/bin/sh", "-c", initScript},
			Env:             env[:1],
			SecurityContext: containerSecurityContext(),
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
			},
			VolumeMounts: []corev1.VolumeMount{
				{Name: "identity", MountPath: PeerIdentityDir, ReadOnly: true},
				{Name: "crypto", MountPath: PeerCryptoDir},
			},
		}},
		Containers: []corev1.Container{{
			Name:            "peer",
			Image:           m.PeerImage,
			ImagePullPolicy: m.PullPolicy,
			Command:         []string{"peer", "node", "start"},
			Env:             env,
			Ports: []corev1.ContainerPort{
				{Name: "grpc", ContainerPort: PeerPort, Protocol: corev1.ProtocolTCP},
				{Name: "operations", ContainerPort: PeerOperationsPort, Protocol: corev1.ProtocolTCP},
			},
			// A peer replays blocks into its state database on start; allow it five minutes before liveness counts.
			StartupProbe:    probe(5, 60),
			ReadinessProbe:  probe(10, 3),
			LivenessProbe:   probe(20, 3),
			Resources:       m.PeerResources,
			SecurityContext: containerSecurityContext(),
			VolumeMounts: []corev1.VolumeMount{
				{Name: "config", MountPath: PeerConfigDir, ReadOnly: true},
				{Name: "crypto", MountPath: PeerCryptoDir, ReadOnly: true},
				{Name: PeerVolumeName, MountPath: PeerDataDir},
				{Name: "tmp", MountPath: "/tmp"}, // external builders stage packages in the temp folder
			},
		}},
		Volumes: []corev1.Volume{
			{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: PeerConfigMapName(m.Name)},
			}}},
			{Name: "identity", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				DefaultMode: ptr[int32](0o440),
				Sources: []corev1.VolumeProjection{
					{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: PeerIdentitySecretName(m.Name)}}},
					{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: CACertsSecretName(m.Name)}}},
				},
			}}},
			// Keys live in memory only.
			{Name: "crypto", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}},
			{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
	}
}

func podSecurityContext() *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:        ptr(true),
		RunAsUser:           ptr[int64](runAsID),
		RunAsGroup:          ptr[int64](runAsID),
		FSGroup:             ptr[int64](runAsID),
		FSGroupChangePolicy: ptr(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile:      &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func containerSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr(false),
		ReadOnlyRootFilesystem:   ptr(true),
		RunAsNonRoot:             ptr(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// spreadOverNodes prefers (not requires) one pod of a set per node, so a one-node cluster still runs them all.
func spreadOverNodes(sel map[string]string) *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: sel},
				TopologyKey:   corev1.LabelHostname,
			},
		}},
	}}
}

// ConfigHash returns the digest of a ConfigMap's data that goes into its workload's pod template.
func ConfigHash(cm *corev1.ConfigMap) string { return digest(cm.Data) }
