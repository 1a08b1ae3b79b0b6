package hospital

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

func TestPeerServices(t *testing.T) {
	t.Run("in-cluster", func(t *testing.T) {
		svcs := PeerServices(model(t, withPeers(2)))
		if len(svcs) != 2 {
			t.Fatalf("%d Services, want headless + client", len(svcs))
		}
		headless, client := svcs[0], svcs[1]
		if headless.Name != "st-marys-peers" || headless.Spec.ClusterIP != corev1.ClusterIPNone || !headless.Spec.PublishNotReadyAddresses {
			t.Errorf("headless %+v", headless.Spec)
		}
		if client.Name != "st-marys-peer" || client.Spec.Type != corev1.ServiceTypeClusterIP || client.Spec.Ports[0].Port != 7051 {
			t.Errorf("client %+v", client.Spec)
		}
		if client.Spec.Selector[LabelComponent] != ComponentPeer || client.Spec.Selector[LabelHospital] != "st-marys" {
			t.Errorf("selector %v", client.Spec.Selector)
		}
	})
	t.Run("external", func(t *testing.T) {
		m := model(t, withPeers(2), withExternal("fabric.example.org"))
		m.External.ServiceType = "NodePort"
		m.External.Annotations = map[string]string{"lb.example.org/scheme": "internet-facing"}
		svcs := PeerServices(m)
		if len(svcs) != 4 {
			t.Fatalf("%d Services, want 2 + one per peer", len(svcs))
		}
		for i, s := range svcs[2:] {
			if s.Name != PeerExternalServiceName("st-marys", i) || s.Spec.Type != corev1.ServiceTypeNodePort {
				t.Errorf("external %d: %s %s", i, s.Name, s.Spec.Type)
			}
			if s.Spec.Selector[appsv1.StatefulSetPodNameLabel] != PeerPodName("st-marys", i) || len(s.Spec.Selector) != 1 {
				t.Errorf("external %d selects %v, want its pod only", i, s.Spec.Selector)
			}
			if s.Spec.Ports[0].Port != 443 || s.Spec.Ports[0].TargetPort.StrVal != "grpc" {
				t.Errorf("external %d ports %+v", i, s.Spec.Ports)
			}
			if s.Annotations["lb.example.org/scheme"] != "internet-facing" {
				t.Errorf("external %d annotations %v", i, s.Annotations)
			}
		}
	})
}

func TestWasmcc(t *testing.T) {
	gas, pages := int64(1_000_000), int32(512)
	m := model(t, withRuntimeReplicas(2), func(h *v1alpha1.Hospital) {
		h.Spec.ContractRuntime.DefaultLimits = v1alpha1.ContractLimits{Gas: &gas, MemoryPages: &pages}
	})
	cm := WasmccConfigMap(m, []string{"wasmcc_1.0:bb", "", "wasmcc_1.0:aa", "wasmcc_1.0:bb"})
	for k, want := range map[string]string{
		EnvChaincodeAddress: "0.0.0.0:9999", EnvChaincodeID: "wasmcc_1.0:aa,wasmcc_1.0:bb",
		EnvDefaultGas: "1000000", EnvDefaultMemoryPages: "512", EnvCacheDir: WasmccCacheDir,
	} {
		if cm.Data[k] != want {
			t.Errorf("%s = %q, want %q", k, cm.Data[k], want)
		}
	}
	if none := WasmccConfigMap(model(t), nil); none.Data[EnvChaincodeID] != "" || len(none.Data) != 3 {
		t.Errorf("without package IDs or limits: %v", none.Data)
	}
	d := WasmccDeployment(m, ConfigHash(cm))
	c := d.Spec.Template.Spec.Containers[0]
	if *d.Spec.Replicas != 2 || c.Image != testOpts.WasmccImage || c.EnvFrom[0].ConfigMapRef.Name != "st-marys-wasmcc" {
		t.Errorf("replicas %d image %q env from %+v", *d.Spec.Replicas, c.Image, c.EnvFrom)
	}
	if d.Spec.Template.Annotations[AnnotationConfigHash] != ConfigHash(cm) {
		t.Error("config hash not on the pod template")
	}
	if d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 0 {
		t.Error("a wasmcc rollout must not take pods down before new ones are ready")
	}
	if c.ReadinessProbe.TCPSocket == nil || !*c.SecurityContext.ReadOnlyRootFilesystem || *d.Spec.Template.Spec.AutomountServiceAccountToken {
		t.Errorf("probe %+v security %+v", c.ReadinessProbe, c.SecurityContext)
	}
	if ConfigHash(WasmccConfigMap(m, []string{"wasmcc_1.0:cc"})) == ConfigHash(cm) {
		t.Error("a new package ID must change the config hash")
	}
	svc := WasmccService(m)
	if svc.Name != "st-marys-wasmcc" || svc.Spec.Ports[0].Port != 9999 || svc.Spec.Selector[LabelComponent] != ComponentContractRuntime {
		t.Errorf("service %+v", svc.Spec)
	}
	own := WasmccDeployment(model(t, func(h *v1alpha1.Hospital) { h.Spec.ContractRuntime.Image = "example.org/wasmcc@sha256:abc" }), "")
	if got := own.Spec.Template.Spec.Containers[0].Image; got != "example.org/wasmcc@sha256:abc" {
		t.Errorf("spec.contractRuntime.image ignored: %q", got)
	}
}

func TestNetworkPolicies(t *testing.T) {
	t.Run("in-cluster", func(t *testing.T) {
		nps := NetworkPolicies(model(t))
		peer, wasmcc := nps[0], nps[1]
		if peer.Name != "st-marys-peer" || peer.Spec.PodSelector.MatchLabels[LabelComponent] != ComponentPeer {
			t.Errorf("peer policy %s selects %v", peer.Name, peer.Spec.PodSelector.MatchLabels)
		}
		grpc, ops := peer.Spec.Ingress[0], peer.Spec.Ingress[1]
		if grpc.Ports[0].Port.IntValue() != 7051 || len(grpc.From) != 1 || grpc.From[0].NamespaceSelector == nil {
			t.Errorf("gRPC rule %+v, want port 7051 from any namespace", grpc)
		}
		if ops.Ports[0].Port.IntValue() != 9443 || ops.From[0].NamespaceSelector != nil || ops.From[0].PodSelector == nil {
			t.Errorf("operations rule %+v, want port 9443 from this namespace", ops)
		}
		if len(peer.Spec.Ingress) != 2 {
			t.Error("only gRPC and operations may reach a peer")
		}
		rule := wasmcc.Spec.Ingress[0]
		if rule.Ports[0].Port.IntValue() != 9999 || rule.From[0].PodSelector.MatchLabels[LabelComponent] != ComponentPeer {
			t.Errorf("wasmcc rule %+v, want the chaincode port from this hospital's peers", rule)
		}
		if rule.From[0].PodSelector.MatchLabels[LabelHospital] != "st-marys" {
			t.Error("another hospital's peers must not reach this wasmcc")
		}
	})
	t.Run("external", func(t *testing.T) {
		grpc := NetworkPolicies(model(t, withExternal("fabric.example.org")))[0].Spec.Ingress[0]
		if grpc.From != nil {
			t.Errorf("published peers must accept gRPC from anywhere, got %+v", grpc.From)
		}
	})
}

func TestPodDisruptionBudgets(t *testing.T) {
	pdbs := PodDisruptionBudgets(model(t, withPeers(3)))
	for i, want := range []string{ComponentPeer, ComponentContractRuntime} {
		if pdbs[i].Spec.MaxUnavailable.IntValue() != 1 || pdbs[i].Spec.Selector.MatchLabels[LabelComponent] != want {
			t.Errorf("budget %s: %+v", pdbs[i].Name, pdbs[i].Spec)
		}
	}
}

// TestDesired checks the whole set for the longest accepted name, the most peers and external Services: every
// name must stay a valid Kubernetes name, and every object must be labelled for the manager's cache.
func TestDesired(t *testing.T) {
	m := model(t, withName(strings.Repeat("h", MaxNameLength)), withPeers(16), withExternal("fabric.example.org"))
	id := issued(t, m)
	objs, err := Desired(m, id, []string{"wasmcc_1.0:aa"})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 14+16 {
		t.Errorf("%d objects, want 14 + 16 external Services", len(objs))
	}
	seen := map[string]bool{}
	for _, o := range objs {
		gvk := o.GetObjectKind().GroupVersionKind()
		key := gvk.Kind + "/" + o.GetName()
		if gvk.Kind == "" || gvk.Version == "" {
			t.Errorf("%s has no apiVersion/kind, which server-side apply needs", o.GetName())
		}
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
		if errs := validation.IsDNS1123Label(o.GetName()); len(errs) > 0 {
			t.Errorf("%s: %v", key, errs)
		}
		if gvk.Kind == "Service" {
			if errs := validation.IsDNS1035Label(o.GetName()); len(errs) > 0 {
				t.Errorf("%s: %v", key, errs)
			}
		}
		if o.GetNamespace() != "care" || o.GetLabels()[LabelManagedBy] != ManagedBy || o.GetLabels()[LabelHospital] != m.Name {
			t.Errorf("%s: namespace %q labels %v", key, o.GetNamespace(), o.GetLabels())
		}
		for k, v := range o.GetLabels() {
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				t.Errorf("%s: label %s: %v", key, k, errs)
			}
		}
	}
	// The StatefulSet's controller-revision-hash label is "<name>-<10 characters>", and pod names carry ordinals.
	if n := len(PeerStatefulSetName(m.Name)) + 11; n > validation.LabelValueMaxLength {
		t.Errorf("controller-revision-hash label would be %d characters", n)
	}
	if errs := validation.IsDNS1123Label(PeerVolumeName + "-" + PeerPodName(m.Name, 15)); len(errs) > 0 {
		t.Errorf("volume claim name: %v", errs)
	}
	// Configuration and Secrets come before the workloads that mount them.
	order := map[string]int{}
	for i, o := range objs {
		order[o.GetObjectKind().GroupVersionKind().Kind] = max(order[o.GetObjectKind().GroupVersionKind().Kind], i)
	}
	first := map[string]int{}
	for i := len(objs) - 1; i >= 0; i-- {
		first[objs[i].GetObjectKind().GroupVersionKind().Kind] = i
	}
	if order["Secret"] > first["StatefulSet"] || order["ConfigMap"] > first["Deployment"] {
		t.Error("a workload is applied before the configuration it mounts")
	}
}
