package consortium

import (
	"strconv"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/network/channel"
)

// Names of what the operator creates for a Consortium "c", following the Hospital's scheme (package hospital),
// so that a pod's DNS name is stable and can be written into certificates and the channel configuration.

// OrdererPort is the orderers' gRPC port (clients, peers and Raft/BFT cluster traffic share it);
// OrdererAdminPort is the channel participation API (mutual TLS); OrdererOperationsPort serves /healthz.
const (
	OrdererPort           = 7050
	OrdererAdminPort      = 7053
	OrdererOperationsPort = 8443
)

// DefaultOrdererNodes is spec.orderer.nodes when unset (the API's default).
const DefaultOrdererNodes = 3

// OrdererNodes returns spec.orderer.nodes, or DefaultOrdererNodes when unset.
func OrdererNodes(c *v1alpha1.Consortium) int {
	if c.Spec.Orderer.Nodes == nil {
		return DefaultOrdererNodes
	}
	return int(*c.Spec.Orderer.Nodes)
}

// OrdererStatefulSetName is the orderers' StatefulSet: "<c>-orderer".
func OrdererStatefulSetName(c string) string { return c + "-orderer" }

// OrdererHeadlessServiceName is the headless Service that gives each orderer pod a DNS name: "<c>-orderers".
func OrdererHeadlessServiceName(c string) string { return c + "-orderers" }

// OrdererPodName is orderer i's pod: "<c>-orderer-<i>".
func OrdererPodName(c string, i int) string { return OrdererStatefulSetName(c) + "-" + strconv.Itoa(i) }

// OrdererIdentitySecretName is the Secret holding every orderer's signing and TLS key pair:
// "<c>-orderer-identities".
func OrdererIdentitySecretName(c string) string { return c + "-orderer-identities" }

// OrdererCASecretName is the orderer organisation's CA Secret: "<c>-orderer-ca".
func OrdererCASecretName(c string) string { return c + "-orderer-ca" }

// OrdererHost is orderer i's in-cluster DNS name, "<pod>.<headless service>.<ns>.svc.<domain>"; domain is the
// cluster domain (cluster.local by default).
func OrdererHost(c *v1alpha1.Consortium, i int, domain string) string {
	if domain == "" {
		domain = "cluster.local"
	}
	return OrdererPodName(c.Name, i) + "." + OrdererHeadlessServiceName(c.Name) + "." + c.Namespace + ".svc." + domain
}

// OrdererAddresses are the host:port of every orderer, as written into the channel configuration and
// status.ordererEndpoints. Tests reach processes on loopback through an address override in the controller, not
// by changing these names: the certificates carry them.
func OrdererAddresses(c *v1alpha1.Consortium, domain string) []channel.Address {
	out := make([]channel.Address, OrdererNodes(c))
	for i := range out {
		out[i] = channel.Address{Host: OrdererHost(c, i, domain), Port: OrdererPort}
	}
	return out
}
