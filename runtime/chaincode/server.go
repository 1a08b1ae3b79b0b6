package chaincode

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
)

// maxMessageBytes matches the peer's chaincode stream limit (100 MiB): deploys carry multi-megabyte modules.
const maxMessageBytes = 100 << 20

// ServerConfig says where and how to serve the chaincode.
type ServerConfig struct {
	// Address is the host:port to listen on, unless Listener is set.
	Address  string
	Listener net.Listener
	// CCID is the chaincode package ID the peers installed: the peer accepts a chaincode only under it.
	CCID string
	// TLS, when set, serves over TLS (set ClientAuth to require the peers' client certificates); nil serves
	// plaintext.
	TLS *tls.Config
	// DrainTimeout bounds how long a shutdown waits for transactions in flight (default 10 s).
	DrainTimeout time.Duration
}

// Serve serves cc to peers as chaincode-as-a-service (the shim's ChaincodeServer on a gRPC server of our own,
// so it can stop) until ctx ends, then shuts down gracefully: new transactions are refused with 503, those in
// flight finish (up to DrainTimeout), connections close. It does not Close cc.
//
// # Errors
//
//   - CCID is empty, or neither Address nor Listener is set;
//   - the address cannot be listened on;
//   - serving fails for another reason than ctx ending.
func Serve(ctx context.Context, cc *Chaincode, cfg ServerConfig) error {
	if cfg.CCID == "" {
		return errors.New("wasmcc: chaincode ID (package ID) is empty")
	}
	lis := cfg.Listener
	if lis == nil {
		if cfg.Address == "" {
			return errors.New("wasmcc: no listen address")
		}
		var err error
		if lis, err = net.Listen("tcp", cfg.Address); err != nil {
			return fmt.Errorf("wasmcc: %w", err)
		}
	}
	opts := []grpc.ServerOption{
		// Peers ping every 60 s by default; a stricter policy would cut them off with "too_many_pings".
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Minute, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
		grpc.MaxRecvMsgSize(maxMessageBytes),
		grpc.MaxSendMsgSize(maxMessageBytes),
	}
	if cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg.TLS)))
	}
	srv := grpc.NewServer(opts...)
	// shim.ChaincodeServer is the shim's own service implementation; registering it here rather than calling
	// its Start is what lets the server stop.
	pb.RegisterChaincodeServer(srv, &shim.ChaincodeServer{CCID: cfg.CCID, CC: cc})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	cc.log.Info("wasmcc serving", "address", lis.Addr().String(), "ccid", cfg.CCID, "tls", cfg.TLS != nil)
	select {
	case err := <-done:
		return fmt.Errorf("wasmcc: serve %s: %w", lis.Addr(), err)
	case <-ctx.Done():
	}
	drain := cfg.DrainTimeout
	if drain <= 0 {
		drain = 10 * time.Second
	}
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	cc.log.Info("wasmcc shutting down: draining transactions", "timeout", drain)
	if err := cc.Drain(dctx); err != nil {
		cc.log.Warn("drain incomplete", "error", err)
	}
	// The peer's stream never ends on its own, so GracefulStop would wait forever: stop once drained.
	srv.Stop()
	<-done
	cc.log.Info("wasmcc stopped")
	return nil
}

// TLSConfig returns a server TLS configuration from a PEM certificate and key. With clientCAs (PEM) the
// server requires and verifies client certificates issued by them, as Fabric's ccaas mutual TLS expects.
//
// # Errors
//
// The key pair does not load, or clientCAs holds no certificate.
func TLSConfig(certPEM, keyPEM, clientCAs []byte) (*tls.Config, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("wasmcc: TLS key pair: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if len(clientCAs) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(clientCAs) {
			return nil, errors.New("wasmcc: TLS client CA: no PEM certificate found")
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}
