package network

import (
	"path/filepath"

	"github.com/medledger/medledger/operator/internal/network/nodeconfig"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// These helpers locate material in a crypto tree written by [Crypto.Files] and
// pki.Files.WriteDir at folder root, to fill nodeconfig.Peer and nodeconfig.Orderer or a
// CLI's flags.

// NodeMSPDir returns node n's local MSP folder under root.
func (o Org) NodeMSPDir(root string, n Node) string {
	return filepath.Join(root, filepath.FromSlash(o.NodeDir(n)), "msp")
}

// NodeTLS returns node n's TLS files under root: tls/server.crt, tls/server.key and the
// organisation's TLS CA (tls/ca.crt).
func (o Org) NodeTLS(root string, n Node) nodeconfig.TLS {
	dir := filepath.Join(root, filepath.FromSlash(o.NodeDir(n)), "tls")
	return nodeconfig.TLS{
		CertFile:   filepath.Join(dir, pki.TLSServerCertFile),
		KeyFile:    filepath.Join(dir, pki.TLSServerKeyFile),
		RootCAFile: filepath.Join(dir, pki.TLSCAFile),
	}
}

// UserMSPDir returns a user's local MSP folder under root (e.g. for CORE_PEER_MSPCONFIGPATH).
func (o Org) UserMSPDir(root, userName string) string {
	return filepath.Join(root, filepath.FromSlash(o.UserDir(userName)), "msp")
}

// UserTLS returns a user's TLS client files under root: tls/client.crt, tls/client.key and
// the organisation's TLS CA (e.g. for osnadmin --client-cert, --client-key, --ca-file).
func (o Org) UserTLS(root, userName string) nodeconfig.TLS {
	dir := filepath.Join(root, filepath.FromSlash(o.UserDir(userName)), "tls")
	return nodeconfig.TLS{
		CertFile:   filepath.Join(dir, pki.TLSClientCertFile),
		KeyFile:    filepath.Join(dir, pki.TLSClientKeyFile),
		RootCAFile: filepath.Join(dir, pki.TLSCAFile),
	}
}

// TLSCAFile returns the organisation's TLS CA certificate under root (in its verifying
// MSP), e.g. for an orderer's AdminClientRootCAFiles or a client's trusted roots.
func (o Org) TLSCAFile(root string) string {
	return filepath.Join(root, filepath.FromSlash(o.MSPDir()), filepath.FromSlash(pki.TLSCACertPath(o.Domain)))
}
