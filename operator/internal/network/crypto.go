package network

import (
	"crypto/x509"
	"fmt"
	"net"
	"path"

	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// SANs are extra TLS subject alternative names.
type SANs struct {
	DNSNames    []string
	IPAddresses []net.IP
}

// CryptoOptions control certificate generation.
type CryptoOptions struct {
	// PKI sets the clock and validity periods.
	PKI pki.Settings
	// AllNodes are TLS SANs added to every node, e.g. "localhost" and 127.0.0.1 for a
	// network of local processes.
	AllNodes SANs
	// Nodes are TLS SANs added to one node, keyed by its host name, e.g. the Kubernetes
	// Service names a pod is reached by.
	Nodes map[string]SANs
}

// OrgCrypto is one organisation's generated credentials.
type OrgCrypto struct {
	Org Org
	// CA holds the signing CA and the TLS CA.
	CA *pki.Org
	// Nodes are keyed by node host name; Users by local user name ("Admin", "alice").
	Nodes map[string]*pki.Node
	Users map[string]*pki.User
}

// GenerateOrgCrypto creates an organisation's CAs and issues every node's and user's
// credentials. A node's TLS SANs are its host name, then opts.AllNodes, then
// opts.Nodes[host].
//
// # Errors
//   - the organisation has no MSP ID or an invalid domain;
//   - a SAN is invalid, a user attribute name is empty, or a validity is negative.
func GenerateOrgCrypto(org Org, opts CryptoOptions) (*OrgCrypto, error) {
	ca, err := pki.NewOrg(pki.OrgConfig{MSPID: org.MSPID, Domain: org.Domain, Settings: opts.PKI})
	if err != nil {
		return nil, err
	}
	return IssueOrgCrypto(org, ca, opts)
}

// IssueOrgCrypto issues every node's and user's credentials from existing CAs (e.g. ones
// an operator keeps in a Secret), as [GenerateOrgCrypto] does.
//
// # Errors
//   - as [GenerateOrgCrypto], and ca belongs to another MSP ID or domain.
func IssueOrgCrypto(org Org, ca *pki.Org, opts CryptoOptions) (*OrgCrypto, error) {
	if ca.MSPID != org.MSPID || ca.Domain != org.Domain {
		return nil, fmt.Errorf("network: CAs of %s (%s) do not belong to %s (%s)", ca.MSPID, ca.Domain, org.MSPID, org.Domain)
	}
	oc := &OrgCrypto{Org: org, CA: ca, Nodes: map[string]*pki.Node{}, Users: map[string]*pki.User{}}
	for _, n := range org.Nodes {
		extra := opts.Nodes[n.Host]
		node, err := ca.NewNode(pki.NodeRequest{
			Host:        n.Host,
			Role:        n.Role,
			DNSNames:    append(append([]string{}, opts.AllNodes.DNSNames...), extra.DNSNames...),
			IPAddresses: append(append([]net.IP{}, opts.AllNodes.IPAddresses...), extra.IPAddresses...),
		})
		if err != nil {
			return nil, fmt.Errorf("network: %s: %w", n.Host, err)
		}
		oc.Nodes[n.Host] = node
	}
	for _, u := range org.Users {
		user, err := ca.NewUser(pki.UserRequest{Name: u.Name, Role: u.Role, Attrs: u.Attrs})
		if err != nil {
			return nil, fmt.Errorf("network: %s: %w", UserID(u.Name, org.Domain), err)
		}
		oc.Users[u.Name] = user
	}
	return oc, nil
}

// Admin returns the organisation's admin credentials.
func (oc *OrgCrypto) Admin() *pki.User { return oc.Users[AdminUser] }

// ChannelMSP returns the organisation's MSP as the channel configuration holds it.
func (oc *OrgCrypto) ChannelMSP() channel.MSP {
	return channel.MSP{
		ID:           oc.Org.MSPID,
		RootCerts:    []*x509.Certificate{oc.CA.SignCA.Cert},
		TLSRootCerts: []*x509.Certificate{oc.CA.TLSCA.Cert},
	}
}

// Files lays the organisation out as cryptogen does, relative to [Org.Dir]:
//
//	ca/ca.<domain>-cert.pem, ca/priv_sk          signing CA (key mode 0600 when written)
//	tlsca/tlsca.<domain>-cert.pem, tlsca/priv_sk  TLS CA
//	msp/                                          verifying MSP (for configtxgen, channel config)
//	peers|orderers/<host>/{msp,tls}/              each node
//	users/<name>@<domain>/{msp,tls}/              each user
//
// # Errors
//   - a node or user lacks credentials, or a key cannot be encoded.
func (oc *OrgCrypto) Files() (pki.Files, error) {
	f := pki.Files{}
	for dir, ca := range map[string]*pki.CA{"ca": oc.CA.SignCA, "tlsca": oc.CA.TLSCA} {
		key, err := ca.KeyPEM()
		if err != nil {
			return nil, fmt.Errorf("network: %s %s: %w", oc.Org.Name, dir, err)
		}
		f[path.Join(dir, ca.Cert.Subject.CommonName+"-cert.pem")] = ca.CertPEM()
		f[path.Join(dir, pki.MSPKeyFile)] = key
	}
	f.Put("msp", oc.CA.MSP())
	base := oc.Org.Dir()
	for _, n := range oc.Org.Nodes {
		nf, err := oc.CA.NodeFiles(oc.Nodes[n.Host])
		if err != nil {
			return nil, fmt.Errorf("network: %s: %w", n.Host, err)
		}
		f.Put(relTo(base, oc.Org.NodeDir(n)), nf)
	}
	for _, u := range oc.Org.Users {
		uf, err := oc.CA.UserFiles(oc.Users[u.Name])
		if err != nil {
			return nil, fmt.Errorf("network: %s: %w", UserID(u.Name, oc.Org.Domain), err)
		}
		f.Put(relTo(base, oc.Org.UserDir(u.Name)), uf)
	}
	return f, nil
}

func relTo(base, p string) string { return p[len(base)+1:] }

// Crypto is a whole consortium's generated credentials, organisations in [Consortium.Orgs]
// order.
type Crypto struct {
	Orgs []*OrgCrypto
}

// GenerateCrypto validates the consortium and generates every organisation's credentials.
//
// # Errors
//   - the consortium does not pass [Consortium.Validate];
//   - as [GenerateOrgCrypto].
func GenerateCrypto(c Consortium, opts CryptoOptions) (*Crypto, error) {
	orgs, err := c.Orgs()
	if err != nil {
		return nil, err
	}
	for host := range opts.Nodes {
		if !hasNode(orgs, host) {
			return nil, fmt.Errorf("network: SANs given for %q, which is not a node of the consortium", host)
		}
	}
	cr := &Crypto{}
	for _, org := range orgs {
		oc, err := GenerateOrgCrypto(org, opts)
		if err != nil {
			return nil, err
		}
		cr.Orgs = append(cr.Orgs, oc)
	}
	return cr, nil
}

func hasNode(orgs []Org, host string) bool {
	for _, o := range orgs {
		for _, n := range o.Nodes {
			if n.Host == host {
				return true
			}
		}
	}
	return false
}

// Org returns the credentials of the organisation called name, or nil.
func (c *Crypto) Org(name string) *OrgCrypto {
	for _, oc := range c.Orgs {
		if oc.Org.Name == name {
			return oc
		}
	}
	return nil
}

// Node returns the credentials of the node with host name host and its organisation, or
// nils.
func (c *Crypto) Node(host string) (*pki.Node, *OrgCrypto) {
	for _, oc := range c.Orgs {
		if n, ok := oc.Nodes[host]; ok {
			return n, oc
		}
	}
	return nil, nil
}

// Files lays every organisation out under its [Org.Dir] (cryptogen's crypto-config tree).
//
// # Errors
//   - as [OrgCrypto.Files].
func (c *Crypto) Files() (pki.Files, error) {
	f := pki.Files{}
	for _, oc := range c.Orgs {
		of, err := oc.Files()
		if err != nil {
			return nil, err
		}
		f.Put(oc.Org.Dir(), of)
	}
	return f, nil
}
