package pki

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewOrg(t *testing.T) {
	org := newTestOrg(t, Settings{CAValidity: 48 * time.Hour})
	for _, tc := range []struct {
		ca   *CA
		want string
	}{{org.SignCA, "ca.hospital1.medledger.local"}, {org.TLSCA, "tlsca.hospital1.medledger.local"}} {
		if tc.ca.Cert.Subject.CommonName != tc.want {
			t.Errorf("CN = %q, want %q", tc.ca.Cert.Subject.CommonName, tc.want)
		}
		if !tc.ca.Cert.NotAfter.Equal(t0.Add(48 * time.Hour)) {
			t.Errorf("%s NotAfter = %s, want clock + CAValidity", tc.want, tc.ca.Cert.NotAfter)
		}
	}
	if org.SignCA.Key.Equal(org.TLSCA.Key) {
		t.Error("signing and TLS CA share a key")
	}
}

func TestNewOrg_Errors(t *testing.T) {
	tests := []struct {
		name string
		cfg  OrgConfig
		want string
	}{
		{"no MSP ID", OrgConfig{Domain: "h.local"}, "MSP ID is empty"},
		{"bad domain", OrgConfig{MSPID: "H", Domain: "h_1.local"}, `label "h_1"`},
		{"empty domain", OrgConfig{MSPID: "H"}, "DNS name is empty"},
		{"negative validity", OrgConfig{MSPID: "H", Domain: "h.local", Settings: Settings{Validity: -time.Hour}}, "negative validity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewOrg(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNewOrgFromCAs_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	if _, err := NewOrgFromCAs("H", "h.local", org.SignCA, org.TLSCA, Settings{}); err != nil {
		t.Fatalf("valid CAs: %v", err)
	}
	_, err := NewOrgFromCAs("H", "h.local", org.SignCA, nil, Settings{})
	if err == nil || !strings.Contains(err.Error(), "signing CA and TLS CA are both required") {
		t.Fatalf("err = %v", err)
	}
}

func TestOrg_NewNode(t *testing.T) {
	org := newTestOrg(t, Settings{Validity: 2 * time.Hour})
	n, err := org.NewNode(NodeRequest{
		Host: "peer0.hospital1.medledger.local", Role: RolePeer,
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if role, err := org.VerifyIdentity(n.Identity.Cert, t0); err != nil || role != RolePeer {
		t.Fatalf("VerifyIdentity = %q, %v", role, err)
	}
	for _, u := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if err := org.VerifyTLS(n.TLS.Cert, t0, u); err != nil {
			t.Errorf("VerifyTLS(%v): %v", u, err)
		}
	}
	if got := strings.Join(n.TLS.Cert.DNSNames, ","); got != "peer0.hospital1.medledger.local,localhost" {
		t.Errorf("DNS SANs = %s", got)
	}
	if !n.TLS.Cert.NotAfter.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("TLS NotAfter = %s, want clock + Validity", n.TLS.Cert.NotAfter)
	}
	// The identity is signed by the signing CA, never by the TLS CA, and vice versa.
	if err := org.VerifyTLS(n.Identity.Cert, t0, x509.ExtKeyUsageAny); err == nil {
		t.Error("identity verifies against the TLS CA")
	}
	if _, err := org.VerifyIdentity(n.TLS.Cert, t0); err == nil {
		t.Error("TLS certificate verifies as an MSP identity")
	}
}

func TestOrg_NewNode_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	tests := []struct {
		name string
		req  NodeRequest
		want string
	}{
		{"admin role", NodeRequest{Host: "p.h.local", Role: RoleAdmin}, `role "admin" is not peer or orderer`},
		{"bad host", NodeRequest{Host: "p 0.h.local", Role: RolePeer}, `label "p 0"`},
		{"bad extra SAN", NodeRequest{Host: "p.h.local", Role: RolePeer, DNSNames: []string{"a..b"}}, "empty label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := org.NewNode(tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOrg_NewUser(t *testing.T) {
	org := newTestOrg(t, Settings{})
	u, err := org.NewUser(UserRequest{Name: "alice", Role: RoleClient, Attrs: map[string]string{"role": "clinician", "onDuty": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "alice@hospital1.medledger.local" || u.Identity.Cert.Subject.CommonName != u.Name {
		t.Errorf("name = %q, CN = %q", u.Name, u.Identity.Cert.Subject.CommonName)
	}
	attrs, err := Attributes(u.Identity.Cert)
	if err != nil || attrs["role"] != "clinician" || attrs["onDuty"] != "true" {
		t.Errorf("attributes = %v, %v", attrs, err)
	}
	if err := org.VerifyTLS(u.TLS.Cert, t0, x509.ExtKeyUsageClientAuth); err != nil {
		t.Error(err)
	}
	if err := org.VerifyTLS(u.TLS.Cert, t0, x509.ExtKeyUsageServerAuth); err == nil {
		t.Error("a user's TLS certificate is valid for server use")
	}
}

func TestOrg_NewUser_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	tests := []struct {
		name string
		req  UserRequest
		want string
	}{
		{"no name", UserRequest{Role: RoleClient}, "user name is empty"},
		{"slash", UserRequest{Name: "a/b", Role: RoleClient}, `holds '/'`},
		{"at sign", UserRequest{Name: "a@b", Role: RoleClient}, `holds '@'`},
		{"dot dot", UserRequest{Name: "..", Role: RoleClient}, "is not allowed"},
		{"peer role", UserRequest{Name: "a", Role: RolePeer}, `role "peer" is not admin or client`},
		{"empty attribute", UserRequest{Name: "a", Role: RoleClient, Attrs: map[string]string{"": "x"}}, "attribute name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := org.NewUser(tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOrg_VerifyIdentity_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	other := newTestOrg(t, Settings{})
	// An organisation whose clock ran two years ago: its leaves (1 year) have expired by t0.
	past := newTestOrg(t, Settings{Clock: fixedClock(t0.Add(-2 * 365 * 24 * time.Hour))})
	// A CA that expired: its own validity is shorter than the leaf's view of "now".
	shortCA := newTestOrg(t, Settings{CAValidity: time.Hour, Validity: time.Hour})

	good, _ := org.NewUser(UserRequest{Name: "a", Role: RoleAdmin})
	stale, _ := past.NewUser(UserRequest{Name: "a", Role: RoleAdmin})
	short, _ := shortCA.NewUser(UserRequest{Name: "a", Role: RoleAdmin})
	twoOUs, _ := org.SignCA.IssueIdentity(IdentityRequest{CommonName: "x", Role: RolePeer, Validity: ValidFor(t0, time.Hour)})
	twoOUs.Cert.Subject.OrganizationalUnit = append(twoOUs.Cert.Subject.OrganizationalUnit, "client")

	tests := []struct {
		name string
		org  *Org
		cert *x509.Certificate
		at   time.Time
		want string
	}{
		{"expired leaf", past, stale.Identity.Cert, t0, "expired at"},
		{"not yet valid", org, good.Identity.Cert, t0.Add(-time.Hour), "is not valid before"},
		{"expired CA", shortCA, short.Identity.Cert, t0.Add(90 * time.Minute), "expired at"},
		{"foreign CA", other, good.Identity.Cert, t0, "does not verify against"},
		{"two roles", org, twoOUs.Cert, t0, "carries 2 NodeOU roles"},
		{"nil", org, nil, t0, "certificate is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.org.VerifyIdentity(tt.cert, tt.at)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOrg_NodeFiles(t *testing.T) {
	org := newTestOrg(t, Settings{})
	n, err := org.NewNode(NodeRequest{Host: "peer0.hospital1.medledger.local", Role: RolePeer})
	if err != nil {
		t.Fatal(err)
	}
	f, err := org.NodeFiles(n)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"msp/cacerts/ca.hospital1.medledger.local-cert.pem",
		"msp/config.yaml",
		"msp/keystore/priv_sk",
		"msp/signcerts/peer0.hospital1.medledger.local-cert.pem",
		"msp/tlscacerts/tlsca.hospital1.medledger.local-cert.pem",
		"tls/ca.crt",
		"tls/server.crt",
		"tls/server.key",
	}
	if got := strings.Join(f.Paths(), "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("paths:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	// Contents round-trip to the issued material.
	kp, err := ParseKeyPair(f["msp/signcerts/peer0.hospital1.medledger.local-cert.pem"], f["msp/keystore/priv_sk"])
	if err != nil || !kp.Cert.Equal(n.Identity.Cert) {
		t.Fatalf("signcerts/keystore do not hold the identity: %v", err)
	}
	if _, err := ParseKeyPair(f["tls/server.crt"], f["tls/server.key"]); err != nil {
		t.Fatal(err)
	}
	if ca, err := ParseCert(f["tls/ca.crt"]); err != nil || !ca.Equal(org.TLSCA.Cert) {
		t.Fatalf("tls/ca.crt is not the TLS CA: %v", err)
	}
	if ca, err := ParseCert(f["msp/cacerts/ca.hospital1.medledger.local-cert.pem"]); err != nil || !ca.Equal(org.SignCA.Cert) {
		t.Fatalf("cacerts is not the signing CA: %v", err)
	}
	if !strings.Contains(string(f["msp/config.yaml"]), "Certificate: cacerts/ca.hospital1.medledger.local-cert.pem") {
		t.Errorf("config.yaml does not bind NodeOUs to the CA:\n%s", f["msp/config.yaml"])
	}
}

func TestOrg_UserFiles(t *testing.T) {
	org := newTestOrg(t, Settings{})
	u, _ := org.NewUser(UserRequest{Name: "Admin", Role: RoleAdmin})
	f, err := org.UserFiles(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"msp/signcerts/Admin@hospital1.medledger.local-cert.pem", "msp/keystore/priv_sk", "tls/client.crt", "tls/client.key", "tls/ca.crt"} {
		if _, ok := f[p]; !ok {
			t.Errorf("missing %s in %v", p, f.Paths())
		}
	}
	// With admin certs, the MSP lists them too (optional with NodeOUs).
	msp := org.MSP(u.Identity.Cert)
	if _, ok := msp["admincerts/Admin@hospital1.medledger.local-cert.pem"]; !ok {
		t.Errorf("admincerts missing: %v", msp.Paths())
	}
	for _, p := range msp.Paths() {
		if IsSecretPath(p) {
			t.Errorf("verifying MSP holds secret %s", p)
		}
	}
}

func TestOrg_LocalMSP_Errors(t *testing.T) {
	org := newTestOrg(t, Settings{})
	other := newTestOrg(t, Settings{})
	foreign, _ := other.NewUser(UserRequest{Name: "x", Role: RoleClient})
	tests := []struct {
		name string
		id   *KeyPair
		want string
	}{
		{"nil", nil, "no certificate or key"},
		{"no key", &KeyPair{Cert: foreign.Identity.Cert}, "no certificate or key"},
		{"foreign", foreign.Identity, "is not issued by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := org.LocalMSP(tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNodeOUsConfig(t *testing.T) {
	got := string(NodeOUsConfig("cacerts/ca.pem"))
	want := `NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: orderer
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestFiles_WriteDir(t *testing.T) {
	dir := t.TempDir()
	f := Files{"msp/keystore/priv_sk": []byte("k"), "tls/server.key": []byte("k"), "tls/server.crt": []byte("c")}
	if err := f.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	// Writing again over a world-readable file still leaves the key private.
	if err := os.Chmod(filepath.Join(dir, "tls/server.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for p, mode := range map[string]os.FileMode{"msp/keystore/priv_sk": 0o600, "tls/server.key": 0o600, "tls/server.crt": 0o644} {
		st, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s mode = %v, want %v", p, st.Mode().Perm(), mode)
		}
	}
}

func TestFiles_WriteDir_Errors(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{"absolute", "/etc/passwd"},
		{"escapes", "../x"},
		{"not clean", "a//b"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := Files{"a/ok.pem": []byte("x"), tt.path: []byte("x")}
			err := f.WriteDir(dir)
			if err == nil || !strings.Contains(err.Error(), "is not a clean relative path") {
				t.Fatalf("err = %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("a bad tree wrote %d entries", len(entries))
			}
		})
	}
}

func TestFiles_Sub(t *testing.T) {
	f := Files{"a/b/c": []byte("1"), "a/d": []byte("2"), "ab/e": []byte("3")}
	got := f.Sub("a")
	if len(got) != 2 || string(got["b/c"]) != "1" || string(got["d"]) != "2" {
		t.Fatalf("Sub = %v", got.Paths())
	}
}

// TestOrg_MutualTLS runs a real TLS 1.3 handshake on loopback between a node's server
// certificate and a user's client certificate, each trusting the organisation's TLS CA.
func TestOrg_MutualTLS(t *testing.T) {
	org := newTestOrg(t, Settings{Clock: time.Now})
	node, err := org.NewNode(NodeRequest{Host: "orderer0.orderer.medledger.local", Role: RoleOrderer, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := org.NewUser(UserRequest{Name: "Admin", Role: RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(org.TLSCA.Cert)
	pair := func(kp *KeyPair) tls.Certificate {
		return tls.Certificate{Certificate: [][]byte{kp.Cert.Raw}, PrivateKey: kp.Key, Leaf: kp.Cert}
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{pair(node.TLS)}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peerCN := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // listener closed
			}
			tc := c.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				peerCN <- "handshake: " + err.Error()
			} else {
				peerCN <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
			}
			c.Close()
		}
	}()
	// The node's certificate is valid for its host name and for the IP SAN.
	for _, serverName := range []string{"orderer0.orderer.medledger.local", "127.0.0.1"} {
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: serverName, Certificates: []tls.Certificate{pair(admin.TLS)}})
		if err != nil {
			t.Fatalf("dial as %s: %v", serverName, err)
		}
		conn.Close()
		if got := <-peerCN; got != "Admin@hospital1.medledger.local" {
			t.Fatalf("dial as %s: server saw client %q", serverName, got)
		}
	}
	// A name that is not in the SANs is refused by the client.
	_, err = tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "peer9.example.com"})
	if err == nil || !strings.Contains(err.Error(), "certificate is valid for") {
		t.Fatalf("dial with a foreign name: %v", err)
	}
}
