package network

import (
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

func TestGenerateCrypto(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	c := consortium()
	cr, err := GenerateCrypto(c, CryptoOptions{
		PKI:      pki.Settings{Clock: func() time.Time { return now }, Validity: 30 * 24 * time.Hour},
		AllNodes: SANs{DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}},
		Nodes:    map[string]SANs{"peer0.hospital1.medledger.local": {DNSNames: []string{"peer0-hospital1.medledger.svc.cluster.local"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cr.Orgs) != 3 || cr.Orgs[0].Org.Kind != OrdererOrgKind {
		t.Fatalf("orgs = %d", len(cr.Orgs))
	}
	h1 := cr.Org("hospital1")
	if h1 == nil || cr.Org("nope") != nil {
		t.Fatal("Org lookup")
	}
	peer0, owner := cr.Node("peer0.hospital1.medledger.local")
	if peer0 == nil || owner != h1 {
		t.Fatal("Node lookup")
	}
	if got := strings.Join(peer0.TLS.Cert.DNSNames, ","); got != "peer0.hospital1.medledger.local,localhost,peer0-hospital1.medledger.svc.cluster.local" {
		t.Errorf("peer0 DNS SANs = %s", got)
	}
	if len(peer0.TLS.Cert.IPAddresses) != 1 || !peer0.TLS.Cert.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
		t.Errorf("peer0 IP SANs = %v", peer0.TLS.Cert.IPAddresses)
	}
	peer1, _ := cr.Node("peer1.hospital1.medledger.local")
	if strings.Contains(strings.Join(peer1.TLS.Cert.DNSNames, ","), "svc.cluster.local") {
		t.Error("a per-node SAN leaked to another node")
	}
	// Every identity verifies against its own organisation with the right NodeOU.
	for _, oc := range cr.Orgs {
		for host, n := range oc.Nodes {
			role, err := oc.CA.VerifyIdentity(n.Identity.Cert, now)
			if err != nil || role != n.Role {
				t.Errorf("%s: role %q, %v", host, role, err)
			}
			if err := oc.CA.VerifyTLS(n.TLS.Cert, now, x509.ExtKeyUsageServerAuth); err != nil {
				t.Errorf("%s TLS: %v", host, err)
			}
			if !n.TLS.Cert.NotAfter.Equal(now.Add(30 * 24 * time.Hour)) {
				t.Errorf("%s NotAfter = %s", host, n.TLS.Cert.NotAfter)
			}
		}
		if role, err := oc.CA.VerifyIdentity(oc.Admin().Identity.Cert, now); err != nil || role != pki.RoleAdmin {
			t.Errorf("%s admin: %q %v", oc.Org.Name, role, err)
		}
	}
	alice := h1.Users["alice"]
	attrs, err := pki.Attributes(alice.Identity.Cert)
	if err != nil || attrs["role"] != "clinician" || alice.Role != pki.RoleClient {
		t.Errorf("alice: %v %v %q", attrs, err, alice.Role)
	}
	// Organisations do not trust each other's identities.
	if _, err := cr.Org("hospital2").CA.VerifyIdentity(alice.Identity.Cert, now); err == nil {
		t.Error("hospital2 accepts hospital1's user")
	}
}

func TestGenerateCrypto_Errors(t *testing.T) {
	tests := []struct {
		name string
		opts CryptoOptions
		want string
	}{
		{"SANs for unknown node", CryptoOptions{Nodes: map[string]SANs{"peer7.hospital1.medledger.local": {}}}, `SANs given for "peer7.hospital1.medledger.local", which is not a node`},
		{"bad SAN", CryptoOptions{AllNodes: SANs{DNSNames: []string{"bad_name"}}}, `label "bad_name"`},
		{"negative validity", CryptoOptions{PKI: pki.Settings{Validity: -time.Hour}}, "negative validity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr, err := GenerateCrypto(consortium(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || cr != nil {
				t.Fatalf("GenerateCrypto = %v, %v; want error containing %q", cr, err, tt.want)
			}
		})
	}
}

func TestIssueOrgCrypto_Errors(t *testing.T) {
	orgs, _ := consortium().Orgs()
	ca, err := pki.NewOrg(pki.OrgConfig{MSPID: "Hospital1MSP", Domain: "hospital1.medledger.local"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := IssueOrgCrypto(orgs[1], ca, CryptoOptions{}); err != nil {
		t.Fatalf("matching CAs: %v", err)
	}
	_, err = IssueOrgCrypto(orgs[2], ca, CryptoOptions{})
	if err == nil || !strings.Contains(err.Error(), "CAs of Hospital1MSP (hospital1.medledger.local) do not belong to Hospital2MSP") {
		t.Fatalf("err = %v", err)
	}
}

func TestCrypto_Files(t *testing.T) {
	c := consortium()
	cr, err := GenerateCrypto(c, CryptoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := cr.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ordererOrganizations/orderer.medledger.local/ca/ca.orderer.medledger.local-cert.pem",
		"ordererOrganizations/orderer.medledger.local/ca/priv_sk",
		"ordererOrganizations/orderer.medledger.local/tlsca/tlsca.orderer.medledger.local-cert.pem",
		"ordererOrganizations/orderer.medledger.local/msp/config.yaml",
		"ordererOrganizations/orderer.medledger.local/msp/cacerts/ca.orderer.medledger.local-cert.pem",
		"ordererOrganizations/orderer.medledger.local/msp/tlscacerts/tlsca.orderer.medledger.local-cert.pem",
		"ordererOrganizations/orderer.medledger.local/orderers/orderer2.orderer.medledger.local/tls/server.key",
		"ordererOrganizations/orderer.medledger.local/orderers/orderer2.orderer.medledger.local/msp/signcerts/orderer2.orderer.medledger.local-cert.pem",
		"ordererOrganizations/orderer.medledger.local/users/Admin@orderer.medledger.local/tls/client.crt",
		"peerOrganizations/hospital1.medledger.local/peers/peer1.hospital1.medledger.local/msp/keystore/priv_sk",
		"peerOrganizations/hospital1.medledger.local/users/alice@hospital1.medledger.local/msp/signcerts/alice@hospital1.medledger.local-cert.pem",
		"peerOrganizations/hospital2.medledger.local/users/Admin@hospital2.medledger.local/msp/config.yaml",
	}
	for _, p := range want {
		if _, ok := files[p]; !ok {
			t.Errorf("missing %s", p)
		}
	}
	// The organisation's verifying MSP holds no private key.
	for _, p := range files.Paths() {
		if strings.Contains(p, "/msp/") && !strings.Contains(p, "/peers/") && !strings.Contains(p, "/orderers/") && !strings.Contains(p, "/users/") && pki.IsSecretPath(p) {
			t.Errorf("verifying MSP holds a key: %s", p)
		}
	}

	// The path helpers point into the written tree.
	root := t.TempDir()
	if err := files.WriteDir(root); err != nil {
		t.Fatal(err)
	}
	orgs, _ := c.Orgs()
	ord, h1 := orgs[0], orgs[1]
	tls := h1.NodeTLS(root, h1.Nodes[0])
	admin := ord.UserTLS(root, AdminUser)
	for _, p := range []string{
		h1.NodeMSPDir(root, h1.Nodes[0]), tls.CertFile, tls.KeyFile, tls.RootCAFile,
		h1.UserMSPDir(root, "alice"), admin.CertFile, admin.KeyFile, admin.RootCAFile, ord.TLSCAFile(root),
	} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("path helper: %v", err)
		}
	}
	if st, _ := os.Stat(filepath.Join(root, "ordererOrganizations/orderer.medledger.local/ca/priv_sk")); st == nil || st.Mode().Perm() != 0o600 {
		t.Error("CA key is not mode 0600")
	}
	kp, err := pki.ParseKeyPair(mustRead(t, tls.CertFile), mustRead(t, tls.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := cr.Node(h1.Nodes[0].Host); !kp.Cert.Equal(n.TLS.Cert) {
		t.Error("NodeTLS does not point at the node's certificate")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
