package fabricadmin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// selfSigned returns a PEM certificate and PKCS#8 PEM key for cn.
func selfSigned(t *testing.T, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
}

func TestNewIdentity(t *testing.T) {
	cert, key := selfSigned(t, "Admin@hospital1")
	id, err := NewIdentity("Hospital1MSP", cert, key)
	if err != nil {
		t.Fatalf("NewIdentity: %v", err)
	}
	if id.MSPID() != "Hospital1MSP" || id.Certificate().Subject.CommonName != "Admin@hospital1" {
		t.Errorf("identity = %s %s", id.MSPID(), id.Certificate().Subject.CommonName)
	}
	sig, err := id.signer.Sign([]byte("hello"))
	if err != nil || len(sig) == 0 {
		t.Fatalf("Sign = %x, %v", sig, err)
	}
}

func TestNewIdentity_Errors(t *testing.T) {
	cert, key := selfSigned(t, "a")
	_, otherKey := selfSigned(t, "b")
	tests := []struct {
		name, msp  string
		cert, key  []byte
		wantSubstr string
	}{
		{"no msp", "", cert, key, "MSP ID"},
		{"bad cert", "M", []byte("nope"), key, "certificate"},
		{"bad key", "M", cert, []byte("nope"), "private key"},
		{"key of another cert", "M", cert, otherKey, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := NewIdentity(tt.msp, tt.cert, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.wantSubstr) {
				t.Fatalf("NewIdentity error = %v, want it to mention %q", err, tt.wantSubstr)
			}
			if id != nil {
				t.Error("NewIdentity returned an identity with an error")
			}
		})
	}
}

func TestDefinition_sdk(t *testing.T) {
	d := Definition{Channel: "c", Name: "kv", Version: "1", Sequence: 1, PackageID: "kv:ab",
		SignaturePolicy: "OutOf(2, 'H1MSP.peer', 'H2MSP.peer')"}
	got, err := d.sdk()
	if err != nil {
		t.Fatalf("sdk: %v", err)
	}
	if got.ApplicationPolicy.GetSignaturePolicy() == nil || len(got.ApplicationPolicy.GetSignaturePolicy().GetIdentities()) != 2 {
		t.Errorf("policy = %v, want a signature policy over 2 identities", got.ApplicationPolicy)
	}
	plain := Definition{Channel: "c", Name: "kv", Version: "1", Sequence: 1}
	if got, err := plain.sdk(); err != nil || got.ApplicationPolicy != nil {
		t.Errorf("default policy: got %v, %v; want nil policy (channel default)", got.ApplicationPolicy, err)
	}
}

func TestDefinition_sdk_Errors(t *testing.T) {
	ok := Definition{Channel: "c", Name: "kv", Version: "1", Sequence: 1}
	tests := []struct {
		name string
		mod  func(*Definition)
		want string
	}{
		{"no channel", func(d *Definition) { d.Channel = "" }, "no channel"},
		{"no name", func(d *Definition) { d.Name = "" }, "no name"},
		{"no version", func(d *Definition) { d.Version = "" }, "no version"},
		{"sequence 0", func(d *Definition) { d.Sequence = 0 }, "sequence is 0"},
		{"two policies", func(d *Definition) { d.SignaturePolicy = "OR('A.peer')"; d.ChannelPolicy = "/x" }, "both"},
		{"bad policy", func(d *Definition) { d.SignaturePolicy = "MAYBE('A.peer')" }, "endorsement policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.mod(&d)
			if _, err := d.sdk(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("sdk error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestDial_Errors(t *testing.T) {
	ca, _ := selfSigned(t, "ca")
	tests := []struct {
		name string
		ep   Endpoint
		want string
	}{
		{"no address", Endpoint{RootCAs: [][]byte{ca}}, "address is empty"},
		{"no CA", Endpoint{Address: "127.0.0.1:1"}, "no TLS root CA"},
		{"bad CA", Endpoint{Address: "127.0.0.1:1", RootCAs: [][]byte{[]byte("x")}}, "not a PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Dial(tt.ep); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Dial error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestNewOrdererAdmin_Errors(t *testing.T) {
	if _, err := NewOrdererAdmin("", nil, tlsCertForTest(t)); err == nil || !strings.Contains(err.Error(), "address is empty") {
		t.Errorf("empty address: %v", err)
	}
	if _, err := NewOrdererAdmin("127.0.0.1:1", [][]byte{[]byte("x")}, tlsCertForTest(t)); err == nil || !strings.Contains(err.Error(), "PEM") {
		t.Errorf("bad CA: %v", err)
	}
}

func tlsCertForTest(t *testing.T) tls.Certificate {
	cert, key := selfSigned(t, "client")
	c, err := TLSClientCertificate(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOrdererAdmin_Join_Errors(t *testing.T) {
	ca, _ := selfSigned(t, "ca")
	o, err := NewOrdererAdmin("127.0.0.1:1", [][]byte{ca}, tlsCertForTest(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Join(context.Background(), &cb.Block{}); err == nil || !strings.Contains(err.Error(), "block is empty") {
		t.Errorf("Join(empty block) = %v, want a block error", err)
	}
}

func TestChannelIDOf(t *testing.T) {
	ch, _ := proto.Marshal(&cb.ChannelHeader{ChannelId: "medledger"})
	payload, _ := proto.Marshal(&cb.Payload{Header: &cb.Header{ChannelHeader: ch}})
	env, _ := proto.Marshal(&cb.Envelope{Payload: payload})
	got, err := channelIDOf(&cb.Block{Data: &cb.BlockData{Data: [][]byte{env}}})
	if err != nil || got != "medledger" {
		t.Fatalf("channelIDOf = %q, %v; want medledger", got, err)
	}
	noID, _ := proto.Marshal(&cb.Envelope{})
	if _, err := channelIDOf(&cb.Block{Data: &cb.BlockData{Data: [][]byte{noID}}}); err == nil {
		t.Error("channelIDOf(block without channel ID) = nil error")
	}
	if _, err := configOf(&cb.Block{Data: &cb.BlockData{Data: [][]byte{env}}}); err == nil || !strings.Contains(err.Error(), "not a config block") {
		t.Errorf("configOf(non-config block) = %v", err)
	}
}

func TestParseAnchors_Errors(t *testing.T) {
	for _, in := range [][]string{nil, {"nohost"}, {":7051"}, {"h:0"}, {"h:99999"}, {"h:x"}} {
		t.Run(fmt.Sprint(in), func(t *testing.T) {
			if _, err := parseAnchors(in); err == nil {
				t.Fatalf("parseAnchors(%v) = nil error", in)
			}
		})
	}
	got, err := parseAnchors([]string{"127.0.0.1:7051", "peer1:7052"})
	if err != nil || len(got) != 2 || got[1].Host != "peer1" || got[1].Port != 7052 {
		t.Fatalf("parseAnchors = %v, %v", got, err)
	}
}

func TestValidationCode(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &CommitError{TransactionID: "tx1", Code: peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE})
	code, ok := ValidationCode(err)
	if !ok || code != peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
		t.Fatalf("ValidationCode = %v, %v", code, ok)
	}
	if !strings.Contains(err.Error(), "ENDORSEMENT_POLICY_FAILURE") || !strings.Contains(err.Error(), "tx1") {
		t.Errorf("message %q should name the tx and the code", err)
	}
	if _, ok := ValidationCode(errors.New("other")); ok {
		t.Error("ValidationCode(plain error) reported a code")
	}
}

func TestHealth_Errors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := Health(ctx, nil, "http://"+addr); err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Health(closed port) = %v, want an error naming %s", err, addr)
	}
}
