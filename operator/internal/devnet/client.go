package devnet

import (
	"crypto/tls"
	"fmt"
	"os"
	"strconv"
	"strings"

	"google.golang.org/grpc"

	"github.com/medledger/medledger/operator/internal/fabricadmin"
)

// Hospitals returns the MSP IDs of the hospital orgs, in order.
func (d *Devnet) Hospitals() []string {
	var out []string
	for _, o := range d.st.Orgs {
		if !o.Orderer {
			out = append(out, o.MSPID)
		}
	}
	return out
}

// Peers returns the node names of mspID's peers, in order.
func (d *Devnet) Peers(mspID string) []string { return d.nodeNames(KindPeer, mspID) }

// Orderers returns the orderer node names, in order.
func (d *Devnet) Orderers() []string { return d.nodeNames(KindOrderer, "") }

// Identity returns mspID's admin (admin true) or client user identity.
//
// # Errors
//   - mspID is not an org of the devnet, or has no client user;
//   - the credential files are missing or do not decode.
func (d *Devnet) Identity(mspID string, admin bool) (*fabricadmin.Identity, error) {
	o, ok := d.st.org(mspID)
	if !ok {
		return nil, fmt.Errorf("devnet: no org %q (orgs: %v)", mspID, d.orgIDs())
	}
	c := o.Admin
	if !admin {
		if o.User == nil {
			return nil, fmt.Errorf("devnet: org %s has no client user", mspID)
		}
		c = *o.User
	}
	cert, err := os.ReadFile(c.Cert)
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	key, err := os.ReadFile(c.Key)
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	return fabricadmin.NewIdentity(mspID, cert, key)
}

// dialNode opens a gRPC connection to a peer or orderer, trusting its org's TLS CA and presenting the org
// admin's TLS client certificate (harmless when the node does not ask for one).
func (d *Devnet) dialNode(n nodeState) (*grpc.ClientConn, error) {
	o, ok := d.st.org(n.Org)
	if !ok {
		return nil, fmt.Errorf("devnet: node %s has unknown org %q", n.Name, n.Org)
	}
	ca, err := os.ReadFile(o.TLSCACert)
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	cert, err := loadTLS(o.Admin)
	if err != nil {
		return nil, err
	}
	return fabricadmin.Dial(fabricadmin.Endpoint{Address: n.Address, ServerName: n.Host, RootCAs: [][]byte{ca}, ClientCert: &cert})
}

func loadTLS(c cred) (tls.Certificate, error) {
	cert, err := os.ReadFile(c.TLSCert)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("devnet: %w", err)
	}
	key, err := os.ReadFile(c.TLSKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("devnet: %w", err)
	}
	return fabricadmin.TLSClientCertificate(cert, key)
}

// AdminPeer returns an admin client of the named peer and the connection to close when done.
//
// # Errors
//   - no such peer, or its credentials cannot be loaded.
func (d *Devnet) AdminPeer(name string) (*fabricadmin.Peer, *grpc.ClientConn, error) {
	n, ok := d.st.node(name)
	if !ok || n.Kind != KindPeer {
		return nil, nil, fmt.Errorf("devnet: no peer %q (peers: %v)", name, d.allPeers())
	}
	id, err := d.Identity(n.Org, true)
	if err != nil {
		return nil, nil, err
	}
	conn, err := d.dialNode(n)
	if err != nil {
		return nil, nil, err
	}
	p, err := fabricadmin.NewPeer(conn, id)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return p, conn, nil
}

// Gateway returns a Fabric Gateway client on the named peer, acting as that peer's org's client user, and the
// connection to close when done.
//
// # Errors
//   - no such peer, or its credentials cannot be loaded.
func (d *Devnet) Gateway(peerName string) (*fabricadmin.Gateway, *grpc.ClientConn, error) {
	n, ok := d.st.node(peerName)
	if !ok || n.Kind != KindPeer {
		return nil, nil, fmt.Errorf("devnet: no peer %q (peers: %v)", peerName, d.allPeers())
	}
	id, err := d.Identity(n.Org, false)
	if err != nil {
		return nil, nil, err
	}
	return d.GatewayAs(peerName, id)
}

// ordererAdmin returns a channel participation client for an orderer, as the orderer org's admin.
func (d *Devnet) ordererAdmin(n nodeState) (*fabricadmin.OrdererAdmin, error) {
	o, ok := d.st.org(n.Org)
	if !ok {
		return nil, fmt.Errorf("devnet: orderer %s has unknown org %q", n.Name, n.Org)
	}
	ca, err := os.ReadFile(o.TLSCACert)
	if err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	cert, err := loadTLS(o.Admin)
	if err != nil {
		return nil, err
	}
	return fabricadmin.NewOrdererAdmin(n.AdminAddress, [][]byte{ca}, cert)
}

func (d *Devnet) orgIDs() []string {
	var out []string
	for _, o := range d.st.Orgs {
		out = append(out, o.MSPID)
	}
	return out
}

func (d *Devnet) allPeers() []string { return d.nodeNames(KindPeer, "") }

// nodeNames returns the names of the nodes of kind, of organisation mspID ("" for every organisation), in order.
func (d *Devnet) nodeNames(kind, mspID string) []string {
	var out []string
	for _, n := range d.st.Nodes {
		if n.Kind == kind && (mspID == "" || n.Org == mspID) {
			out = append(out, n.Name)
		}
	}
	return out
}

// HospitalMSP resolves a user-typed hospital: its MSP ID ("Hospital2MSP"), short name ("hospital2") or number
// ("2"), case-insensitively.
//
// # Errors
//   - no hospital matches (the message lists them).
func (d *Devnet) HospitalMSP(s string) (string, error) {
	for i, msp := range d.Hospitals() {
		if strings.EqualFold(s, msp) || strings.EqualFold(s, d.hospitalName(msp)) || s == strconv.Itoa(i+1) {
			return msp, nil
		}
	}
	return "", fmt.Errorf("devnet: no hospital %q (hospitals: %v)", s, d.Hospitals())
}
