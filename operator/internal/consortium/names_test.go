package consortium

import (
	"testing"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

func TestOrdererAddresses(t *testing.T) {
	tests := []struct {
		name   string
		nodes  *int32
		domain string
		want   []string
	}{
		{"default three nodes, default domain", nil, "", []string{
			"carenet-orderer-0.carenet-orderers.net.svc.cluster.local:7050",
			"carenet-orderer-1.carenet-orderers.net.svc.cluster.local:7050",
			"carenet-orderer-2.carenet-orderers.net.svc.cluster.local:7050"}},
		{"one node, own domain", ptr(int32(1)), "hospital.example", []string{"carenet-orderer-0.carenet-orderers.net.svc.hospital.example:7050"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := consortium(func(c *v1alpha1.Consortium) { c.Spec.Orderer.Nodes = tt.nodes })
			got := OrdererAddresses(c, tt.domain)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v", got)
			}
			for i := range got {
				if got[i].String() != tt.want[i] {
					t.Errorf("orderer %d: %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
	if OrdererStatefulSetName("c") != "c-orderer" || OrdererPodName("c", 2) != "c-orderer-2" || OrdererHeadlessServiceName("c") != "c-orderers" ||
		OrdererIdentitySecretName("c") != "c-orderer-identities" || OrdererCASecretName("c") != "c-orderer-ca" {
		t.Fatal("names changed: certificates and the channel configuration depend on them")
	}
}
