package pki

import (
	"crypto/x509"
	"fmt"
	"strings"
)

// File names inside the folders this package lays out. They follow cryptogen's layout,
// which Fabric documentation and tools assume.
const (
	// MSP folders.
	MSPCACertsDir    = "cacerts"
	MSPTLSCACertsDir = "tlscacerts"
	MSPSignCertsDir  = "signcerts"
	MSPKeystoreDir   = "keystore"
	MSPAdminCertsDir = "admincerts"
	MSPConfigFile    = "config.yaml"
	// MSPKeyFile is the private key's name in keystore; Fabric's keystore finds a key by
	// matching it against the certificate, so the name is free.
	MSPKeyFile = "priv_sk"

	// TLS folder.
	TLSCAFile         = "ca.crt"
	TLSServerCertFile = "server.crt"
	TLSServerKeyFile  = "server.key"
	TLSClientCertFile = "client.crt"
	TLSClientKeyFile  = "client.key"
)

// CACertPath returns the path, inside an MSP folder, of the signing CA of the organisation
// with domain domain: "cacerts/ca.<domain>-cert.pem".
func CACertPath(domain string) string { return MSPCACertsDir + "/ca." + domain + "-cert.pem" }

// TLSCACertPath returns the path, inside an MSP folder, of the TLS CA of the organisation
// with domain domain: "tlscacerts/tlsca.<domain>-cert.pem".
func TLSCACertPath(domain string) string { return MSPTLSCACertsDir + "/tlsca." + domain + "-cert.pem" }

// CACertFile returns [CACertPath] for the organisation.
func (o *Org) CACertFile() string { return CACertPath(o.Domain) }

// TLSCACertFile returns [TLSCACertPath] for the organisation.
func (o *Org) TLSCACertFile() string { return TLSCACertPath(o.Domain) }

// MSP returns the organisation's verifying MSP folder: cacerts, tlscacerts and a config.yaml
// enabling NodeOUs, plus admincerts when admins are given (with NodeOUs they are not
// needed: an identity with OU "admin" is an admin). This is the folder configtxgen and
// channel configuration read; it holds no private key.
func (o *Org) MSP(admins ...*x509.Certificate) Files {
	f := Files{
		o.CACertFile():    EncodeCert(o.SignCA.Cert),
		o.TLSCACertFile(): EncodeCert(o.TLSCA.Cert),
		MSPConfigFile:     NodeOUsConfig(o.CACertFile()),
	}
	for _, a := range admins {
		f[MSPAdminCertsDir+"/"+a.Subject.CommonName+"-cert.pem"] = EncodeCert(a)
	}
	return f
}

// LocalMSP returns the MSP folder a node or user signs with: the verifying MSP plus
// signcerts (the identity's certificate) and keystore (its key).
//
// # Errors
//   - id is nil, has no key, or was not issued by this organisation's signing CA.
func (o *Org) LocalMSP(id *KeyPair, admins ...*x509.Certificate) (Files, error) {
	if id == nil || id.Cert == nil || id.Key == nil {
		return nil, fmt.Errorf("pki: organisation %q: identity has no certificate or key", o.MSPID)
	}
	if err := id.Cert.CheckSignatureFrom(o.SignCA.Cert); err != nil {
		return nil, fmt.Errorf("pki: %q is not issued by %q: %w", id.Cert.Subject.CommonName, o.SignCA.Cert.Subject.CommonName, err)
	}
	key, err := id.KeyPEM()
	if err != nil {
		return nil, err
	}
	f := o.MSP(admins...)
	f[MSPSignCertsDir+"/"+id.Cert.Subject.CommonName+"-cert.pem"] = id.CertPEM()
	f[MSPKeystoreDir+"/"+MSPKeyFile] = key
	return f, nil
}

// NodeFiles returns a node's folder: "msp/" (its local MSP) and "tls/" (ca.crt, server.crt,
// server.key).
//
// # Errors
//   - the node's credentials are incomplete or not issued by this organisation.
func (o *Org) NodeFiles(n *Node) (Files, error) {
	if n == nil || n.TLS == nil {
		return nil, fmt.Errorf("pki: organisation %q: node has no TLS credentials", o.MSPID)
	}
	msp, err := o.LocalMSP(n.Identity)
	if err != nil {
		return nil, err
	}
	tls, err := o.tlsFiles(n.TLS, TLSServerCertFile, TLSServerKeyFile)
	if err != nil {
		return nil, err
	}
	f := Files{}
	f.Put("msp", msp)
	f.Put("tls", tls)
	return f, nil
}

// UserFiles returns a user's folder: "msp/" (its local MSP) and "tls/" (ca.crt, client.crt,
// client.key).
//
// # Errors
//   - the user's credentials are incomplete or not issued by this organisation.
func (o *Org) UserFiles(u *User) (Files, error) {
	if u == nil || u.TLS == nil {
		return nil, fmt.Errorf("pki: organisation %q: user has no TLS credentials", o.MSPID)
	}
	msp, err := o.LocalMSP(u.Identity)
	if err != nil {
		return nil, err
	}
	tls, err := o.tlsFiles(u.TLS, TLSClientCertFile, TLSClientKeyFile)
	if err != nil {
		return nil, err
	}
	f := Files{}
	f.Put("msp", msp)
	f.Put("tls", tls)
	return f, nil
}

func (o *Org) tlsFiles(kp *KeyPair, certName, keyName string) (Files, error) {
	if kp.Cert == nil {
		return nil, fmt.Errorf("pki: organisation %q: TLS certificate is missing", o.MSPID)
	}
	if err := kp.Cert.CheckSignatureFrom(o.TLSCA.Cert); err != nil {
		return nil, fmt.Errorf("pki: %q is not issued by %q: %w", kp.Cert.Subject.CommonName, o.TLSCA.Cert.Subject.CommonName, err)
	}
	key, err := kp.KeyPEM()
	if err != nil {
		return nil, err
	}
	return Files{TLSCAFile: EncodeCert(o.TLSCA.Cert), certName: kp.CertPEM(), keyName: key}, nil
}

// NodeOUsConfig returns an MSP config.yaml that enables NodeOUs and binds each role's OU
// ("client", "peer", "admin", "orderer") to the CA certificate at caCertPath (relative to
// the MSP folder).
func NodeOUsConfig(caCertPath string) []byte {
	var b strings.Builder
	b.WriteString("NodeOUs:\n  Enable: true\n")
	for _, r := range Roles {
		name := strings.ToUpper(string(r[:1])) + string(r[1:])
		fmt.Fprintf(&b, "  %sOUIdentifier:\n    Certificate: %s\n    OrganizationalUnitIdentifier: %s\n", name, caCertPath, r)
	}
	return []byte(b.String())
}
