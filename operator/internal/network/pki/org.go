package pki

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// Default validity periods used when [Settings] leaves them zero.
const (
	DefaultCAValidity = 10 * 365 * 24 * time.Hour
	DefaultValidity   = 365 * 24 * time.Hour
)

// Settings control how an [Org] dates what it issues.
type Settings struct {
	// Clock returns "now"; nil means time.Now. Tests pass a fixed clock, e.g. one two years in
	// the past to produce expired certificates.
	Clock func() time.Time
	// CAValidity is how long new CAs are valid; zero means DefaultCAValidity (10 years).
	CAValidity time.Duration
	// Validity is how long node and user certificates are valid; zero means DefaultValidity
	// (1 year). A certificate never outlives its CA.
	Validity time.Duration
}

func (s Settings) withDefaults() (Settings, error) {
	if s.CAValidity < 0 || s.Validity < 0 {
		return s, fmt.Errorf("pki: negative validity (CA %s, leaf %s)", s.CAValidity, s.Validity)
	}
	if s.Clock == nil {
		s.Clock = time.Now
	}
	if s.CAValidity == 0 {
		s.CAValidity = DefaultCAValidity
	}
	if s.Validity == 0 {
		s.Validity = DefaultValidity
	}
	return s, nil
}

// Org is one Fabric organisation's certificate authorities: a signing CA for MSP
// identities and a TLS CA. Build it with [NewOrg] or, from stored CAs, [NewOrgFromCAs].
type Org struct {
	// MSPID is the organisation's MSP identifier, e.g. "Hospital1MSP".
	MSPID string
	// Domain is the organisation's DNS domain, e.g. "hospital1.medledger.local"; user names
	// are qualified with it ("Admin@hospital1.medledger.local").
	Domain string
	// SignCA issues MSP identities ("ca.<domain>").
	SignCA *CA
	// TLSCA issues TLS certificates ("tlsca.<domain>").
	TLSCA *CA
	// Settings date the certificates the organisation issues.
	Settings Settings
}

// OrgConfig describes a new organisation.
type OrgConfig struct {
	MSPID    string
	Domain   string
	Settings Settings
}

// NewOrg creates an organisation with a fresh signing CA ("ca.<domain>") and TLS CA
// ("tlsca.<domain>"), both valid for Settings.CAValidity from Settings.Clock().
//
// # Errors
//   - MSPID is empty or Domain is not a valid DNS name;
//   - a validity in Settings is negative.
func NewOrg(cfg OrgConfig) (*Org, error) {
	s, err := checkOrg(cfg.MSPID, cfg.Domain, cfg.Settings)
	if err != nil {
		return nil, err
	}
	v := ValidFor(s.Clock(), s.CAValidity)
	sign, err := NewCA(CAConfig{CommonName: "ca." + cfg.Domain, Organization: cfg.Domain, Validity: v})
	if err != nil {
		return nil, err
	}
	tls, err := NewCA(CAConfig{CommonName: "tlsca." + cfg.Domain, Organization: cfg.Domain, Validity: v})
	if err != nil {
		return nil, err
	}
	return &Org{MSPID: cfg.MSPID, Domain: cfg.Domain, SignCA: sign, TLSCA: tls, Settings: cfg.Settings}, nil
}

// NewOrgFromCAs assembles an organisation from CAs kept elsewhere (e.g. read from a
// Secret with [ParseCA]).
//
// # Errors
//   - MSPID is empty or Domain is not a valid DNS name;
//   - a CA is nil or lacks its certificate;
//   - a validity in Settings is negative.
func NewOrgFromCAs(mspID, domain string, signCA, tlsCA *CA, s Settings) (*Org, error) {
	if _, err := checkOrg(mspID, domain, s); err != nil {
		return nil, err
	}
	if signCA == nil || signCA.Cert == nil || tlsCA == nil || tlsCA.Cert == nil {
		return nil, fmt.Errorf("pki: organisation %q: signing CA and TLS CA are both required", mspID)
	}
	return &Org{MSPID: mspID, Domain: domain, SignCA: signCA, TLSCA: tlsCA, Settings: s}, nil
}

func checkOrg(mspID, domain string, s Settings) (Settings, error) {
	if mspID == "" {
		return s, errors.New("pki: organisation MSP ID is empty")
	}
	if err := CheckDNSName(domain, false); err != nil {
		return s, fmt.Errorf("pki: organisation %q domain: %w", mspID, err)
	}
	return s.withDefaults()
}

func (o *Org) validity() (Validity, error) {
	s, err := o.Settings.withDefaults()
	if err != nil {
		return Validity{}, err
	}
	return ValidFor(s.Clock(), s.Validity), nil
}

// NodeRequest asks for a peer's or orderer's credentials.
type NodeRequest struct {
	// Host is the node's fully qualified name, e.g. "peer0.hospital1.medledger.local". It is
	// the CN of both certificates and the first DNS SAN of the TLS certificate.
	Host string
	// Role is RolePeer or RoleOrderer.
	Role Role
	// DNSNames and IPAddresses are further TLS SANs: the names and addresses clients dial,
	// e.g. a Kubernetes Service name, "localhost" or 127.0.0.1.
	DNSNames    []string
	IPAddresses []net.IP
}

// Node is a peer's or orderer's credentials.
type Node struct {
	Host string
	Role Role
	// Identity is the node's MSP signing identity (OU = role).
	Identity *KeyPair
	// TLS is valid for both server and client use: nodes dial each other (gossip, raft,
	// BFT) with their server certificate.
	TLS *KeyPair
}

// NewNode issues a node's MSP identity and its TLS certificate (server and client usage,
// SANs: Host, then DNSNames and IPAddresses).
//
// # Errors
//   - Role is not RolePeer or RoleOrderer, or Host is not a valid DNS name;
//   - a SAN is invalid, or a CA cannot issue (see [CA.IssueIdentity], [CA.IssueTLS]).
func (o *Org) NewNode(req NodeRequest) (*Node, error) {
	if req.Role != RolePeer && req.Role != RoleOrderer {
		return nil, fmt.Errorf("pki: node %q: role %q is not peer or orderer", req.Host, req.Role)
	}
	if err := CheckDNSName(req.Host, false); err != nil {
		return nil, fmt.Errorf("pki: node host: %w", err)
	}
	v, err := o.validity()
	if err != nil {
		return nil, err
	}
	id, err := o.SignCA.IssueIdentity(IdentityRequest{CommonName: req.Host, Role: req.Role, Validity: v})
	if err != nil {
		return nil, err
	}
	tls, err := o.TLSCA.IssueTLS(TLSRequest{
		CommonName:  req.Host,
		DNSNames:    append([]string{req.Host}, req.DNSNames...),
		IPAddresses: req.IPAddresses,
		Server:      true,
		Client:      true,
		Validity:    v,
	})
	if err != nil {
		return nil, err
	}
	return &Node{Host: req.Host, Role: req.Role, Identity: id, TLS: tls}, nil
}

// UserRequest asks for an admin's or a client's credentials.
type UserRequest struct {
	// Name is the user's local name, e.g. "Admin" or "alice"; the certificate CN is
	// "<Name>@<domain>".
	Name string
	// Role is RoleAdmin or RoleClient.
	Role Role
	// Attrs are Fabric CA-style attributes (see [AttrsOID]), e.g. role=clinician.
	Attrs map[string]string
}

// User is an admin's or a client's credentials.
type User struct {
	// Name is the qualified name, "<name>@<domain>".
	Name string
	Role Role
	// Identity is the user's MSP signing identity (OU = role, attributes if any).
	Identity *KeyPair
	// TLS is a client-only TLS certificate for mutual TLS (e.g. the orderer admin API).
	TLS *KeyPair
}

// NewUser issues a user's MSP identity and a TLS client certificate.
//
// # Errors
//   - Name is empty or holds a character other than letters, digits, '.', '_' and '-';
//   - Role is not RoleAdmin or RoleClient;
//   - an attribute name is empty, or a CA cannot issue.
func (o *Org) NewUser(req UserRequest) (*User, error) {
	if err := CheckUserName(req.Name); err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	if req.Role != RoleAdmin && req.Role != RoleClient {
		return nil, fmt.Errorf("pki: user %q: role %q is not admin or client", req.Name, req.Role)
	}
	v, err := o.validity()
	if err != nil {
		return nil, err
	}
	cn := req.Name + "@" + o.Domain
	id, err := o.SignCA.IssueIdentity(IdentityRequest{CommonName: cn, Role: req.Role, Attrs: req.Attrs, Validity: v})
	if err != nil {
		return nil, err
	}
	tls, err := o.TLSCA.IssueTLS(TLSRequest{CommonName: cn, Client: true, Validity: v})
	if err != nil {
		return nil, err
	}
	return &User{Name: cn, Role: req.Role, Identity: id, TLS: tls}, nil
}

// CheckUserName reports whether name is usable as a user's local name (and folder name):
// 1–64 letters, digits, '.', '_' or '-', not "." or "..".
//
// # Errors
//   - the name is empty, too long, "." or "..", or holds another character.
func CheckUserName(name string) error {
	if name == "" {
		return errors.New("user name is empty")
	}
	if len(name) > 64 {
		return fmt.Errorf("user name %q is longer than 64 characters", name)
	}
	if name == "." || name == ".." {
		return fmt.Errorf("user name %q is not allowed", name)
	}
	for _, c := range name {
		if !userNameChar(c) {
			return fmt.Errorf("user name %q holds %q (allowed: letters, digits, '.', '_', '-')", name, c)
		}
	}
	return nil
}

// userNameChar reports whether c may appear in a user name.
func userNameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// VerifyIdentity checks that cert is an MSP identity of this organisation at time at: it
// chains to the signing CA, both are within their validity, and it carries exactly one
// NodeOU role, which it returns.
//
// # Errors
//   - the certificate or its CA has expired or is not yet valid at at;
//   - it is not signed by the signing CA;
//   - it carries no NodeOU role or more than one.
func (o *Org) VerifyIdentity(cert *x509.Certificate, at time.Time) (Role, error) {
	if err := verify(cert, o.SignCA, at, x509.ExtKeyUsageAny); err != nil {
		return "", err
	}
	var roles []Role
	for _, ou := range cert.Subject.OrganizationalUnit {
		if r := Role(ou); r.valid() {
			roles = append(roles, r)
		}
	}
	if len(roles) != 1 {
		return "", fmt.Errorf("pki: %q carries %d NodeOU roles %v, want exactly one", cert.Subject.CommonName, len(roles), roles)
	}
	return roles[0], nil
}

// VerifyTLS checks that cert is a TLS certificate of this organisation valid at time at
// for usage (x509.ExtKeyUsageServerAuth or x509.ExtKeyUsageClientAuth).
//
// # Errors
//   - the certificate or its CA has expired or is not yet valid at at;
//   - it is not signed by the TLS CA, or does not allow usage.
func (o *Org) VerifyTLS(cert *x509.Certificate, at time.Time, usage x509.ExtKeyUsage) error {
	return verify(cert, o.TLSCA, at, usage)
}

func verify(cert *x509.Certificate, ca *CA, at time.Time, usage x509.ExtKeyUsage) error {
	if cert == nil {
		return errors.New("pki: certificate is nil")
	}
	if ca == nil || ca.Cert == nil {
		return errors.New("pki: CA certificate is missing")
	}
	for _, c := range []*x509.Certificate{cert, ca.Cert} {
		if at.Before(c.NotBefore) {
			return fmt.Errorf("pki: %q is not valid before %s", c.Subject.CommonName, c.NotBefore.Format(time.RFC3339))
		}
		if at.After(c.NotAfter) {
			return fmt.Errorf("pki: %q expired at %s", c.Subject.CommonName, c.NotAfter.Format(time.RFC3339))
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	_, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{usage}})
	if err != nil {
		return fmt.Errorf("pki: %q does not verify against %q: %w", cert.Subject.CommonName, ca.Cert.Subject.CommonName, err)
	}
	return nil
}
