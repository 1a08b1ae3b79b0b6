package fabricadmin

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Endpoint says how to reach a peer or orderer over gRPC with TLS.
type Endpoint struct {
	// Address is host:port.
	Address string
	// ServerName overrides the host name checked against the server certificate (empty: the host of Address).
	ServerName string
	// RootCAs are the PEM TLS CA certificates that may have issued the server certificate.
	RootCAs [][]byte
	// ClientCert, when set, is presented for mutual TLS.
	ClientCert *tls.Certificate
}

// Dial returns a gRPC client connection to ep. The connection is made lazily, on first use.
//
// # Errors
//   - ep.Address is empty;
//   - no root CA is given, or one of them is not PEM.
func Dial(ep Endpoint) (*grpc.ClientConn, error) {
	cfg, err := ep.tlsConfig()
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(ep.Address, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: dial %s: %w", ep.Address, err)
	}
	return conn, nil
}

func (ep Endpoint) tlsConfig() (*tls.Config, error) {
	if ep.Address == "" {
		return nil, errors.New("fabricadmin: endpoint address is empty")
	}
	pool, err := certPool(ep.RootCAs)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: endpoint %s: %w", ep.Address, err)
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: ep.ServerName, MinVersion: tls.VersionTLS12}
	if ep.ClientCert != nil {
		cfg.Certificates = []tls.Certificate{*ep.ClientCert}
	}
	return cfg, nil
}

func certPool(pems [][]byte) (*x509.CertPool, error) {
	if len(pems) == 0 {
		return nil, errors.New("no TLS root CA given")
	}
	pool := x509.NewCertPool()
	for i, p := range pems {
		if !pool.AppendCertsFromPEM(p) {
			return nil, fmt.Errorf("TLS root CA #%d is not a PEM certificate", i+1)
		}
	}
	return pool, nil
}
