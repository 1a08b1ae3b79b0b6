package consortium

import (
	"crypto/x509"
	"fmt"
	"math"
	"regexp"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/network/channel"
)

// OrdererNode is one orderer as the channel configuration names it.
type OrdererNode struct {
	// Address is where peers, clients and the other consenters reach it; its host must be a SAN of TLSCert.
	Address channel.Address
	// TLSCert is its TLS certificate (server and client); SignCert its signing identity (BFT consenters need it).
	TLSCert, SignCert *x509.Certificate
}

// OrdererOrg is the consortium's orderer organisation: its verifying CAs and its nodes.
type OrdererOrg struct {
	CACert, TLSCACert *x509.Certificate
	Nodes             []OrdererNode
}

// MemberMSP is an eligible member's verifying MSP (from its Hospital's CA certificate Secret) and anchor peers.
type MemberMSP struct {
	MSPID             string
	CACert, TLSCACert *x509.Certificate
	AnchorPeers       []channel.Address
}

var implicitMeta = regexp.MustCompile(`^(ANY|ALL|MAJORITY) [A-Z][A-Za-z]*$`)

// policy reads an API ChannelPolicy: an implicit meta rule, else a signature policy. Empty means "use the default".
func policy(p v1alpha1.ChannelPolicy) channel.Policy {
	switch {
	case p == "":
		return channel.Policy{}
	case implicitMeta.MatchString(string(p)):
		return channel.Policy{Type: channel.ImplicitMeta, Rule: string(p)}
	default:
		return channel.Policy{Type: channel.Signature, Rule: string(p)}
	}
}

// ChannelSpec maps c's spec, its orderer organisation and its eligible members onto the network library's channel
// description, from which channel.GenesisBlock builds the genesis block the orderers join with. Unset batch
// settings and policies take the channel package's defaults, except the batch timeout, whose API default is 2s.
// spec.policies.contractGovernance is not part of the channel configuration: it is enforced on wasmcc's deploy
// transaction.
//
// # Errors
//
//   - no members, or a member or the orderer organisation without a CA or TLS CA certificate;
//   - no orderer nodes, a node without a TLS certificate, or (BFT) without a signing certificate;
//   - batch.maxMessageCount, absoluteMaxBytes or preferredMaxBytes outside what Fabric stores (1..2^32-1);
//   - anything channel.Spec.Validate refuses (channel name, addresses, duplicate MSP IDs, policies).
func ChannelSpec(c *v1alpha1.Consortium, ord OrdererOrg, members []MemberMSP) (channel.Spec, error) {
	s := channel.Spec{ChannelID: c.Spec.ChannelName, Consensus: channel.EtcdRaft}
	if c.Spec.Orderer.Consensus == v1alpha1.ConsensusBFT {
		s.Consensus = channel.BFT
	}
	mspID := string(c.Spec.Orderer.OrgMSPID)
	if ord.CACert == nil || ord.TLSCACert == nil {
		return channel.Spec{}, fmt.Errorf("orderer organisation %s: CA or TLS CA certificate missing", mspID)
	}
	if len(ord.Nodes) == 0 {
		return channel.Spec{}, fmt.Errorf("orderer organisation %s has no nodes", mspID)
	}
	org := channel.OrdererOrg{MSP: channel.MSP{ID: mspID, RootCerts: []*x509.Certificate{ord.CACert}, TLSRootCerts: []*x509.Certificate{ord.TLSCACert}}}
	for i, n := range ord.Nodes {
		if n.TLSCert == nil || (s.Consensus == channel.BFT && n.SignCert == nil) {
			return channel.Spec{}, fmt.Errorf("orderer %d (%s): certificate missing", i, n.Address)
		}
		org.Endpoints = append(org.Endpoints, n.Address)
		cs := channel.Consenter{Address: n.Address, ClientTLSCert: n.TLSCert, ServerTLSCert: n.TLSCert}
		if s.Consensus == channel.BFT {
			cs.ID, cs.MSPID, cs.Identity = uint32(i+1), mspID, n.SignCert
		}
		s.Consenters = append(s.Consenters, cs)
	}
	s.OrdererOrgs = []channel.OrdererOrg{org}

	if len(members) == 0 {
		return channel.Spec{}, fmt.Errorf("channel %s: no eligible member hospital", c.Spec.ChannelName)
	}
	for _, m := range members {
		if m.CACert == nil || m.TLSCACert == nil {
			return channel.Spec{}, fmt.Errorf("member %s: CA or TLS CA certificate missing", m.MSPID)
		}
		s.Members = append(s.Members, channel.MemberOrg{
			MSP:         channel.MSP{ID: m.MSPID, RootCerts: []*x509.Certificate{m.CACert}, TLSRootCerts: []*x509.Certificate{m.TLSCACert}},
			AnchorPeers: m.AnchorPeers,
		})
	}

	b, err := batch(c.Spec.Batch)
	if err != nil {
		return channel.Spec{}, err
	}
	s.Batch = b
	s.Policies.Endorsement = policy(c.Spec.Policies.Endorsement)
	s = s.WithDefaults()
	if err := s.Validate(); err != nil {
		return channel.Spec{}, fmt.Errorf("channel %s: %w", c.Spec.ChannelName, err)
	}
	return s, nil
}

// DefaultBatchTimeout is the API's default spec.batch.timeout, used when the field is unset.
const DefaultBatchTimeout = 2 * time.Second

func batch(b v1alpha1.BatchSpec) (channel.Batch, error) {
	var out channel.Batch
	if b.Timeout != nil {
		out.Timeout = b.Timeout.Duration
	} else {
		out.Timeout = DefaultBatchTimeout
	}
	if b.MaxMessageCount != nil {
		if *b.MaxMessageCount < 1 {
			return out, fmt.Errorf("spec.batch.maxMessageCount %d must be at least 1", *b.MaxMessageCount)
		}
		out.MaxMessageCount = uint32(*b.MaxMessageCount)
	}
	for _, q := range []struct {
		field string
		v     *resource.Quantity
		dst   *uint32
	}{{"absoluteMaxBytes", b.AbsoluteMaxBytes, &out.AbsoluteMaxBytes}, {"preferredMaxBytes", b.PreferredMaxBytes, &out.PreferredMaxBytes}} {
		if q.v == nil {
			continue
		}
		n := q.v.Value()
		if n < 1 || n > math.MaxUint32 {
			return out, fmt.Errorf("spec.batch.%s %d must be between 1 and %d bytes", q.field, n, uint32(math.MaxUint32))
		}
		*q.dst = uint32(n)
	}
	return out, nil
}
