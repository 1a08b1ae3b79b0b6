package pki

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net"
	"strings"
	"testing"
	"time"
)

// t0 is a fixed "now" so that validity assertions are exact.
var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newTestOrg(t *testing.T, s Settings) *Org {
	t.Helper()
	if s.Clock == nil {
		s.Clock = fixedClock(t0)
	}
	o, err := NewOrg(OrgConfig{MSPID: "Hospital1MSP", Domain: "hospital1.medledger.local", Settings: s})
	if err != nil {
		t.Fatalf("NewOrg: %v", err)
	}
	return o
}

func TestNewCA(t *testing.T) {
	v := ValidFor(t0, time.Hour)
	ca, err := NewCA(CAConfig{CommonName: "ca.example.local", Organization: "example.local", Validity: v})
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Cert
	checks := []struct {
		name string
		ok   bool
	}{
		{"is CA", c.IsCA && c.BasicConstraintsValid},
		{"self-signed", c.CheckSignatureFrom(c) == nil},
		{"cert sign usage", c.KeyUsage&x509.KeyUsageCertSign != 0},
		{"CRL sign usage", c.KeyUsage&x509.KeyUsageCRLSign != 0},
		{"P-256", c.PublicKey.(*ecdsa.PublicKey).Curve == elliptic.P256()},
		{"subject key id", len(c.SubjectKeyId) > 0},
		{"CN", c.Subject.CommonName == "ca.example.local"},
		{"O", len(c.Subject.Organization) == 1 && c.Subject.Organization[0] == "example.local"},
		{"not before backdated", c.NotBefore.Equal(t0.Add(-Backdate))},
		{"not after", c.NotAfter.Equal(t0.Add(time.Hour))},
		{"low S", IsLowS(c)},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: failed", ch.name)
		}
	}
}

func TestNewCA_Errors(t *testing.T) {
	tests := []struct {
		name string
		cfg  CAConfig
		want string
	}{
		{"no CN", CAConfig{Validity: ValidFor(t0, time.Hour)}, "common name is empty"},
		{"no validity", CAConfig{CommonName: "ca"}, "validity period is not set"},
		{"inverted validity", CAConfig{CommonName: "ca", Validity: Validity{NotBefore: t0, NotAfter: t0.Add(-time.Second)}}, "before it starts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCA(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseCA(t *testing.T) {
	ca, err := NewCA(CAConfig{CommonName: "ca.x", Validity: ValidFor(t0, time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := ca.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseCA(ca.CertPEM(), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cert.Equal(ca.Cert) || !got.Key.Equal(ca.Key) {
		t.Fatal("round trip changed the CA")
	}
	// A parsed CA issues certificates that verify against the original.
	kp, err := got.IssueIdentity(IdentityRequest{CommonName: "u", Role: RoleClient, Validity: ValidFor(t0, time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := kp.Cert.CheckSignatureFrom(ca.Cert); err != nil {
		t.Fatal(err)
	}
}

func TestParseCA_Errors(t *testing.T) {
	v := ValidFor(t0, time.Hour)
	ca, _ := NewCA(CAConfig{CommonName: "ca.x", Validity: v})
	other, _ := NewCA(CAConfig{CommonName: "ca.y", Validity: v})
	leaf, _ := ca.IssueIdentity(IdentityRequest{CommonName: "leaf", Role: RolePeer, Validity: v})
	caKey, _ := ca.KeyPEM()
	otherKey, _ := other.KeyPEM()
	leafKey, _ := leaf.KeyPEM()
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKCS8PrivateKey(edKey)
	edPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER})
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384PEM, _ := EncodeKey(p384)

	tests := []struct {
		name      string
		cert, key []byte
		want      string
	}{
		{"empty cert", nil, caKey, "no PEM certificate"},
		{"garbage cert", []byte("hello"), caKey, "no PEM certificate"},
		{"key as cert", caKey, caKey, `is "PRIVATE KEY", want CERTIFICATE`},
		{"trailing data", append(ca.CertPEM(), "junk"...), caKey, "non-PEM data"},
		{"two certs", append(ca.CertPEM(), other.CertPEM()...), caKey, "expected one PEM certificate, found 2"},
		{"empty key", ca.CertPEM(), nil, "no PEM private key"},
		{"cert as key", ca.CertPEM(), ca.CertPEM(), `is "CERTIFICATE", want PRIVATE KEY`},
		{"ed25519 key", ca.CertPEM(), edPEM, "want ECDSA"},
		{"P-384 key", ca.CertPEM(), p384PEM, "want P-256"},
		{"mismatched key", ca.CertPEM(), otherKey, "key does not match"},
		{"leaf is not a CA", leaf.CertPEM(), leafKey, "is not a CA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCA(tt.cert, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCA_IssueIdentity(t *testing.T) {
	org := newTestOrg(t, Settings{})
	tests := []struct {
		name  string
		role  Role
		attrs map[string]string
	}{
		{"peer", RolePeer, nil},
		{"orderer", RoleOrderer, nil},
		{"admin", RoleAdmin, nil},
		{"client with attributes", RoleClient, map[string]string{"role": "clinician", "onDuty": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := org.SignCA.IssueIdentity(IdentityRequest{
				CommonName: "id." + string(tt.role), Role: tt.role, Attrs: tt.attrs, Validity: ValidFor(t0, time.Hour),
			})
			if err != nil {
				t.Fatal(err)
			}
			role, err := org.VerifyIdentity(kp.Cert, t0)
			if err != nil {
				t.Fatal(err)
			}
			if role != tt.role {
				t.Errorf("role = %q, want %q", role, tt.role)
			}
			if len(kp.Cert.ExtKeyUsage) != 0 {
				t.Errorf("identity has extended key usages %v; Fabric's MSP validates with the default usage", kp.Cert.ExtKeyUsage)
			}
			if kp.Cert.KeyUsage != x509.KeyUsageDigitalSignature {
				t.Errorf("key usage = %v, want digital signature only", kp.Cert.KeyUsage)
			}
			if !IsLowS(kp.Cert) {
				t.Error("signature is not low-S")
			}
			attrs, err := Attributes(kp.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if len(attrs) != len(tt.attrs) {
				t.Fatalf("attributes = %v, want %v", attrs, tt.attrs)
			}
			for k, v := range tt.attrs {
				if attrs[k] != v {
					t.Errorf("attribute %q = %q, want %q", k, attrs[k], v)
				}
			}
		})
	}
}

func TestCA_IssueIdentity_AttributeEncoding(t *testing.T) {
	org := newTestOrg(t, Settings{})
	kp, err := org.SignCA.IssueIdentity(IdentityRequest{
		CommonName: "alice", Role: RoleClient, Validity: ValidFor(t0, time.Hour),
		Attrs: map[string]string{"role": "clinician", "onDuty": "true"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range kp.Cert.Extensions {
		if ext.Id.Equal(AttrsOID) {
			if ext.Critical {
				t.Error("attribute extension is critical; Fabric CA marks it non-critical")
			}
			// The exact Fabric CA wire form: raw JSON, keys sorted.
			if got, want := string(ext.Value), `{"attrs":{"onDuty":"true","role":"clinician"}}`; got != want {
				t.Errorf("extension value = %s, want %s", got, want)
			}
			return
		}
	}
	t.Fatal("attribute extension 1.2.3.4.5.6.7.8.1 missing")
}

func TestCA_IssueIdentity_Errors(t *testing.T) {
	v := ValidFor(t0, time.Hour)
	ca, _ := NewCA(CAConfig{CommonName: "ca.x", Validity: v})
	expired, _ := NewCA(CAConfig{CommonName: "ca.old", Validity: ValidFor(t0.Add(-48*time.Hour), time.Hour)})
	tests := []struct {
		name string
		ca   *CA
		req  IdentityRequest
		want string
	}{
		{"no CN", ca, IdentityRequest{Role: RolePeer, Validity: v}, "common name is empty"},
		{"no role", ca, IdentityRequest{CommonName: "x", Validity: v}, `role "" is not one of`},
		{"bad role", ca, IdentityRequest{CommonName: "x", Role: "member", Validity: v}, `role "member" is not one of`},
		{"no validity", ca, IdentityRequest{CommonName: "x", Role: RolePeer}, "validity period is not set"},
		{"empty attribute name", ca, IdentityRequest{CommonName: "x", Role: RoleClient, Validity: v, Attrs: map[string]string{"": "v"}}, "attribute name is empty"},
		{"expired CA", expired, IdentityRequest{CommonName: "x", Role: RolePeer, Validity: v}, `CA "ca.old" expired`},
		{"CA without key", &CA{Cert: ca.Cert}, IdentityRequest{CommonName: "x", Role: RolePeer, Validity: v}, "no certificate or key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := tt.ca.IssueIdentity(tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if kp != nil {
				t.Fatal("a key pair was returned with the error")
			}
		})
	}
}

func TestCA_IssueIdentity_ClampsToCAExpiry(t *testing.T) {
	ca, _ := NewCA(CAConfig{CommonName: "ca.short", Validity: ValidFor(t0, time.Hour)})
	kp, err := ca.IssueIdentity(IdentityRequest{CommonName: "x", Role: RolePeer, Validity: ValidFor(t0, 24*time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !kp.Cert.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Fatalf("NotAfter = %s, want the CA's %s", kp.Cert.NotAfter, ca.Cert.NotAfter)
	}
}

func TestCA_IssueTLS(t *testing.T) {
	org := newTestOrg(t, Settings{})
	v := ValidFor(t0, time.Hour)
	tests := []struct {
		name    string
		req     TLSRequest
		wantEKU []x509.ExtKeyUsage
		wantDNS []string
		wantIPs []string
	}{
		{
			name:    "server and client with IP",
			req:     TLSRequest{CommonName: "peer0", DNSNames: []string{"peer0.h.local", "localhost", "LOCALHOST"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("127.0.0.1")}, Server: true, Client: true, Validity: v},
			wantEKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			wantDNS: []string{"peer0.h.local", "localhost"},
			wantIPs: []string{"127.0.0.1"},
		},
		{
			name:    "client only without SAN",
			req:     TLSRequest{CommonName: "Admin@h.local", Client: true, Validity: v},
			wantEKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		},
		{
			name:    "wildcard and IPv6",
			req:     TLSRequest{CommonName: "svc", DNSNames: []string{"*.svc.cluster.local"}, IPAddresses: []net.IP{net.ParseIP("::1")}, Server: true, Validity: v},
			wantEKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			wantDNS: []string{"*.svc.cluster.local"},
			wantIPs: []string{"::1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := org.TLSCA.IssueTLS(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			c := kp.Cert
			if strings.Join(c.DNSNames, ",") != strings.Join(tt.wantDNS, ",") {
				t.Errorf("DNS SANs = %v, want %v", c.DNSNames, tt.wantDNS)
			}
			var ips []string
			for _, ip := range c.IPAddresses {
				ips = append(ips, ip.String())
			}
			if strings.Join(ips, ",") != strings.Join(tt.wantIPs, ",") {
				t.Errorf("IP SANs = %v, want %v", ips, tt.wantIPs)
			}
			if len(c.ExtKeyUsage) != len(tt.wantEKU) {
				t.Fatalf("EKU = %v, want %v", c.ExtKeyUsage, tt.wantEKU)
			}
			for i := range tt.wantEKU {
				if c.ExtKeyUsage[i] != tt.wantEKU[i] {
					t.Errorf("EKU = %v, want %v", c.ExtKeyUsage, tt.wantEKU)
				}
			}
			for _, u := range tt.wantEKU {
				if err := org.VerifyTLS(c, t0, u); err != nil {
					t.Errorf("VerifyTLS(%v): %v", u, err)
				}
			}
			for _, name := range tt.wantDNS {
				if name[0] != '*' {
					if err := c.VerifyHostname(name); err != nil {
						t.Errorf("VerifyHostname(%q): %v", name, err)
					}
				}
			}
			for _, ip := range tt.wantIPs {
				if err := c.VerifyHostname(ip); err != nil {
					t.Errorf("VerifyHostname(%q): %v", ip, err)
				}
			}
		})
	}
}

func TestCA_IssueTLS_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	v := ValidFor(t0, time.Hour)
	tests := []struct {
		name string
		req  TLSRequest
		want string
	}{
		{"no CN", TLSRequest{DNSNames: []string{"a"}, Server: true, Validity: v}, "common name is empty"},
		{"no usage", TLSRequest{CommonName: "a", DNSNames: []string{"a"}, Validity: v}, "neither server nor client"},
		{"server without SAN", TLSRequest{CommonName: "a", Server: true, Validity: v}, "at least one DNS name or IP"},
		{"bad DNS label", TLSRequest{CommonName: "a", DNSNames: []string{"peer_0.h.local"}, Server: true, Validity: v}, `label "peer_0" holds '_'`},
		{"empty DNS label", TLSRequest{CommonName: "a", DNSNames: []string{"peer0..local"}, Server: true, Validity: v}, "empty label"},
		{"hyphen edge", TLSRequest{CommonName: "a", DNSNames: []string{"-peer0.local"}, Server: true, Validity: v}, "starts or ends with a hyphen"},
		{"wildcard not first", TLSRequest{CommonName: "a", DNSNames: []string{"a.*.local"}, Server: true, Validity: v}, `label "*"`},
		{"malformed IP", TLSRequest{CommonName: "a", IPAddresses: []net.IP{{1, 2, 3}}, Server: true, Validity: v}, "IP address [1 2 3] is malformed"},
		{"no validity", TLSRequest{CommonName: "a", DNSNames: []string{"a"}, Server: true}, "validity period is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := org.TLSCA.IssueTLS(tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseKeyPair_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	a, _ := org.NewUser(UserRequest{Name: "a", Role: RoleClient})
	b, _ := org.NewUser(UserRequest{Name: "b", Role: RoleClient})
	bKey, _ := b.Identity.KeyPEM()
	aKey, _ := a.Identity.KeyPEM()
	if _, err := ParseKeyPair(a.Identity.CertPEM(), aKey); err != nil {
		t.Fatalf("matching pair: %v", err)
	}
	_, err := ParseKeyPair(a.Identity.CertPEM(), bKey)
	if err == nil || !strings.Contains(err.Error(), "key does not match") {
		t.Fatalf("err = %v, want key mismatch", err)
	}
}
