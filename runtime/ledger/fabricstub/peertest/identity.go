package peertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// Identity is a transaction creator: an MSP ID and a PEM X.509 certificate, as Fabric serializes it.
type Identity struct {
	MSPID string
	Cert  []byte
}

// Serialize returns the identity as a Fabric msp.SerializedIdentity (the proposal's creator bytes).
func (id Identity) Serialize() []byte {
	b, err := proto.Marshal(&msp.SerializedIdentity{Mspid: id.MSPID, IdBytes: id.Cert})
	if err != nil {
		panic(err) // a two-field message always marshals
	}
	return b
}

// attrsOID is Fabric CA's attribute extension.
var attrsOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// cas holds one throwaway CA per MSP ID, so every identity of an MSP has the same issuer, as in Fabric.
var cas = struct {
	sync.Mutex
	m map[string]*ca
}{m: map[string]*ca{}}

type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func caFor(mspID string) (*ca, error) {
	cas.Lock()
	defer cas.Unlock()
	if c, ok := cas.m[mspID]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ca." + mspID, Organization: []string{mspID}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	c := &ca{cert: cert, key: key}
	cas.m[mspID] = c
	return c, nil
}

// NewIdentity issues a certificate for a member of mspID with common name cn, NodeOU role (admin, client,
// peer, orderer; "" for none) as its OU and Fabric CA attributes attrs, from a CA kept per MSP ID for the
// life of the process.
//
// # Errors
//
// mspID or cn is empty, or key generation fails.
func NewIdentity(mspID, cn, role string, attrs map[string]string) (Identity, error) {
	if mspID == "" || cn == "" {
		return Identity{}, fmt.Errorf("peertest: identity needs an MSP ID and a common name (got %q, %q)", mspID, cn)
	}
	c, err := caFor(mspID)
	if err != nil {
		return Identity{}, fmt.Errorf("peertest: CA of %s: %w", mspID, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Identity{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return Identity{}, err
	}
	subject := pkix.Name{CommonName: cn}
	if role != "" {
		subject.OrganizationalUnit = []string{role}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if len(attrs) > 0 {
		v, err := json.Marshal(struct {
			Attrs map[string]string `json:"attrs"`
		}{attrs})
		if err != nil {
			return Identity{}, err
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: attrsOID, Value: v}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		return Identity{}, err
	}
	return Identity{MSPID: mspID, Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// MustIdentity is NewIdentity for tests: it panics on error (which only key generation can cause).
func MustIdentity(mspID, cn, role string, attrs map[string]string) Identity {
	id, err := NewIdentity(mspID, cn, role, attrs)
	if err != nil {
		panic(err)
	}
	return id
}
