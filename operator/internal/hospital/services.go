package hospital

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func tcpPort(name string, port int32, target string) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port, TargetPort: intstr.FromString(target), Protocol: corev1.ProtocolTCP}
}

// PeerServices returns the peers' Services:
//   - "<name>-peers", headless, which gives every pod a DNS name; it publishes pods before they are ready so that
//     starting peers can find each other to gossip;
//   - "<name>-peer", a ClusterIP Service balancing clients (Gateway, admin) over the ready peers;
//   - with spec.external, one LoadBalancer or NodePort Service per peer, "<pod>-external", carrying the user's
//     annotations and selecting that pod alone.
func PeerServices(m *Model) []*corev1.Service {
	sel := SelectorLabels(m.Name, ComponentPeer)
	grpc := tcpPort("grpc", PeerPort, "grpc")
	svc := func(name string) *corev1.Service {
		return &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: objectMeta(m, name, ComponentPeer, "fabric-peer")}
	}
	headless := svc(PeerHeadlessServiceName(m.Name))
	headless.Spec = corev1.ServiceSpec{
		ClusterIP:                corev1.ClusterIPNone,
		Selector:                 sel,
		PublishNotReadyAddresses: true,
		Ports:                    []corev1.ServicePort{grpc, tcpPort("operations", PeerOperationsPort, "operations")},
	}
	client := svc(PeerServiceName(m.Name))
	client.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: sel, Ports: []corev1.ServicePort{grpc}}
	out := []*corev1.Service{headless, client}
	if m.External == nil {
		return out
	}
	for i := 0; i < int(m.Replicas); i++ {
		ext := svc(PeerExternalServiceName(m.Name, i))
		if len(m.External.Annotations) > 0 {
			ext.Annotations = m.External.Annotations
		}
		ext.Spec = corev1.ServiceSpec{
			Type:                  corev1.ServiceType(m.External.ServiceType),
			ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal, // keep client addresses, skip a hop
			Selector:              map[string]string{appsv1.StatefulSetPodNameLabel: PeerPodName(m.Name, i)},
			Ports:                 []corev1.ServicePort{tcpPort("grpc", *m.External.Port, "grpc")},
		}
		out = append(out, ext)
	}
	return out
}
