package network

import (
	"fmt"
	"path"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// OrgKind tells orderer organisations from peer organisations.
type OrgKind string

// The two kinds of organisation.
const (
	OrdererOrgKind OrgKind = "orderer"
	PeerOrgKind    OrgKind = "peer"
)

// Org is an organisation with every name resolved.
type Org struct {
	// Name is the organisation's name, e.g. "hospital1".
	Name string
	// MSPID is its MSP identifier.
	MSPID string
	// Domain is "<Name>.<base domain>".
	Domain string
	Kind   OrgKind
	// Nodes are its peers or orderers, in index order.
	Nodes []Node
	// Users are the identities to issue: the admin first, then the declared users.
	Users []User
}

// Node is a peer or orderer with every name resolved.
type Node struct {
	// Name is "peer<i>" or "orderer<i>".
	Name string
	// Host is the fully qualified name, "<Name>.<org domain>": the CN of its certificates
	// and the first TLS SAN.
	Host string
	// Org and MSPID are its organisation's name and MSP ID.
	Org   string
	MSPID string
	// Role is pki.RolePeer or pki.RoleOrderer.
	Role pki.Role
	// Index is i in Name.
	Index int
	// Anchor marks an anchor peer.
	Anchor bool
}

// OrgDomain returns an organisation's domain: "<name>.<base domain>".
func OrgDomain(name, domain string) string { return name + "." + domain }

// NodeHost returns a node's fully qualified host name: "<node>.<org domain>".
func NodeHost(node, orgDomain string) string { return node + "." + orgDomain }

// PeerName returns the name of peer i: "peer<i>".
func PeerName(i int) string { return fmt.Sprintf("peer%d", i) }

// OrdererName returns the name of orderer i: "orderer<i>".
func OrdererName(i int) string { return fmt.Sprintf("orderer%d", i) }

// UserID returns a user's qualified name: "<name>@<org domain>".
func UserID(name, orgDomain string) string { return name + "@" + orgDomain }

// Orgs validates the consortium and resolves its organisations: the orderer organisation
// first, then the hospitals in their declared order.
//
// # Errors
//   - the consortium does not pass [Consortium.Validate].
func (c Consortium) Orgs() ([]Org, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.WithDefaults()
	orgs := []Org{c.Orderer.org(c.Domain)}
	for _, h := range c.Hospitals {
		orgs = append(orgs, h.org(c.Domain))
	}
	return orgs, nil
}

// Org resolves one hospital on its own (see [Hospital.Validate]); domain is the base
// domain ("" for the default).
//
// # Errors
//   - the hospital does not pass [Hospital.Validate].
func (h Hospital) Org(domain string) (Org, error) {
	if domain == "" {
		domain = DefaultDomain
	}
	if err := h.Validate(domain); err != nil {
		return Org{}, err
	}
	return h.withDefaults().org(domain), nil
}

func (o OrdererOrg) org(domain string) Org {
	org := Org{Name: o.Name, MSPID: o.MSPID, Domain: OrgDomain(o.Name, domain), Kind: OrdererOrgKind}
	for i := 0; i < o.Nodes; i++ {
		org.Nodes = append(org.Nodes, Node{
			Name: OrdererName(i), Host: NodeHost(OrdererName(i), org.Domain),
			Org: o.Name, MSPID: o.MSPID, Role: pki.RoleOrderer, Index: i,
		})
	}
	org.Users = []User{{Name: AdminUser, Role: pki.RoleAdmin}}
	return org
}

func (h Hospital) org(domain string) Org {
	org := Org{Name: h.Name, MSPID: h.MSPID, Domain: OrgDomain(h.Name, domain), Kind: PeerOrgKind}
	for i := 0; i < h.Peers; i++ {
		org.Nodes = append(org.Nodes, Node{
			Name: PeerName(i), Host: NodeHost(PeerName(i), org.Domain),
			Org: h.Name, MSPID: h.MSPID, Role: pki.RolePeer, Index: i, Anchor: i < h.AnchorPeers,
		})
	}
	org.Users = append([]User{{Name: AdminUser, Role: pki.RoleAdmin}}, h.Users...)
	return org
}

// Admin returns the organisation's admin user.
func (o Org) Admin() User { return o.Users[0] }

// Dir returns the organisation's folder in a crypto tree, cryptogen-style:
// "ordererOrganizations/<domain>" or "peerOrganizations/<domain>".
func (o Org) Dir() string {
	if o.Kind == OrdererOrgKind {
		return path.Join("ordererOrganizations", o.Domain)
	}
	return path.Join("peerOrganizations", o.Domain)
}

// MSPDir returns the organisation's verifying MSP folder in a crypto tree: "<Dir>/msp".
func (o Org) MSPDir() string { return path.Join(o.Dir(), "msp") }

// NodeDir returns a node's folder in a crypto tree: "<Dir>/peers/<host>" or
// "<Dir>/orderers/<host>"; it holds "msp/" and "tls/".
func (o Org) NodeDir(n Node) string {
	kind := "peers"
	if n.Role == pki.RoleOrderer {
		kind = "orderers"
	}
	return path.Join(o.Dir(), kind, n.Host)
}

// UserDir returns a user's folder in a crypto tree: "<Dir>/users/<name>@<domain>"; it holds
// "msp/" and "tls/".
func (o Org) UserDir(userName string) string {
	return path.Join(o.Dir(), "users", UserID(userName, o.Domain))
}
