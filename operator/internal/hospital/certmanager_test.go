package hospital

import (
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital/hospitaltest"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

func withCertManager(issuer, kind string) hospitalMod {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Identity.Source = v1alpha1.IdentitySourceCertManager
		h.Spec.Identity.CertManager = &v1alpha1.CertManagerIdentity{IssuerRef: v1alpha1.IssuerReference{Name: issuer, Kind: kind}}
	}
}

func TestCertManagerCertificates(t *testing.T) {
	m := model(t, withPeers(2), withCertManager("hospital-ca", "ClusterIssuer"), withCertificates(720*time.Hour, 240*time.Hour))
	certs := CertManagerCertificates(m)
	if len(certs) != 6 {
		t.Fatalf("%d Certificates, want 2 per peer + 2 for the admin", len(certs))
	}
	byName := map[string]*unstructured.Unstructured{}
	for _, c := range certs {
		byName[c.GetName()] = c
		if c.GetAPIVersion() != "cert-manager.io/v1" || c.GetKind() != "Certificate" || c.GetNamespace() != "care" || c.GetLabels()[LabelHospital] != "st-marys" {
			t.Errorf("%s: %s %s in %q labels %v", c.GetName(), c.GetAPIVersion(), c.GetKind(), c.GetNamespace(), c.GetLabels())
		}
		str := func(path ...string) string {
			s, _, _ := unstructured.NestedString(c.Object, append([]string{"spec"}, path...)...)
			return s
		}
		if str("secretName") != c.GetName() || str("duration") != "720h0m0s" || str("renewBefore") != "240h0m0s" {
			t.Errorf("%s: secret %q duration %q renewBefore %q", c.GetName(), str("secretName"), str("duration"), str("renewBefore"))
		}
		if str("issuerRef", "name") != "hospital-ca" || str("issuerRef", "kind") != "ClusterIssuer" || str("issuerRef", "group") != "cert-manager.io" {
			t.Errorf("%s: issuer %v", c.GetName(), c.Object["spec"].(map[string]any)["issuerRef"])
		}
		if str("privateKey", "algorithm") != "ECDSA" || str("privateKey", "encoding") != "PKCS8" {
			t.Errorf("%s: private key %v", c.GetName(), c.Object["spec"].(map[string]any)["privateKey"])
		}
		if l, _, _ := unstructured.NestedString(c.Object, "spec", "secretTemplate", "labels", LabelCertificate); l != c.GetName() {
			t.Errorf("%s: Secret label %s=%q", c.GetName(), LabelCertificate, l)
		}
	}
	sign := byName["st-marys-peer-1-sign"]
	if ou, _, _ := unstructured.NestedStringSlice(sign.Object, "spec", "subject", "organizationalUnits"); len(ou) != 1 || ou[0] != "peer" {
		t.Errorf("peer signing NodeOU %v", ou)
	}
	tls := byName["st-marys-peer-1-tls"]
	if dns, _, _ := unstructured.NestedStringSlice(tls.Object, "spec", "dnsNames"); !sameNames(dns, append([]string{"peer1.st-marys.care.medledger.local"}, m.PeerDNSNames(1)...)) {
		t.Errorf("peer TLS names %v", dns)
	}
	if ou, _, _ := unstructured.NestedStringSlice(byName["st-marys-admin-sign"].Object, "spec", "subject", "organizationalUnits"); len(ou) != 1 || ou[0] != "admin" {
		t.Errorf("admin NodeOU %v", ou)
	}
}

// issueAll plays cert-manager for every Certificate of m, from one CA.
func issueAll(t *testing.T, m *Model, ca *pki.CA, now time.Time) map[string]*corev1.Secret {
	t.Helper()
	out := map[string]*corev1.Secret{}
	for _, c := range CertManagerCertificates(m) {
		s, err := hospitaltest.IssueLikeCertManager(ca, c, now)
		if err != nil {
			t.Fatal(err)
		}
		out[s.Name] = s
	}
	return out
}

func TestCertManagerIdentity(t *testing.T) {
	m := model(t, withPeers(2), withCertManager("hospital-ca", ""))
	org := newCA(t, m)
	secrets := issueAll(t, m, org.SignCA, epoch)
	id, err := CertManagerIdentity(m, secrets, nil, epoch.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if id.Revision != 1 || len(id.Peers) != 2 || id.Admin.Name != "Admin@st-marys.care.medledger.local" {
		t.Fatalf("revision %d, %d peers, admin %q", id.Revision, len(id.Peers), id.Admin.Name)
	}
	if !id.CA.SignCA.Cert.Equal(org.SignCA.Cert) || id.CA.SignCA.Key != nil {
		t.Error("the CA should be the issuer's certificate, without a key")
	}
	if _, err := Desired(m, id, nil); err != nil {
		t.Errorf("Desired from a cert-manager identity: %v", err)
	}
	// Same Secrets again: nothing changed.
	again, err := CertManagerIdentity(m, secrets, id, epoch.Add(time.Hour))
	if err != nil || again.Revision != 1 {
		t.Errorf("unchanged: revision %d, %v", again.Revision, err)
	}
	// cert-manager renewed peer 1's TLS certificate: the peers roll.
	renewed := issueAll(t, m, org.SignCA, epoch.Add(time.Hour))
	secrets["st-marys-peer-1-tls"] = renewed["st-marys-peer-1-tls"]
	next, err := CertManagerIdentity(m, secrets, id, epoch.Add(time.Hour))
	if err != nil || next.Revision != 2 {
		t.Errorf("renewed: revision %d, %v", next.Revision, err)
	}
}

func TestCertManagerIdentity_Errors(t *testing.T) {
	m := model(t, withCertManager("hospital-ca", ""))
	org := newCA(t, m)
	other := newCA(t, m)
	tests := []struct {
		name   string
		change func(map[string]*corev1.Secret)
		now    time.Time
		is     error
		want   string
	}{
		{"not issued", func(s map[string]*corev1.Secret) {
			delete(s, "st-marys-peer-0-tls")
			s["st-marys-admin-sign"].Data = nil
		},
			epoch, ErrNotIssued, "[st-marys-admin-sign st-marys-peer-0-tls]"},
		{"expired", nil, epoch.Add(400 * 24 * time.Hour), ErrExpired, "Secret st-marys-peer-0-sign"},
		{"no CA published", func(s map[string]*corev1.Secret) { delete(s["st-marys-peer-0-sign"].Data, "ca.crt") }, epoch, nil, "has no ca.crt"},
		{"signed by another CA", func(s map[string]*corev1.Secret) {
			s["st-marys-peer-0-sign"].Data["ca.crt"] = other.SignCA.CertPEM()
		}, epoch, nil, "does not verify"},
		{"key of another certificate", func(s map[string]*corev1.Secret) {
			s["st-marys-admin-tls"].Data["tls.key"] = s["st-marys-peer-0-tls"].Data["tls.key"]
		}, epoch, nil, "key does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := issueAll(t, m, org.SignCA, epoch)
			if tt.change != nil {
				tt.change(secrets)
			}
			id, err := CertManagerIdentity(m, secrets, nil, tt.now)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("got %v, want an error containing %q (is %v)", err, tt.want, tt.is)
			}
			if id != nil {
				t.Error("an identity was returned with the error")
			}
		})
	}
}
