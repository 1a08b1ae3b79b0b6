package consortium

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// org issues a real CA and TLS CA, and certificates for the given hosts.
type org struct {
	ca, tlsCA *pki.CA
}

func newOrg(t *testing.T, name string) org {
	t.Helper()
	v := pki.ValidFor(time.Now().Add(-time.Hour), 24*time.Hour)
	ca, err := pki.NewCA(pki.CAConfig{CommonName: "ca." + name, Organization: name, Validity: v})
	if err != nil {
		t.Fatal(err)
	}
	tlsCA, err := pki.NewCA(pki.CAConfig{CommonName: "tlsca." + name, Organization: name, Validity: v})
	if err != nil {
		t.Fatal(err)
	}
	return org{ca, tlsCA}
}

func (o org) node(t *testing.T, host string) OrdererNode {
	t.Helper()
	v := pki.ValidFor(time.Now().Add(-time.Hour), 24*time.Hour)
	tls, err := o.tlsCA.IssueTLS(pki.TLSRequest{CommonName: host, DNSNames: []string{host}, Server: true, Client: true, Validity: v})
	if err != nil {
		t.Fatal(err)
	}
	id, err := o.ca.IssueIdentity(pki.IdentityRequest{CommonName: host, Role: pki.RoleOrderer, Validity: v})
	if err != nil {
		t.Fatal(err)
	}
	return OrdererNode{Address: channel.Address{Host: host, Port: 7050}, TLSCert: tls.Cert, SignCert: id.Cert}
}

func fixture(t *testing.T, nodes int) (OrdererOrg, []MemberMSP) {
	t.Helper()
	o := newOrg(t, "orderer")
	ord := OrdererOrg{CACert: o.ca.Cert, TLSCACert: o.tlsCA.Cert}
	for i := range nodes {
		ord.Nodes = append(ord.Nodes, o.node(t, "carenet-orderer-"+string(rune('0'+i))+".carenet-orderers.net.svc"))
	}
	var members []MemberMSP
	for _, n := range []string{"H1MSP", "H2MSP"} {
		m := newOrg(t, strings.ToLower(n))
		members = append(members, MemberMSP{MSPID: n, CACert: m.ca.Cert, TLSCACert: m.tlsCA.Cert,
			AnchorPeers: []channel.Address{{Host: strings.ToLower(n) + "-peer-0.net.svc", Port: 7051}}})
	}
	return ord, members
}

func TestChannelSpec(t *testing.T) {
	ord, members := fixture(t, 4)
	abs := resource.MustParse("20Mi")
	tests := []struct {
		name  string
		mod   func(*v1alpha1.Consortium)
		check func(t *testing.T, s channel.Spec)
	}{
		{"etcdraft with defaults", func(*v1alpha1.Consortium) {}, func(t *testing.T, s channel.Spec) {
			if s.Consensus != channel.EtcdRaft || s.Batch.Timeout != DefaultBatchTimeout || len(s.Consenters) != 4 || s.Consenters[0].ID != 0 ||
				s.Policies.Endorsement.Rule != "MAJORITY Endorsement" || len(s.Members) != 2 || s.OrdererOrgs[0].MSP.ID != "CareOrdererMSP" {
				t.Fatalf("spec %+v", s)
			}
		}},
		{"BFT, batch and signature policy", func(c *v1alpha1.Consortium) {
			c.Spec.Orderer.Consensus = v1alpha1.ConsensusBFT
			c.Spec.Batch = v1alpha1.BatchSpec{Timeout: &metav1.Duration{Duration: 300 * time.Millisecond}, MaxMessageCount: ptr(int32(50)), AbsoluteMaxBytes: &abs}
			c.Spec.Policies.Endorsement = "AND('H1MSP.peer','H2MSP.peer')"
		}, func(t *testing.T, s channel.Spec) {
			if s.Consensus != channel.BFT || s.Consenters[3].ID != 4 || s.Consenters[0].MSPID != "CareOrdererMSP" || s.Consenters[0].Identity == nil ||
				s.Batch.Timeout != 300*time.Millisecond || s.Batch.MaxMessageCount != 50 || s.Batch.AbsoluteMaxBytes != 20<<20 ||
				s.Policies.Endorsement != (channel.Policy{Type: channel.Signature, Rule: "AND('H1MSP.peer','H2MSP.peer')"}) {
				t.Fatalf("spec %+v", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := consortium(tt.mod)
			s, err := ChannelSpec(c, ord, members)
			if err != nil {
				t.Fatalf("ChannelSpec: %v", err)
			}
			tt.check(t, s)
			// The real fabric-config builds the block the orderers will join with.
			block, err := channel.GenesisBlock(s)
			if err != nil || block.Header.Number != 0 {
				t.Fatalf("GenesisBlock: %v", err)
			}
		})
	}
}

func TestChannelSpec_Errors(t *testing.T) {
	ord, members := fixture(t, 1)
	huge := resource.MustParse("5Gi")
	noTLS := ord
	noTLS.Nodes = []OrdererNode{{Address: ord.Nodes[0].Address}}
	tests := []struct {
		name    string
		mod     func(*v1alpha1.Consortium)
		ord     OrdererOrg
		members []MemberMSP
		want    string
	}{
		{"no members", func(*v1alpha1.Consortium) {}, ord, nil, "no eligible member hospital"},
		{"member without CA", func(*v1alpha1.Consortium) {}, ord, []MemberMSP{{MSPID: "H1MSP"}}, "member H1MSP: CA or TLS CA certificate missing"},
		{"orderer CA missing", func(*v1alpha1.Consortium) {}, OrdererOrg{Nodes: ord.Nodes}, members, "orderer organisation CareOrdererMSP: CA"},
		{"no orderer nodes", func(*v1alpha1.Consortium) {}, OrdererOrg{CACert: ord.CACert, TLSCACert: ord.TLSCACert}, members, "has no nodes"},
		{"node without TLS", func(*v1alpha1.Consortium) {}, noTLS, members, "orderer 0"},
		{"block too big", func(c *v1alpha1.Consortium) { c.Spec.Batch.AbsoluteMaxBytes = &huge }, ord, members, "absoluteMaxBytes"},
		{"zero message count", func(c *v1alpha1.Consortium) { c.Spec.Batch.MaxMessageCount = ptr(int32(0)) }, ord, members, "maxMessageCount 0"},
		{"duplicate MSP ID", func(*v1alpha1.Consortium) {}, ord, []MemberMSP{members[0], members[0]}, "channel care"},
		{"bad channel name", func(c *v1alpha1.Consortium) { c.Spec.ChannelName = "Bad_Name" }, ord, members, "Bad_Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := consortium(tt.mod)
			before := c.DeepCopy()
			_, err := ChannelSpec(c, tt.ord, tt.members)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if c.Spec.ChannelName != before.Spec.ChannelName || len(c.Status.Conditions) != 0 {
				t.Fatal("ChannelSpec changed the Consortium")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
