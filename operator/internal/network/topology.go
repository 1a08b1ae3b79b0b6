package network

import (
	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// Defaults applied by [Consortium.WithDefaults].
const (
	DefaultDomain          = "medledger.local"
	DefaultOrdererOrgName  = "orderer"
	DefaultOrdererMSPID    = "OrdererMSP"
	DefaultAnchorPeers     = 1
	DefaultApplicationCaps = channel.DefaultApplicationCapability
)

// AdminUser is the local name of the admin every organisation gets
// ("Admin@<org domain>"); a topology cannot declare a user of that name.
const AdminUser = "Admin"

// MinBFTNodes is the fewest orderers BFT consensus accepts here: with fewer than four
// nodes BFT tolerates no faulty node, so etcdraft is the better choice.
const MinBFTNodes = 4

// Types shared with the channel package, so a topology reads naturally.
type (
	// Consensus is channel.Consensus: EtcdRaft or BFT.
	Consensus = channel.Consensus
	// Policy is channel.Policy.
	Policy = channel.Policy
	// Policies are the application channel's policies (channel.ApplicationPolicies);
	// zero fields take channel.DefaultApplicationPolicies.
	Policies = channel.ApplicationPolicies
	// Batch is channel.Batch; zero fields take channel.DefaultBatch (250ms timeout).
	Batch = channel.Batch
	// RaftOptions is channel.RaftOptions; zero fields take channel.DefaultRaftOptions.
	RaftOptions = channel.RaftOptions
	// Address is channel.Address: a host and a port.
	Address = channel.Address
)

// Consensus types and policy types, re-exported from channel.
const (
	EtcdRaft     = channel.EtcdRaft
	BFT          = channel.BFT
	ImplicitMeta = channel.ImplicitMeta
	Signature    = channel.Signature
)

// Consortium is a set of hospitals sharing one application channel, ordered by one
// orderer organisation.
type Consortium struct {
	// ChannelID is the channel name (lower-case letters, digits, '.', '-').
	ChannelID string
	// Domain is the base DNS domain; every organisation's domain is "<org name>.<Domain>"
	// (default "medledger.local").
	Domain string
	// Orderer is the ordering organisation.
	Orderer OrdererOrg
	// Hospitals are the member organisations, in a stable order (it decides the order of
	// organisations in generated artifacts).
	Hospitals []Hospital
	// Policies are the application policies: Endorsement and LifecycleEndorsement default
	// to "MAJORITY Endorsement", Admins (governance) to "MAJORITY Admins".
	Policies Policies
	// Batch controls block cutting (default timeout 250ms, 500 messages, 10 MiB / 2 MiB).
	Batch Batch
	// Raft tunes etcdraft (Fabric's defaults).
	Raft RaftOptions
	// ApplicationCapability is "V2_0" (default) or "V2_5".
	ApplicationCapability string
}

// OrdererOrg is the ordering organisation.
type OrdererOrg struct {
	// Name is a DNS label (default "orderer"); the organisation's domain is
	// "<Name>.<consortium domain>".
	Name string
	// MSPID defaults to "OrdererMSP".
	MSPID string
	// Nodes is the number of orderer nodes, at least 1 (at least 4 for BFT).
	Nodes int
	// Consensus is EtcdRaft (default) or BFT.
	Consensus Consensus
}

// Hospital is a member organisation running peers.
type Hospital struct {
	// Name is a DNS label, e.g. "hospital1"; the domain is "<Name>.<consortium domain>".
	Name string
	// MSPID is the organisation's MSP identifier, e.g. "Hospital1MSP".
	MSPID string
	// Peers is the number of peers, at least 1.
	Peers int
	// AnchorPeers is how many of the first peers are anchor peers (default 1, at most
	// Peers). Cross-organisation gossip and discovery need at least one.
	AnchorPeers int
	// Users are client (or extra admin) identities to issue; "Admin" is always issued.
	Users []User
}

// User is an identity to issue for an organisation.
type User struct {
	// Name is the local name (letters, digits, '.', '_', '-'); the identity is
	// "<Name>@<org domain>".
	Name string
	// Role is pki.RoleClient (default) or pki.RoleAdmin.
	Role pki.Role
	// Attrs are Fabric CA-style attributes contracts authorise on, e.g. role=clinician,
	// onDuty=true.
	Attrs map[string]string
}

// WithDefaults returns a copy of c with every zero optional field set to its default.
// Slices are copied, so the result can be changed without touching c.
func (c Consortium) WithDefaults() Consortium {
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	c.Orderer = c.Orderer.withDefaults()
	hs := make([]Hospital, len(c.Hospitals))
	for i, h := range c.Hospitals {
		hs[i] = h.withDefaults()
	}
	c.Hospitals = hs
	spec := channel.Spec{Batch: c.Batch, Raft: c.Raft, Policies: c.Policies, ApplicationCapability: c.ApplicationCapability}.WithDefaults()
	c.Batch, c.Raft, c.Policies, c.ApplicationCapability = spec.Batch, spec.Raft, spec.Policies, spec.ApplicationCapability
	return c
}

func (o OrdererOrg) withDefaults() OrdererOrg {
	if o.Name == "" {
		o.Name = DefaultOrdererOrgName
	}
	if o.MSPID == "" {
		o.MSPID = DefaultOrdererMSPID
	}
	if o.Consensus == "" {
		o.Consensus = EtcdRaft
	}
	return o
}

func (h Hospital) withDefaults() Hospital {
	if h.AnchorPeers == 0 {
		h.AnchorPeers = DefaultAnchorPeers
	}
	us := make([]User, len(h.Users))
	for i, u := range h.Users {
		if u.Role == "" {
			u.Role = pki.RoleClient
		}
		us[i] = u
	}
	h.Users = us
	return h
}
