package hospital

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

// Keys of the CA Secrets: the built-in CA Secret (CASecretName) and a user's Secret for source Secret hold
// certificates and keys; the public CA Secret (CACertsSecretName) only the certificates and KeyMSPConfig.
const (
	KeyCACert    = "ca.crt"
	KeyCAKey     = "ca.key"
	KeyTLSCACert = "tlsca.crt"
	KeyTLSCAKey  = "tlsca.key"
	// KeyMSPConfig is the MSP's NodeOUs config.yaml, which refers to the signing CA as cacerts/ca.crt.
	KeyMSPConfig = "config.yaml"
)

// Keys of the admin Secret (AdminSecretName).
const (
	KeyMSPID       = "mspid"
	KeyAdminCert   = "cert.pem"
	KeyAdminKey    = "key.pem"
	KeyAdminTLS    = "tls.crt"
	KeyAdminTLSKey = "tls.key"
)

// PeerIdentityKeys returns the keys of a peer pod's signing certificate, signing key, TLS certificate and TLS key
// in the peer identity Secret: "<pod>.cert.pem", "<pod>.key.pem", "<pod>.tls.crt", "<pod>.tls.key". The peer's
// init container picks its own by pod name.
func PeerIdentityKeys(pod string) (cert, key, tlsCert, tlsKey string) {
	return pod + ".cert.pem", pod + ".key.pem", pod + ".tls.crt", pod + ".tls.key"
}

func secret(m *Model, name string, data map[string][]byte) *corev1.Secret {
	s := &corev1.Secret{
		TypeMeta:   typeMeta("v1", "Secret"),
		ObjectMeta: objectMeta(m, name, ComponentIdentity, "fabric-ca"),
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
	return s
}

// CASecret returns the built-in CA Secret holding both CAs' certificates and keys. The controller creates it
// once, without an owner, and never rewrites it: it is the organisation's root of trust.
//
// # Errors
//   - a CA key cannot be encoded.
func CASecret(m *Model, ca *pki.Org) (*corev1.Secret, error) {
	signKey, err := ca.SignCA.KeyPEM()
	if err != nil {
		return nil, err
	}
	tlsKey, err := ca.TLSCA.KeyPEM()
	if err != nil {
		return nil, err
	}
	return secret(m, CASecretName(m.Name), map[string][]byte{
		KeyCACert: ca.SignCA.CertPEM(), KeyCAKey: signKey, KeyTLSCACert: ca.TLSCA.CertPEM(), KeyTLSCAKey: tlsKey,
	}), nil
}

// CACertsSecret returns the organisation's public verifying MSP: both CA certificates and the NodeOUs config.
func CACertsSecret(m *Model, ca *pki.Org) *corev1.Secret {
	return secret(m, CACertsSecretName(m.Name), map[string][]byte{
		KeyCACert:    ca.SignCA.CertPEM(),
		KeyTLSCACert: ca.TLSCA.CertPEM(),
		KeyMSPConfig: pki.NodeOUsConfig(pki.MSPCACertsDir + "/" + KeyCACert),
	})
}

// PeerIdentitySecret returns the Secret with every peer's credentials (see [PeerIdentityKeys]), annotated with the
// identity revision.
//
// # Errors
//   - a peer has no credentials or a key cannot be encoded.
func PeerIdentitySecret(m *Model, id *Identity) (*corev1.Secret, error) {
	data := map[string][]byte{}
	for i, n := range id.Peers {
		if n == nil || n.Identity == nil || n.TLS == nil {
			return nil, fmt.Errorf("peer %d has no credentials", i)
		}
		cert, key, tlsCert, tlsKey := PeerIdentityKeys(PeerPodName(m.Name, i))
		k, err := n.Identity.KeyPEM()
		if err != nil {
			return nil, err
		}
		tk, err := n.TLS.KeyPEM()
		if err != nil {
			return nil, err
		}
		data[cert], data[key], data[tlsCert], data[tlsKey] = n.Identity.CertPEM(), k, n.TLS.CertPEM(), tk
	}
	s := secret(m, PeerIdentitySecretName(m.Name), data)
	s.Annotations = map[string]string{AnnotationIdentityRevision: strconv.FormatInt(id.Revision, 10)}
	return s, nil
}

// AdminSecret returns the admin identity Secret: MSP ID, signing certificate and key, TLS client certificate and
// key, and both CA certificates — what fabricadmin.NewIdentity and a TLS client need.
//
// # Errors
//   - the admin has no credentials or a key cannot be encoded.
func AdminSecret(m *Model, id *Identity) (*corev1.Secret, error) {
	u := id.Admin
	if u == nil || u.Identity == nil || u.TLS == nil {
		return nil, fmt.Errorf("the admin has no credentials")
	}
	k, err := u.Identity.KeyPEM()
	if err != nil {
		return nil, err
	}
	tk, err := u.TLS.KeyPEM()
	if err != nil {
		return nil, err
	}
	return secret(m, AdminSecretName(m.Name), map[string][]byte{
		KeyMSPID: []byte(m.MSPID), KeyAdminCert: u.Identity.CertPEM(), KeyAdminKey: k,
		KeyAdminTLS: u.TLS.CertPEM(), KeyAdminTLSKey: tk,
		KeyCACert: id.CA.SignCA.CertPEM(), KeyTLSCACert: id.CA.TLSCA.CertPEM(),
	}), nil
}

// ParseIdentity reads the current identity from the peer identity Secret and the admin Secret (nil for a missing
// Secret). It never fails: a peer with no keys at all is missing (nil), one whose PEM does not parse gets a
// *pki.Node with nil credentials, which [PlanIdentity] replaces; likewise an unreadable admin.
func ParseIdentity(m *Model, ca *pki.Org, peers, admin *corev1.Secret) *Identity {
	id := &Identity{CA: ca}
	if peers != nil {
		id.Revision, _ = strconv.ParseInt(peers.Annotations[AnnotationIdentityRevision], 10, 64)
		for i := 0; i < int(m.Replicas); i++ {
			cert, key, tlsCert, tlsKey := PeerIdentityKeys(PeerPodName(m.Name, i))
			d := peers.Data
			if d[cert] == nil && d[key] == nil && d[tlsCert] == nil && d[tlsKey] == nil {
				id.Peers = append(id.Peers, nil)
				continue
			}
			n := &pki.Node{Host: m.Org.Nodes[i].Host, Role: pki.RolePeer}
			sign, err1 := pki.ParseKeyPair(d[cert], d[key])
			tls, err2 := pki.ParseKeyPair(d[tlsCert], d[tlsKey])
			if err1 == nil && err2 == nil {
				n.Identity, n.TLS = sign, tls
			}
			id.Peers = append(id.Peers, n)
		}
	}
	if admin != nil {
		sign, err1 := pki.ParseKeyPair(admin.Data[KeyAdminCert], admin.Data[KeyAdminKey])
		tls, err2 := pki.ParseKeyPair(admin.Data[KeyAdminTLS], admin.Data[KeyAdminTLSKey])
		u := &pki.User{Role: pki.RoleAdmin}
		if err1 == nil && err2 == nil {
			u.Name, u.Identity, u.TLS = sign.Cert.Subject.CommonName, sign, tls
		}
		id.Admin = u
	}
	return id
}
