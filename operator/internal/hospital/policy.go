package hospital

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func tcp(port int32) networkingv1.NetworkPolicyPort {
	p := intstr.FromInt32(port)
	proto := corev1.ProtocolTCP
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

// NetworkPolicies returns the ingress rules of the hospital's pods (egress stays open: peers dial orderers, other
// organisations' peers and wasmcc):
//   - peers ("<name>-peer"): gRPC (7051) from any pod in the cluster — other organisations' peers gossip with
//     them, applications and the operator call them — or from anywhere with spec.external; the operations
//     endpoint (9443, metrics) from pods in the hospital's namespace only; nothing else, so the chaincode port
//     stays closed (chaincode runs as a service the peers dial);
//   - wasmcc ("<name>-wasmcc"): the chaincode port from this hospital's peers only.
//
// Policies add up, so a cluster admin can open more (for example metrics scraping from a monitoring namespace)
// with a policy of their own.
func NetworkPolicies(m *Model) []*networkingv1.NetworkPolicy {
	np := func(name, component, app string, selector map[string]string, rules ...networkingv1.NetworkPolicyIngressRule) *networkingv1.NetworkPolicy {
		return &networkingv1.NetworkPolicy{
			TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
			ObjectMeta: objectMeta(m, name, component, app),
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: selector},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress:     rules,
			},
		}
	}
	grpc := networkingv1.NetworkPolicyIngressRule{Ports: []networkingv1.NetworkPolicyPort{tcp(PeerPort)}}
	if m.External == nil {
		grpc.From = []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}}}
	}
	ops := networkingv1.NetworkPolicyIngressRule{
		Ports: []networkingv1.NetworkPolicyPort{tcp(PeerOperationsPort)},
		From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
	}
	chaincode := networkingv1.NetworkPolicyIngressRule{
		Ports: []networkingv1.NetworkPolicyPort{tcp(WasmccPort)},
		From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: SelectorLabels(m.Name, ComponentPeer)}}},
	}
	return []*networkingv1.NetworkPolicy{
		np(PeerStatefulSetName(m.Name), ComponentPeer, "fabric-peer", SelectorLabels(m.Name, ComponentPeer), grpc, ops),
		np(WasmccName(m.Name), ComponentContractRuntime, "wasmcc", SelectorLabels(m.Name, ComponentContractRuntime), chaincode),
	}
}

// PodDisruptionBudgets returns one budget for the peers and one for wasmcc, each allowing one pod down at a time:
// a node drain then never takes two peers of a hospital at once, and a hospital with one peer can still be
// drained.
func PodDisruptionBudgets(m *Model) []*policyv1.PodDisruptionBudget {
	one := intstr.FromInt32(1)
	pdb := func(name, component, app string) *policyv1.PodDisruptionBudget {
		return &policyv1.PodDisruptionBudget{
			TypeMeta:   typeMeta("policy/v1", "PodDisruptionBudget"),
			ObjectMeta: objectMeta(m, name, component, app),
			Spec: policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable: &one,
				Selector:       &metav1.LabelSelector{MatchLabels: SelectorLabels(m.Name, component)},
			},
		}
	}
	return []*policyv1.PodDisruptionBudget{
		pdb(PeerStatefulSetName(m.Name), ComponentPeer, "fabric-peer"),
		pdb(WasmccName(m.Name), ComponentContractRuntime, "wasmcc"),
	}
}
