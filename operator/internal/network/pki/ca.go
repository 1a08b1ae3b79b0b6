package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// Backdate is how far before "now" [ValidFor] starts a certificate, so that a node whose
// clock runs slightly behind the issuer's still accepts it.
const Backdate = 5 * time.Minute

// Validity is the period in which a certificate is valid.
type Validity struct {
	NotBefore time.Time
	NotAfter  time.Time
}

// ValidFor returns a validity that starts [Backdate] before now and ends d after now.
func ValidFor(now time.Time, d time.Duration) Validity {
	now = now.UTC().Truncate(time.Second)
	return Validity{NotBefore: now.Add(-Backdate), NotAfter: now.Add(d)}
}

func (v Validity) check() error {
	if v.NotBefore.IsZero() || v.NotAfter.IsZero() {
		return errors.New("validity period is not set")
	}
	if !v.NotAfter.After(v.NotBefore) {
		return fmt.Errorf("validity ends (%s) before it starts (%s)",
			v.NotAfter.Format(time.RFC3339), v.NotBefore.Format(time.RFC3339))
	}
	return nil
}

// CA is a certificate authority: a self-signed ECDSA P-256 certificate and its key.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// CAConfig describes a new CA.
type CAConfig struct {
	// CommonName is the CA's subject CN, e.g. "ca.hospital1.medledger.local".
	CommonName string
	// Organization is the subject O, e.g. "hospital1.medledger.local".
	Organization string
	// Validity is the CA certificate's validity period.
	Validity Validity
}

// NewCA creates a self-signed root CA with a fresh P-256 key. The certificate may sign
// certificates and CRLs and carries a subject key identifier (Fabric uses it for CRLs).
//
// # Errors
//   - CommonName is empty;
//   - the validity period is unset or ends before it starts.
func NewCA(cfg CAConfig) (*CA, error) {
	if cfg.CommonName == "" {
		return nil, errors.New("pki: CA common name is empty")
	}
	if err := cfg.Validity.check(); err != nil {
		return nil, fmt.Errorf("pki: CA %q: %w", cfg.CommonName, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: CA %q: generating key: %w", cfg.CommonName, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{CommonName: cfg.CommonName}
	if cfg.Organization != "" {
		subject.Organization = []string{cfg.Organization}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             cfg.Validity.NotBefore,
		NotAfter:              cfg.Validity.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := createCert(tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pki: CA %q: %w", cfg.CommonName, err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// ParseCA reads a CA from its PEM certificate and PEM private key (as written by
// [CA.CertPEM] and [CA.KeyPEM]).
//
// # Errors
//   - either PEM input is malformed (see [ParseCert], [ParseKey]);
//   - the certificate is not a CA (basic constraints) or may not sign certificates;
//   - the key does not belong to the certificate.
func ParseCA(certPEM, keyPEM []byte) (*CA, error) {
	cert, err := ParseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: CA certificate: %w", err)
	}
	key, err := ParseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: CA key: %w", err)
	}
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return nil, fmt.Errorf("pki: certificate %q is not a CA", cert.Subject.CommonName)
	}
	if cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("pki: CA %q may not sign certificates (key usage)", cert.Subject.CommonName)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("pki: key does not match CA certificate %q", cert.Subject.CommonName)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// CertPEM returns the CA certificate in PEM form.
func (ca *CA) CertPEM() []byte { return EncodeCert(ca.Cert) }

// KeyPEM returns the CA private key in PKCS#8 PEM form.
//
// # Errors
//   - the key is missing.
func (ca *CA) KeyPEM() ([]byte, error) { return EncodeKey(ca.Key) }

// issue signs tmpl (a leaf) with the CA, after checking the CA can cover the validity:
// a leaf's end is clamped to the CA's, since nothing it signs outlives it.
func (ca *CA) issue(tmpl *x509.Certificate, pub *ecdsa.PublicKey) (*x509.Certificate, error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, errors.New("CA has no certificate or key")
	}
	if !tmpl.NotBefore.Before(ca.Cert.NotAfter) {
		return nil, fmt.Errorf("CA %q expired at %s, before the certificate would start (%s)",
			ca.Cert.Subject.CommonName, ca.Cert.NotAfter.Format(time.RFC3339), tmpl.NotBefore.Format(time.RFC3339))
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.BasicConstraintsValid = true
	return createCert(tmpl, ca.Cert, pub, ca.Key)
}

func createCert(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, lowSSigner{signer})
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing signed certificate: %w", err)
	}
	return cert, nil
}

func newSerial() (*big.Int, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: generating serial number: %w", err)
	}
	return serial, nil
}

// lowSSigner signs with S in the lower half of the curve order. Fabric's MSP rewrites a
// certificate whose signature has a high S ("sanitising" it), so the identity bytes Fabric
// compares would differ from the bytes issued here; signing low-S keeps them identical.
type lowSSigner struct{ key *ecdsa.PrivateKey }

// Public returns the signer's public key (crypto.Signer).
func (s lowSSigner) Public() crypto.PublicKey { return &s.key.PublicKey }

// Sign signs digest with ECDSA and returns the ASN.1 signature with a low S (crypto.Signer).
func (s lowSSigner) Sign(r io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	sig, err := ecdsa.SignASN1(r, s.key, digest)
	if err != nil {
		return nil, err
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		return nil, err
	}
	n := s.key.Curve.Params().N
	if rs.S.Cmp(new(big.Int).Rsh(n, 1)) <= 0 {
		return sig, nil
	}
	rs.S.Sub(n, rs.S)
	return asn1.Marshal(rs)
}

// IsLowS reports whether cert's ECDSA signature has S in the lower half of the curve
// order, the form Fabric's MSP expects. It returns false for non-ECDSA signatures.
func IsLowS(cert *x509.Certificate) bool {
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(cert.Signature, &rs); err != nil || rs.S == nil {
		return false
	}
	return rs.S.Cmp(new(big.Int).Rsh(elliptic.P256().Params().N, 1)) <= 0
}
