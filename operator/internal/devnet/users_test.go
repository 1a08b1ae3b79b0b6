package devnet

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// generated returns a devnet laid out on disk (PKI, configs, state) without starting anything.
func generated(t *testing.T) *Devnet {
	t.Helper()
	st, err := generate(genInput{dir: filepath.Join(t.TempDir(), "devnet"), bin: "/opt/fabric/bin", topo: DefaultTopology, channel: DefaultChannel})
	if err != nil {
		t.Fatal(err)
	}
	return &Devnet{st: st, progress: newProgress(nil)}
}

func TestDevnet_User(t *testing.T) {
	d := generated(t)
	attrs := map[string]string{"role": "clinician", "onDuty": "true"}
	id, err := d.User("Hospital2MSP", "dr-osei", "client", attrs)
	if err != nil {
		t.Fatal(err)
	}
	cert := id.Certificate()
	if id.MSPID() != "Hospital2MSP" || cert.Subject.CommonName != "dr-osei" || strings.Join(cert.Subject.OrganizationalUnit, ",") != "client" {
		t.Errorf("identity %s: CN %q OU %v", id.MSPID(), cert.Subject.CommonName, cert.Subject.OrganizationalUnit)
	}
	got, err := pki.Attributes(cert)
	if err != nil || got["role"] != "clinician" || got["onDuty"] != "true" {
		t.Errorf("attributes = %v, %v", got, err)
	}
	o, _ := d.st.org("Hospital2MSP")
	ca, err := d.orgCA(o, false)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the certificate does not chain to Hospital2MSP's CA: %v", err)
	}
	again, err := d.User("Hospital2MSP", "dr-osei", "client", attrs)
	if err != nil || !again.Certificate().Equal(cert) {
		t.Errorf("a second request issued another certificate (%v)", err)
	}
	other, err := d.User("Hospital2MSP", "dr-osei", "client", map[string]string{"role": "clinician", "onDuty": "false"})
	if err != nil || other.Certificate().Equal(cert) {
		t.Errorf("other attributes must issue a new certificate (%v)", err)
	}
	admin, err := d.User("Hospital1MSP", "desk", "admin", nil)
	if err != nil || admin.Certificate().Subject.OrganizationalUnit[0] != "admin" {
		t.Errorf("admin identity: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(d.Dir(), "users", "Hospital2MSP", "dr-osei", "key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v", err, fi.Mode())
	}
}

func TestDevnet_User_Errors(t *testing.T) {
	d := generated(t)
	tests := []struct {
		name, msp, user, role string
		want                  string
	}{
		{"unknown hospital", "Hospital9MSP", "x", "client", `no hospital "Hospital9MSP"`},
		{"the orderer org is no hospital", "OrdererMSP", "x", "client", "no hospital"},
		{"bad name", "Hospital1MSP", "../etc", "client", `user name "../etc"`},
		{"bad role", "Hospital1MSP", "x", "peer", `role "peer" is not admin or client`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := d.User(tt.msp, tt.user, tt.role, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("User = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(d.Dir(), "users")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused requests wrote files: %v", err)
	}
}

func TestDevnet_HospitalMSP(t *testing.T) {
	d := generated(t)
	for _, in := range []string{"hospital2", "Hospital2MSP", "HOSPITAL2", "2"} {
		if got, err := d.HospitalMSP(in); err != nil || got != "Hospital2MSP" {
			t.Errorf("HospitalMSP(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"hospital3", "OrdererMSP", "0", ""} {
		if _, err := d.HospitalMSP(in); err == nil || !strings.Contains(err.Error(), "hospitals: [Hospital1MSP Hospital2MSP]") {
			t.Errorf("HospitalMSP(%q) = %v, want an error listing the hospitals", in, err)
		}
	}
}

func TestDevnet_chaincodeTLS(t *testing.T) {
	d := generated(t)
	dir := filepath.Join(d.Dir(), "chaincode", "x", "tls")
	first, err := d.chaincodeTLS("Hospital1MSP", dir)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(first.serverCertFile, first.serverKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	server, _ := x509.ParseCertificate(pair.Certificate[0])
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(first.ca) {
		t.Fatal("ca is not PEM")
	}
	if _, err := server.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("server certificate: %v", err)
	}
	if !server.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("server IPs %v", server.IPAddresses)
	}
	block, _ := pem.Decode(first.clientCert)
	client, _ := x509.ParseCertificate(block.Bytes)
	if _, err := client.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if _, err := tls.X509KeyPair(first.clientCert, first.clientKey); err != nil {
		t.Errorf("client pair: %v", err)
	}
	again, err := d.chaincodeTLS("Hospital1MSP", dir)
	if err != nil || string(again.clientCert) != string(first.clientCert) {
		t.Errorf("a second call must reuse the files (the package ID depends on them): %v", err)
	}
	if _, err := d.chaincodeTLS("Nobody", filepath.Join(d.Dir(), "y")); err == nil {
		t.Error("TLS for an unknown org")
	}
}

func TestDevnet_DeployChaincode_Errors(t *testing.T) {
	d := generated(t)
	tests := []struct {
		name string
		spec ChaincodeSpec
		want string
	}{
		{"no name", ChaincodeSpec{Command: []string{"/bin/true"}}, "has no name"},
		{"nothing to run or reach", ChaincodeSpec{Name: "cc"}, "needs a Command"},
		{"per hospital without a command", ChaincodeSpec{Name: "cc", Address: "127.0.0.1:1", PerHospital: true}, "need a Command"},
		{"TLS without a command", ChaincodeSpec{Name: "cc", Address: "127.0.0.1:1", TLS: true}, "need a Command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := d.DeployChaincode(t.Context(), tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DeployChaincode = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := d.DeployWasmcc(t.Context(), WasmccOptions{}); err == nil || !strings.Contains(err.Error(), "needs the wasmcc command") {
		t.Errorf("DeployWasmcc without a command = %v", err)
	}
	if _, err := d.DeployContract(t.Context(), ContractSpec{Name: "x"}); err == nil || !strings.Contains(err.Error(), "needs a name, a version and a module") {
		t.Errorf("DeployContract without a module = %v", err)
	}
}

func TestContractMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fabricadmin: evaluate wasmcc.queryReceipt: rpc error: code = Unknown desc = evaluate call to endorser returned error: chaincode response 400, not_found: note n1 does not exist [127.0.0.1:1 (H2): chaincode response 400, not_found: note n1 does not exist]",
			"not_found: note n1 does not exist"},
		{"fabricadmin: endorse wasmcc.invokeReceipt: rpc error: code = Aborted desc = failed to endorse transaction, see attached details for more info [127.0.0.1:1 (Hospital1MSP): chaincode response 400, failed_precondition: dispense_twice: x was already dispensed at 2026-11-24T06:50:39Z]: rpc error: code = Aborted desc = failed",
			"failed_precondition: dispense_twice: x was already dispensed at 2026-11-24T06:50:39Z"},
		{"connection refused", "connection refused"},
	}
	for _, tt := range tests {
		if got := ContractMessage(errors.New(tt.in)); got != tt.want {
			t.Errorf("ContractMessage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if ContractMessage(nil) != "" {
		t.Error("nil error")
	}
}

func TestRunDemo_Errors(t *testing.T) {
	d := generated(t)
	wasmcc := filepath.Join(t.TempDir(), "wasmcc")
	if err := os.WriteFile(wasmcc, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts DemoOptions
		want string
	}{
		{"no wasmcc binary", DemoOptions{Wasmcc: "/nonexistent/wasmcc"}, "run `make build`"},
		{"no contract modules", DemoOptions{Wasmcc: wasmcc, PluginsDir: t.TempDir()}, "run `make plugins`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := RunDemo(t.Context(), d, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("RunDemo = %v, want %q", err, tt.want)
			}
		})
	}
}
