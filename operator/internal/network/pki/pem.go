package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// EncodeCert returns the PEM ("CERTIFICATE") encoding of cert.
func EncodeCert(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// EncodeKey returns the PKCS#8 PEM ("PRIVATE KEY") encoding of key, the form Fabric's
// software BCCSP reads from a keystore.
//
// # Errors
//   - key is nil or cannot be marshalled.
func EncodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("pki: private key is nil")
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: marshalling private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseCert parses exactly one PEM certificate.
//
// # Errors
//   - no PEM block, a block that is not "CERTIFICATE", trailing data after the block,
//     or DER that x509 rejects.
func ParseCert(data []byte) (*x509.Certificate, error) {
	certs, err := ParseCerts(data)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("pki: expected one PEM certificate, found %d", len(certs))
	}
	return certs[0], nil
}

// ParseCerts parses one or more concatenated PEM certificates.
//
// # Errors
//   - no PEM block, a block that is not "CERTIFICATE", non-PEM data between or after blocks,
//     or DER that x509 rejects.
func ParseCerts(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("pki: PEM block %d is %q, want CERTIFICATE", len(certs)+1, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pki: PEM block %d: %w", len(certs)+1, err)
		}
		certs = append(certs, cert)
		rest = r
	}
	if len(certs) == 0 {
		return nil, errors.New("pki: no PEM certificate found")
	}
	if len(trimSpace(rest)) != 0 {
		return nil, fmt.Errorf("pki: %d bytes of non-PEM data after certificate %d", len(rest), len(certs))
	}
	return certs, nil
}

// ParseKey parses a PEM ECDSA P-256 private key in PKCS#8 ("PRIVATE KEY") or SEC 1
// ("EC PRIVATE KEY") form.
//
// # Errors
//   - no PEM block, an unknown block type, DER that cannot be parsed, a key that is not
//     ECDSA, or a curve other than P-256.
func ParseKey(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("pki: no PEM private key found")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("pki: PEM block is %q, want PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("pki: parsing private key: %w", err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("pki: private key is %T, want ECDSA", key)
	}
	if ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("pki: private key curve is %s, want P-256", ec.Curve.Params().Name)
	}
	return ec, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}
