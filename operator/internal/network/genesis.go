package network

import (
	"errors"
	"fmt"

	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// Default ports, used by [DefaultEndpoints] and the nodeconfig defaults.
const (
	DefaultOrdererPort = 7050
	DefaultPeerPort    = 7051
)

// Endpoints map a node's host name to the address the rest of the network dials it at:
// for Kubernetes usually the node's own name (or its Service) and a fixed port, for local
// processes 127.0.0.1 and a distinct port per node. A consenter's address host must be one
// of its TLS SANs (see [CryptoOptions]).
type Endpoints map[string]Address

// DefaultEndpoints returns every node at its own host name: orderers on 7050, peers on
// 7051.
func DefaultEndpoints(orgs []Org) Endpoints {
	eps := Endpoints{}
	for _, o := range orgs {
		for _, n := range o.Nodes {
			port := DefaultPeerPort
			if n.Role == pki.RoleOrderer {
				port = DefaultOrdererPort
			}
			eps[n.Host] = Address{Host: n.Host, Port: port}
		}
	}
	return eps
}

// ChannelSpec resolves the consortium's channel: the orderer organisation with its
// endpoints and consenters (TLS certificates, and identities for BFT), the hospitals with
// their anchor peers, and the consortium's policies and settings. Only public material of
// cr is read: CA certificates and orderer certificates.
//
// # Errors
//   - the consortium does not pass [Consortium.Validate];
//   - cr lacks an organisation or an orderer's credentials;
//   - eps lacks an orderer or anchor peer.
func (c Consortium) ChannelSpec(cr *Crypto, eps Endpoints) (channel.Spec, error) {
	orgs, err := c.Orgs()
	if err != nil {
		return channel.Spec{}, err
	}
	if cr == nil {
		return channel.Spec{}, errors.New("network: no crypto material")
	}
	c = c.WithDefaults()
	spec := channel.Spec{
		ChannelID:             c.ChannelID,
		Consensus:             c.Orderer.Consensus,
		Batch:                 c.Batch,
		Raft:                  c.Raft,
		Policies:              c.Policies,
		ApplicationCapability: c.ApplicationCapability,
	}
	for _, org := range orgs {
		oc := cr.Org(org.Name)
		if oc == nil {
			return channel.Spec{}, fmt.Errorf("network: no crypto material for organisation %q", org.Name)
		}
		if org.Kind == OrdererOrgKind {
			oo := channel.OrdererOrg{MSP: oc.ChannelMSP()}
			for _, n := range org.Nodes {
				addr, ok := eps[n.Host]
				if !ok {
					return channel.Spec{}, fmt.Errorf("network: no endpoint for orderer %q", n.Host)
				}
				node := oc.Nodes[n.Host]
				if node == nil {
					return channel.Spec{}, fmt.Errorf("network: no credentials for orderer %q", n.Host)
				}
				oo.Endpoints = append(oo.Endpoints, addr)
				spec.Consenters = append(spec.Consenters, channel.Consenter{
					Address:       addr,
					ClientTLSCert: node.TLS.Cert,
					ServerTLSCert: node.TLS.Cert,
					ID:            uint32(n.Index + 1),
					MSPID:         org.MSPID,
					Identity:      node.Identity.Cert,
				})
			}
			spec.OrdererOrgs = append(spec.OrdererOrgs, oo)
			continue
		}
		mo := channel.MemberOrg{MSP: oc.ChannelMSP()}
		for _, n := range org.Nodes {
			if !n.Anchor {
				continue
			}
			addr, ok := eps[n.Host]
			if !ok {
				return channel.Spec{}, fmt.Errorf("network: no endpoint for anchor peer %q", n.Host)
			}
			mo.AnchorPeers = append(mo.AnchorPeers, addr)
		}
		spec.Members = append(spec.Members, mo)
	}
	return spec, nil
}

// GenesisBlock returns the consortium channel's marshalled genesis block (common.Block),
// ready for the orderers' channel participation API and the peers' channel join.
//
// # Errors
//   - as [Consortium.ChannelSpec] and channel.GenesisBlock.
func (c Consortium) GenesisBlock(cr *Crypto, eps Endpoints) ([]byte, error) {
	spec, err := c.ChannelSpec(cr, eps)
	if err != nil {
		return nil, err
	}
	return channel.GenesisBlockBytes(spec)
}
