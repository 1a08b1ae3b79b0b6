package fabricadmin

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	adminid "github.com/hyperledger/fabric-admin-sdk/pkg/identity"
	gwid "github.com/hyperledger/fabric-gateway/pkg/identity"
)

// Identity is an MSP member that signs proposals, transactions and config updates: an X.509 certificate issued
// by the org's CA and its ECDSA private key.
type Identity struct {
	mspID  string
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	signer adminid.SigningIdentity
}

// NewIdentity returns the identity of mspID holding the PEM certificate and PEM (PKCS#8 or SEC1) private key.
//
// # Errors
//   - mspID is empty;
//   - certPEM or keyPEM does not decode;
//   - the key is not ECDSA (Fabric's default MSP signs with ECDSA);
//   - the key does not belong to the certificate.
func NewIdentity(mspID string, certPEM, keyPEM []byte) (*Identity, error) {
	if mspID == "" {
		return nil, errors.New("fabricadmin: identity needs an MSP ID")
	}
	cert, err := gwid.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: identity of %s: certificate: %w", mspID, err)
	}
	priv, err := gwid.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: identity of %s: private key: %w", mspID, err)
	}
	key, ok := priv.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("fabricadmin: identity of %s: private key is %T, want ECDSA", mspID, priv)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("fabricadmin: identity of %s: private key does not match certificate %q", mspID, cert.Subject.CommonName)
	}
	signer, err := adminid.NewPrivateKeySigningIdentity(mspID, cert, key)
	if err != nil {
		return nil, fmt.Errorf("fabricadmin: identity of %s: %w", mspID, err)
	}
	return &Identity{mspID: mspID, cert: cert, key: key, signer: signer}, nil
}

// MSPID returns the identity's MSP ID.
func (id *Identity) MSPID() string { return id.mspID }

// Certificate returns the identity's certificate.
func (id *Identity) Certificate() *x509.Certificate { return id.cert }

// PrivateKey returns the identity's private key.
func (id *Identity) PrivateKey() crypto.PrivateKey { return id.key }

// TLSClientCertificate returns a TLS client certificate from PEM cert and key, for mutual TLS with peers and
// orderers.
//
// # Errors
//   - the pair does not decode or does not match.
func TLSClientCertificate(certPEM, keyPEM []byte) (tls.Certificate, error) {
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("fabricadmin: TLS client certificate: %w", err)
	}
	return c, nil
}
