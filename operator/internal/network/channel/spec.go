// Package channel builds the genesis block of a Fabric v3 application channel with
// fabric-config: an orderer section (etcdraft or BFT consenters, batch settings), an
// application section (member organisations, anchor peers, policies) and capabilities,
// without a system channel. Orderers join it through the channel participation API.
//
// A [Spec] holds only resolved data — certificates, host names and ports — so the same
// code serves local processes and Kubernetes pods.
package channel

import (
	"crypto/x509"
	"net"
	"strconv"
	"time"
)

// Consensus is the ordering service's consensus type.
type Consensus string

// The consensus types of Fabric v3.
const (
	EtcdRaft Consensus = "etcdraft"
	// BFT is SmartBFT; it needs the V3_0 channel capability (always set here) and a
	// signing identity per consenter.
	BFT Consensus = "BFT"
)

// PolicyType is a channel policy's type.
type PolicyType string

// The policy types configtx.yaml knows.
const (
	// ImplicitMeta rules read "ANY|ALL|MAJORITY <SubPolicy>", e.g. "MAJORITY Endorsement".
	ImplicitMeta PolicyType = "ImplicitMeta"
	// Signature rules use Fabric's policy language, e.g. "OR('Org1MSP.peer','Org2MSP.peer')".
	Signature PolicyType = "Signature"
)

// Policy is a channel policy: a type and a rule.
type Policy struct {
	Type PolicyType
	Rule string
}

// Batch controls how the orderers cut blocks.
type Batch struct {
	// Timeout is how long to wait before cutting a non-full block (default 250ms).
	Timeout time.Duration
	// MaxMessageCount is the most transactions in a block (default 500).
	MaxMessageCount uint32
	// AbsoluteMaxBytes is the hard limit on a block's transactions (default 10 MiB).
	AbsoluteMaxBytes uint32
	// PreferredMaxBytes is the size at which a block is cut (default 2 MiB).
	PreferredMaxBytes uint32
}

// DefaultBatch is the batch configuration used for zero fields of [Batch].
var DefaultBatch = Batch{
	Timeout:           250 * time.Millisecond,
	MaxMessageCount:   500,
	AbsoluteMaxBytes:  10 << 20,
	PreferredMaxBytes: 2 << 20,
}

// RaftOptions tune etcdraft.
type RaftOptions struct {
	TickInterval         time.Duration
	ElectionTick         uint32
	HeartbeatTick        uint32
	MaxInflightBlocks    uint32
	SnapshotIntervalSize uint32
}

// DefaultRaftOptions are Fabric's defaults, used for zero fields of [RaftOptions]:
// 500ms ticks, election after 10, heartbeat every tick, 5 blocks in flight, snapshot every
// 16 MiB.
var DefaultRaftOptions = RaftOptions{
	TickInterval:         500 * time.Millisecond,
	ElectionTick:         10,
	HeartbeatTick:        1,
	MaxInflightBlocks:    5,
	SnapshotIntervalSize: 16 << 20,
}

// ApplicationPolicies are the application group's governance and endorsement policies.
// Readers and Writers are always "ANY Readers" and "ANY Writers".
type ApplicationPolicies struct {
	// Endorsement is the default chaincode endorsement policy (default "MAJORITY
	// Endorsement": most member organisations' peers must endorse).
	Endorsement Policy
	// LifecycleEndorsement decides who must approve a chaincode definition (default
	// "MAJORITY Endorsement").
	LifecycleEndorsement Policy
	// Admins decides who may change the application configuration, e.g. add a member
	// (default "MAJORITY Admins").
	Admins Policy
}

// DefaultApplicationPolicies are used for zero fields of [ApplicationPolicies].
var DefaultApplicationPolicies = ApplicationPolicies{
	Endorsement:          Policy{Type: ImplicitMeta, Rule: "MAJORITY Endorsement"},
	LifecycleEndorsement: Policy{Type: ImplicitMeta, Rule: "MAJORITY Endorsement"},
	Admins:               Policy{Type: ImplicitMeta, Rule: "MAJORITY Admins"},
}

// Capabilities. Fabric v3 has no orderer capability above V2_0; V3_0 exists for the channel.
const (
	ChannelCapability = "V3_0"
	OrdererCapability = "V2_0"
	// DefaultApplicationCapability is used when Spec.ApplicationCapability is empty.
	DefaultApplicationCapability = "V2_0"
)

// ApplicationCapabilities lists the application capabilities a Fabric v3 peer supports
// and this package accepts.
var ApplicationCapabilities = []string{"V2_0", "V2_5"}

// MSP is an organisation's verifying MSP as it appears in the channel configuration.
// NodeOUs are always enabled, bound to RootCerts[0] (OUs client, peer, admin, orderer).
type MSP struct {
	// ID is the MSP identifier; it is also the organisation's group name in the channel
	// configuration.
	ID string
	// RootCerts are the signing CAs; TLSRootCerts the TLS CAs.
	RootCerts    []*x509.Certificate
	TLSRootCerts []*x509.Certificate
	// Admins are optional admin certificates (not needed with NodeOUs).
	Admins []*x509.Certificate
}

// Address is a host and port.
type Address struct {
	Host string
	Port int
}

// String returns "host:port" (IPv6 hosts in brackets).
func (a Address) String() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// OrdererOrg is an ordering organisation.
type OrdererOrg struct {
	MSP MSP
	// Endpoints are the addresses clients and peers reach its orderers at (the V3_0
	// capability requires per-organisation endpoints).
	Endpoints []Address
}

// MemberOrg is an application (peer) organisation.
type MemberOrg struct {
	MSP MSP
	// AnchorPeers are the peers other organisations' peers gossip with.
	AnchorPeers []Address
}

// Consenter is one orderer node taking part in consensus.
type Consenter struct {
	// Address is where the other consenters reach it (cluster traffic shares the main
	// listener); the host must be a SAN of its TLS certificate.
	Address Address
	// ClientTLSCert and ServerTLSCert are its TLS certificates (usually the same one).
	ClientTLSCert *x509.Certificate
	ServerTLSCert *x509.Certificate
	// BFT only: ID (unique, 1-based), the node's MSP ID and its signing identity.
	ID       uint32
	MSPID    string
	Identity *x509.Certificate
}

// Spec is everything the genesis block holds.
type Spec struct {
	// ChannelID is the channel name: lower-case letters, digits, '.', '-', starting with a
	// letter, shorter than 250 characters.
	ChannelID string
	// Consensus is EtcdRaft (default) or BFT.
	Consensus   Consensus
	OrdererOrgs []OrdererOrg
	Consenters  []Consenter
	Members     []MemberOrg
	Batch       Batch
	Raft        RaftOptions
	Policies    ApplicationPolicies
	// ApplicationCapability is "V2_0" (default) or "V2_5".
	ApplicationCapability string
}

// WithDefaults returns a copy of s with zero settings replaced by their defaults.
func (s Spec) WithDefaults() Spec {
	if s.Consensus == "" {
		s.Consensus = EtcdRaft
	}
	s.Batch = s.Batch.withDefaults()
	s.Raft = s.Raft.withDefaults()
	s.Policies = s.Policies.withDefaults()
	if s.ApplicationCapability == "" {
		s.ApplicationCapability = DefaultApplicationCapability
	}
	return s
}

func (b Batch) withDefaults() Batch {
	d := DefaultBatch
	if b.Timeout == 0 {
		b.Timeout = d.Timeout
	}
	if b.MaxMessageCount == 0 {
		b.MaxMessageCount = d.MaxMessageCount
	}
	if b.AbsoluteMaxBytes == 0 {
		b.AbsoluteMaxBytes = d.AbsoluteMaxBytes
	}
	if b.PreferredMaxBytes == 0 {
		b.PreferredMaxBytes = min(d.PreferredMaxBytes, b.AbsoluteMaxBytes)
	}
	return b
}

func (r RaftOptions) withDefaults() RaftOptions {
	d := DefaultRaftOptions
	if r.TickInterval == 0 {
		r.TickInterval = d.TickInterval
	}
	if r.ElectionTick == 0 {
		r.ElectionTick = d.ElectionTick
	}
	if r.HeartbeatTick == 0 {
		r.HeartbeatTick = d.HeartbeatTick
	}
	if r.MaxInflightBlocks == 0 {
		r.MaxInflightBlocks = d.MaxInflightBlocks
	}
	if r.SnapshotIntervalSize == 0 {
		r.SnapshotIntervalSize = d.SnapshotIntervalSize
	}
	return r
}

func (p ApplicationPolicies) withDefaults() ApplicationPolicies {
	d := DefaultApplicationPolicies
	if p.Endorsement == (Policy{}) {
		p.Endorsement = d.Endorsement
	}
	if p.LifecycleEndorsement == (Policy{}) {
		p.LifecycleEndorsement = d.LifecycleEndorsement
	}
	if p.Admins == (Policy{}) {
		p.Admins = d.Admins
	}
	return p
}
