package hospital

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// With spec.identity.source CertManager, a cert-manager issuer signs every certificate and cert-manager renews
// them; the operator declares one Certificate per key pair and copies what cert-manager issues into the same
// identity Secrets the other sources use, so the peers do not care where their certificates come from.

// LabelCertificate names, on a Secret cert-manager writes, the Certificate it belongs to; the operator removes
// such Secrets with their Certificate (cert-manager leaves them behind).
const LabelCertificate = "medledger.io/certificate"

// CertManagerGroupVersion is the API of the Certificates the operator declares.
const CertManagerGroupVersion = "cert-manager.io/v1"

// Certificate and Secret names for cert-manager issued key pairs.

// PeerSignCertificateName is peer i's signing (MSP) certificate.
func PeerSignCertificateName(name string, i int) string { return PeerPodName(name, i) + "-sign" }

// PeerTLSCertificateName is peer i's TLS certificate.
func PeerTLSCertificateName(name string, i int) string { return PeerPodName(name, i) + "-tls" }

// AdminSignCertificateName is the admin's signing certificate.
func AdminSignCertificateName(name string) string { return AdminSecretName(name) + "-sign" }

// AdminTLSCertificateName is the admin's TLS client certificate.
func AdminTLSCertificateName(name string) string { return AdminSecretName(name) + "-tls" }

// CertManagerCertificates returns the cert-manager Certificates of every peer (signing with NodeOU "peer", TLS
// for the peer's names as server and client) and of the admin (NodeOU "admin", TLS client), each written by
// cert-manager to a Secret of the same name. Keys are ECDSA P-256 in PKCS#8, as Fabric's MSP expects, and new
// for every renewal.
func CertManagerCertificates(m *Model) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for i, n := range m.Org.Nodes {
		out = append(out,
			m.certificate(PeerSignCertificateName(m.Name, i), n.Host, "peer", nil, "digital signature"),
			m.certificate(PeerTLSCertificateName(m.Name, i), n.Host, "", append([]string{n.Host}, m.PeerDNSNames(i)...),
				"digital signature", "key encipherment", "server auth", "client auth"))
	}
	admin := m.Org.Admin().Name + "@" + m.Org.Domain
	out = append(out,
		m.certificate(AdminSignCertificateName(m.Name), admin, "admin", nil, "digital signature"),
		m.certificate(AdminTLSCertificateName(m.Name), admin, "", nil, "digital signature", "key encipherment", "client auth"))
	return out
}

func (m *Model) certificate(name, commonName, nodeOU string, dnsNames []string, usages ...string) *unstructured.Unstructured {
	labels := Labels(m.Name, ComponentIdentity, "fabric-ca")
	secretLabels := map[string]any{LabelCertificate: name}
	for k, v := range labels {
		secretLabels[k] = v
	}
	spec := map[string]any{
		"secretName":     name,
		"secretTemplate": map[string]any{"labels": secretLabels},
		"commonName":     commonName,
		"duration":       m.CertDuration.String(),
		"renewBefore":    m.RenewBefore.String(),
		"privateKey":     map[string]any{"algorithm": "ECDSA", "size": int64(256), "encoding": "PKCS8", "rotationPolicy": "Always"},
		"usages":         toAny(usages),
		"issuerRef": map[string]any{
			"name": m.CertManager.IssuerRef.Name, "kind": orDefault(m.CertManager.IssuerRef.Kind, "Issuer"),
			"group": orDefault(m.CertManager.IssuerRef.Group, "cert-manager.io"),
		},
	}
	if nodeOU != "" {
		spec["subject"] = map[string]any{"organizationalUnits": []any{nodeOU}}
	}
	if len(dnsNames) > 0 {
		spec["dnsNames"] = toAny(dnsNames)
	}
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion(CertManagerGroupVersion)
	u.SetKind("Certificate")
	u.SetNamespace(m.Namespace)
	u.SetName(name)
	u.SetLabels(labels)
	return u
}

func toAny(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// Errors [CertManagerIdentity] wraps: cert-manager has not yet written some Secrets, or a certificate it wrote
// has expired (cert-manager could not renew it).
var (
	ErrNotIssued = errors.New("not issued yet")
	ErrExpired   = errors.New("certificate expired")
)

func verifyIssued(ca *pki.Org, c *x509.Certificate, now time.Time) error {
	if now.After(c.NotAfter) {
		return fmt.Errorf("%w: %q at %s", ErrExpired, c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
	}
	_, err := ca.VerifyIdentity(c, now)
	return err
}

// CertManagerIdentity assembles the identity from the Secrets cert-manager wrote (tls.crt, tls.key, ca.crt),
// given by name (absent or nil when missing). The CAs are the issuer's certificates (ca.crt of the first peer's
// Secrets), without keys. The revision goes up when a peer's certificate differs from the current identity's:
// cert-manager renewed it, and the peers must roll.
//
// # Errors
//   - a Secret is missing or incomplete: the error wraps ErrNotIssued and names them all;
//   - a signing certificate has expired: the error wraps ErrExpired;
//   - the issuer does not publish its CA certificate (ca.crt);
//   - a key does not match its certificate, or a signing certificate does not chain to the CA or lacks its NodeOU.
func CertManagerIdentity(m *Model, secrets map[string]*corev1.Secret, cur *Identity, now time.Time) (*Identity, error) {
	var pending []string
	for _, c := range CertManagerCertificates(m) {
		s := secrets[c.GetName()]
		if s == nil || len(s.Data[corev1.TLSCertKey]) == 0 || len(s.Data[corev1.TLSPrivateKeyKey]) == 0 {
			pending = append(pending, c.GetName())
		}
	}
	if len(pending) > 0 {
		slices.Sort(pending)
		return nil, fmt.Errorf("certificate Secrets %v: %w", pending, ErrNotIssued)
	}
	signCA, err := issuerCA(secrets[PeerSignCertificateName(m.Name, 0)])
	if err != nil {
		return nil, err
	}
	tlsCA, err := issuerCA(secrets[PeerTLSCertificateName(m.Name, 0)])
	if err != nil {
		return nil, err
	}
	ca, err := pki.NewOrgFromCAs(m.MSPID, m.Org.Domain, &pki.CA{Cert: signCA}, &pki.CA{Cert: tlsCA}, m.pkiSettings(now))
	if err != nil {
		return nil, err
	}
	id := &Identity{CA: ca, Revision: 1}
	if cur != nil && cur.Revision > 0 {
		id.Revision = cur.Revision
	}
	renewed := false
	for i, n := range m.Org.Nodes {
		sign, err := chainPair(secrets[PeerSignCertificateName(m.Name, i)])
		if err != nil {
			return nil, fmt.Errorf("certificate Secret %s: %w", PeerSignCertificateName(m.Name, i), err)
		}
		tls, err := chainPair(secrets[PeerTLSCertificateName(m.Name, i)])
		if err != nil {
			return nil, fmt.Errorf("certificate Secret %s: %w", PeerTLSCertificateName(m.Name, i), err)
		}
		if err := verifyIssued(ca, sign.Cert, now); err != nil {
			return nil, fmt.Errorf("certificate Secret %s: %w", PeerSignCertificateName(m.Name, i), err)
		}
		node := &pki.Node{Host: n.Host, Role: pki.RolePeer, Identity: sign, TLS: tls}
		if cur != nil && i < len(cur.Peers) && cur.Peers[i] != nil && cur.Peers[i].Identity != nil && cur.Peers[i].TLS != nil &&
			(!cur.Peers[i].Identity.Cert.Equal(sign.Cert) || !cur.Peers[i].TLS.Cert.Equal(tls.Cert)) {
			renewed = true
		}
		id.Peers = append(id.Peers, node)
	}
	if renewed {
		id.Revision++
	}
	sign, err := chainPair(secrets[AdminSignCertificateName(m.Name)])
	if err != nil {
		return nil, fmt.Errorf("certificate Secret %s: %w", AdminSignCertificateName(m.Name), err)
	}
	tls, err := chainPair(secrets[AdminTLSCertificateName(m.Name)])
	if err != nil {
		return nil, fmt.Errorf("certificate Secret %s: %w", AdminTLSCertificateName(m.Name), err)
	}
	id.Admin = &pki.User{Name: sign.Cert.Subject.CommonName, Role: pki.RoleAdmin, Identity: sign, TLS: tls}
	return id, nil
}

func issuerCA(s *corev1.Secret) (*x509.Certificate, error) {
	if len(s.Data["ca.crt"]) == 0 {
		return nil, fmt.Errorf("certificate Secret %s has no ca.crt: the issuer does not publish its CA certificate, which Fabric's MSP needs (use a CA or Vault issuer)", s.Name)
	}
	certs, err := pki.ParseCerts(s.Data["ca.crt"])
	if err != nil {
		return nil, fmt.Errorf("certificate Secret %s: ca.crt: %w", s.Name, err)
	}
	return certs[0], nil
}

// chainPair reads tls.crt (the leaf, possibly followed by intermediates) and tls.key.
func chainPair(s *corev1.Secret) (*pki.KeyPair, error) {
	certs, err := pki.ParseCerts(s.Data[corev1.TLSCertKey])
	if err != nil {
		return nil, err
	}
	return pki.ParseKeyPair(pki.EncodeCert(certs[0]), s.Data[corev1.TLSPrivateKeyKey])
}
