package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Role is a Fabric NodeOU classification. It is written as the certificate's only
// organizational unit (OU), and the MSP's config.yaml maps each OU to its role.
type Role string

// The four NodeOU roles Fabric knows.
const (
	RolePeer    Role = "peer"
	RoleOrderer Role = "orderer"
	RoleAdmin   Role = "admin"
	RoleClient  Role = "client"
)

// Roles lists every Role in config.yaml order.
var Roles = []Role{RoleClient, RolePeer, RoleAdmin, RoleOrderer}

func (r Role) valid() bool {
	switch r {
	case RolePeer, RoleOrderer, RoleAdmin, RoleClient:
		return true
	}
	return false
}

// KeyPair is an issued certificate and its private key.
type KeyPair struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// CertPEM returns the certificate in PEM form.
func (k *KeyPair) CertPEM() []byte { return EncodeCert(k.Cert) }

// KeyPEM returns the private key in PKCS#8 PEM form.
//
// # Errors
//   - the key is missing.
func (k *KeyPair) KeyPEM() ([]byte, error) { return EncodeKey(k.Key) }

// ParseKeyPair reads a certificate and its private key from PEM.
//
// # Errors
//   - either PEM input is malformed (see [ParseCert], [ParseKey]);
//   - the key does not belong to the certificate.
func ParseKeyPair(certPEM, keyPEM []byte) (*KeyPair, error) {
	cert, err := ParseCert(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := ParseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("pki: key does not match certificate %q", cert.Subject.CommonName)
	}
	return &KeyPair{Cert: cert, Key: key}, nil
}

// IdentityRequest asks a signing CA for an MSP identity (enrollment certificate).
type IdentityRequest struct {
	// CommonName is the subject CN, e.g. "peer0.hospital1.medledger.local" or
	// "Admin@hospital1.medledger.local".
	CommonName string
	// Role is written as the certificate's OU (Fabric NodeOU).
	Role Role
	// Attrs, if not empty, are written in the Fabric CA attribute extension (see
	// [AttrsOID]); chaincode reads them through the client identity library.
	Attrs map[string]string
	// Validity is the certificate's validity period (see [ValidFor]).
	Validity Validity
}

// IssueIdentity issues an MSP identity certificate for a fresh P-256 key. The certificate
// may only sign (no extended key usage, as Fabric's MSP validates with the default usage).
// Its end is clamped to the CA's expiry.
//
// # Errors
//   - CommonName is empty, Role is not one of the four NodeOU roles, or an attribute name is
//     empty;
//   - the validity period is unset or ends before it starts;
//   - the CA has no key, or it expires before the certificate would start.
func (ca *CA) IssueIdentity(req IdentityRequest) (*KeyPair, error) {
	if req.CommonName == "" {
		return nil, errors.New("pki: identity common name is empty")
	}
	if !req.Role.valid() {
		return nil, fmt.Errorf("pki: identity %q: role %q is not one of peer, orderer, admin, client", req.CommonName, req.Role)
	}
	if err := req.Validity.check(); err != nil {
		return nil, fmt.Errorf("pki: identity %q: %w", req.CommonName, err)
	}
	tmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: req.CommonName, OrganizationalUnit: []string{string(req.Role)}},
		NotBefore: req.Validity.NotBefore,
		NotAfter:  req.Validity.NotAfter,
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
	if len(req.Attrs) > 0 {
		ext, err := attrsExtension(req.Attrs)
		if err != nil {
			return nil, fmt.Errorf("pki: identity %q: %w", req.CommonName, err)
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ext)
	}
	return ca.issueKeyPair(req.CommonName, tmpl)
}

// TLSRequest asks a TLS CA for a TLS certificate.
type TLSRequest struct {
	// CommonName is the subject CN; it is not used for host name checks.
	CommonName string
	// DNSNames and IPAddresses are the subject alternative names the certificate is valid
	// for. A server certificate needs at least one.
	DNSNames    []string
	IPAddresses []net.IP
	// Server and Client select the extended key usages. Fabric nodes need both: they serve
	// gRPC and dial each other (gossip, raft) with the same certificate.
	Server bool
	Client bool
	// Validity is the certificate's validity period (see [ValidFor]).
	Validity Validity
}

// IssueTLS issues a TLS certificate for a fresh P-256 key. Its end is clamped to the CA's
// expiry.
//
// # Errors
//   - CommonName is empty, neither Server nor Client is set, a server certificate has no
//     SAN, a DNS name is not a valid host name (wildcards allowed as the first label), or an
//     IP address is malformed;
//   - the validity period is unset or ends before it starts;
//   - the CA has no key, or it expires before the certificate would start.
func (ca *CA) IssueTLS(req TLSRequest) (*KeyPair, error) {
	if req.CommonName == "" {
		return nil, errors.New("pki: TLS common name is empty")
	}
	if !req.Server && !req.Client {
		return nil, fmt.Errorf("pki: TLS %q: neither server nor client usage requested", req.CommonName)
	}
	if req.Server && len(req.DNSNames) == 0 && len(req.IPAddresses) == 0 {
		return nil, fmt.Errorf("pki: TLS %q: a server certificate needs at least one DNS name or IP address", req.CommonName)
	}
	for _, name := range req.DNSNames {
		if err := CheckDNSName(name, true); err != nil {
			return nil, fmt.Errorf("pki: TLS %q: %w", req.CommonName, err)
		}
	}
	for _, ip := range req.IPAddresses {
		if len(ip) != net.IPv4len && len(ip) != net.IPv6len {
			return nil, fmt.Errorf("pki: TLS %q: IP address %v is malformed", req.CommonName, []byte(ip))
		}
	}
	if err := req.Validity.check(); err != nil {
		return nil, fmt.Errorf("pki: TLS %q: %w", req.CommonName, err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: req.CommonName},
		NotBefore:   req.Validity.NotBefore,
		NotAfter:    req.Validity.NotAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		DNSNames:    dedupe(req.DNSNames),
		IPAddresses: dedupeIPs(req.IPAddresses),
	}
	if req.Server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if req.Client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	return ca.issueKeyPair(req.CommonName, tmpl)
}

func (ca *CA) issueKeyPair(cn string, tmpl *x509.Certificate) (*KeyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: %q: generating key: %w", cn, err)
	}
	cert, err := ca.issue(tmpl, &key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("pki: %q: %w", cn, err)
	}
	return &KeyPair{Cert: cert, Key: key}, nil
}

// CheckDNSName reports whether name is a valid DNS host name: dot-separated labels of
// 1–63 letters, digits and hyphens, not starting or ending with a hyphen, 253 characters at
// most. With wildcard, "*" is accepted as the first label.
//
// # Errors
//   - the name breaks one of those rules; the error names the offending label.
func CheckDNSName(name string, wildcard bool) error {
	if name == "" {
		return errors.New("DNS name is empty")
	}
	if len(name) > 253 {
		return fmt.Errorf("DNS name %q is longer than 253 characters", name)
	}
	for i, label := range strings.Split(name, ".") {
		if wildcard && i == 0 && label == "*" {
			continue
		}
		if err := CheckDNSLabel(label); err != nil {
			return fmt.Errorf("DNS name %q: %w", name, err)
		}
	}
	return nil
}

// CheckDNSLabel reports whether label is one valid DNS label (RFC 1123): 1–63 letters,
// digits and hyphens, not starting or ending with a hyphen.
//
// # Errors
//   - the label is empty, too long, or holds another character; the error says which.
func CheckDNSLabel(label string) error {
	if label == "" {
		return errors.New("empty label")
	}
	if len(label) > 63 {
		return fmt.Errorf("label %q is longer than 63 characters", label)
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with a hyphen", label)
	}
	for _, c := range label {
		if !dnsLabelChar(c) {
			return fmt.Errorf("label %q holds %q (allowed: letters, digits, hyphen)", label, c)
		}
	}
	return nil
}

// dnsLabelChar reports whether c may appear in a DNS label (RFC 1123: letters, digits, hyphen).
func dnsLabelChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func dedupe(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		k := strings.ToLower(s)
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

func dedupeIPs(in []net.IP) []net.IP {
	var out []net.IP
	for _, ip := range in {
		dup := false
		for _, o := range out {
			if o.Equal(ip) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, ip)
		}
	}
	return out
}

// Expiry returns the earliest NotAfter among certs, or the zero time for none. An operator
// reports it as the organisation's certificate expiry.
func Expiry(certs ...*x509.Certificate) time.Time {
	var min time.Time
	for _, c := range certs {
		if c != nil && (min.IsZero() || c.NotAfter.Before(min)) {
			min = c.NotAfter
		}
	}
	return min
}
