package chaincode_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

type keyPair struct{ cert, key []byte }

// testPKI issues a CA, a server certificate for 127.0.0.1 and a client certificate.
func testPKI(t *testing.T) (ca []byte, server, client keyPair) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsca"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage, ips []net.IP) keyPair {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: time.Now().Add(-time.Hour),
			NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalPKCS8PrivateKey(k)
		return keyPair{pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})}
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		issue(2, x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)}),
		issue(3, x509.ExtKeyUsageClientAuth, nil)
}

func TestServe(t *testing.T) {
	ca, server, client := testPKI(t)
	tlsCfg, err := chaincode.TLSConfig(server.cert, server.key, ca)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := chaincode.New(chaincode.NewConfig().WithEngine(engine.NewConfig().WithCacheDir(cacheDir)).WithRegisterer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close(context.Background())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- chaincode.Serve(ctx, cc, chaincode.ServerConfig{Listener: lis, CCID: "wasmcc_1:abc", TLS: tlsCfg})
	}()

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	pair, err := tls.X509KeyPair(client.cert, client.key)
	if err != nil {
		t.Fatal(err)
	}
	dial := func(creds credentials.TransportCredentials) *grpc.ClientConn {
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(creds),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(100<<20), grpc.MaxCallSendMsgSize(100<<20)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}

	t.Run("a peer with the client certificate deploys and invokes over mutual TLS", func(t *testing.T) {
		conn := dial(credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}}))
		p, err := peertest.Connect(ctx, conn, peertest.Options{Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		e := &env{cc: cc, p: p}
		e.govern(t)
		e.deploy(t, "notes", "1", module(t, "guest.wasm"), nil)
		e.ok(t, client1, args("invoke", "notes", "put", "over TLS"), nil)
		if got := e.ok(t, client1, args("query", "notes", "get"), nil); string(got) != "over TLS" {
			t.Errorf("get = %q", got)
		}
	})
	t.Run("a peer without a client certificate is refused", func(t *testing.T) {
		conn := dial(credentials.NewTLS(&tls.Config{RootCAs: pool}))
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if p, err := peertest.Connect(cctx, conn, peertest.Options{Timeout: 3 * time.Second}); err == nil {
			p.Close()
			t.Error("connected without a client certificate")
		}
	})
	t.Run("plaintext is refused by a TLS server", func(t *testing.T) {
		conn := dial(insecure.NewCredentials())
		if p, err := peertest.Connect(ctx, conn, peertest.Options{Timeout: 3 * time.Second}); err == nil {
			p.Close()
			t.Error("connected in plaintext")
		}
	})
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if !cc.Draining() {
		t.Error("Serve did not drain the chaincode")
	}
}

func TestServe_Errors(t *testing.T) {
	cc, err := chaincode.New(chaincode.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close(context.Background())
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		cfg  chaincode.ServerConfig
		want string
	}{
		{"no chaincode ID", chaincode.ServerConfig{Address: "127.0.0.1:0"}, "chaincode ID (package ID) is empty"},
		{"no address", chaincode.ServerConfig{CCID: "x"}, "no listen address"},
		{"address in use", chaincode.ServerConfig{CCID: "x", Address: busy.Addr().String()}, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := chaincode.Serve(context.Background(), cc, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Serve = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTLSConfig_Errors(t *testing.T) {
	ca, server, _ := testPKI(t)
	if _, err := chaincode.TLSConfig(server.cert, []byte("nope"), nil); err == nil || !strings.Contains(err.Error(), "TLS key pair") {
		t.Errorf("bad key: %v", err)
	}
	if _, err := chaincode.TLSConfig(server.cert, server.key, []byte("not pem")); err == nil || !strings.Contains(err.Error(), "client CA") {
		t.Errorf("bad client CA: %v", err)
	}
	cfg, err := chaincode.TLSConfig(server.cert, server.key, ca)
	if err != nil || cfg.ClientAuth != tls.RequireAndVerifyClientCert {
		t.Errorf("with a client CA: %v, client auth %v", err, cfg.ClientAuth)
	}
}
