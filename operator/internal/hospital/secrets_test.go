package hospital

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

func TestParseIdentity(t *testing.T) {
	m := model(t, withPeers(3))
	id := issued(t, m)
	id.Revision = 7
	peers, err := PeerIdentitySecret(m, id)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := AdminSecret(m, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := peers.Annotations[AnnotationIdentityRevision]; got != "7" {
		t.Errorf("revision annotation %q", got)
	}
	if len(peers.Data) != 12 {
		t.Errorf("peer Secret has %d keys, want 4 per peer", len(peers.Data))
	}
	if string(admin.Data[KeyMSPID]) != "StMarysMSP" {
		t.Errorf("admin MSP ID %q", admin.Data[KeyMSPID])
	}

	t.Run("round trip", func(t *testing.T) {
		got := ParseIdentity(m, id.CA, peers, admin)
		if got.Revision != 7 || len(got.Peers) != 3 {
			t.Fatalf("revision %d, %d peers", got.Revision, len(got.Peers))
		}
		for i, n := range got.Peers {
			if !n.Identity.Cert.Equal(id.Peers[i].Identity.Cert) || !n.TLS.Key.Equal(id.Peers[i].TLS.Key) {
				t.Errorf("peer %d differs after the round trip", i)
			}
		}
		if got.Admin.Name != "Admin@st-marys.care.medledger.local" || !got.Admin.TLS.Cert.Equal(id.Admin.TLS.Cert) {
			t.Errorf("admin %q differs after the round trip", got.Admin.Name)
		}
		if _, plan, err := PlanIdentity(m, id.CA, got, epoch); err != nil || plan.Changed() {
			t.Errorf("a parsed identity is planned again: %v %v %v", plan.Issued, plan.Renewed, err)
		}
	})
	t.Run("missing and unreadable", func(t *testing.T) {
		broken := peers.DeepCopy()
		cert, key, tlsCert, tlsKey := PeerIdentityKeys("st-marys-peer-2")
		for _, k := range []string{cert, key, tlsCert, tlsKey} {
			delete(broken.Data, k)
		}
		_, key1, _, _ := PeerIdentityKeys("st-marys-peer-1")
		broken.Data[key1] = []byte("not a key")
		got := ParseIdentity(m, id.CA, broken, &corev1.Secret{})
		if got.Peers[0] == nil || got.Peers[0].Identity == nil {
			t.Error("peer 0 should be intact")
		}
		if got.Peers[1] == nil || got.Peers[1].Identity != nil {
			t.Errorf("peer 1 should be present but unreadable, got %+v", got.Peers[1])
		}
		if got.Peers[2] != nil {
			t.Error("peer 2 should be missing")
		}
		if got.Admin == nil || got.Admin.Identity != nil {
			t.Error("an empty admin Secret should give an unreadable admin")
		}
	})
	t.Run("no Secrets", func(t *testing.T) {
		got := ParseIdentity(m, id.CA, nil, nil)
		if got.Revision != 0 || got.Peers != nil || got.Admin != nil {
			t.Errorf("got %+v, want an empty identity", got)
		}
	})
}

func TestPeerIdentitySecret_Errors(t *testing.T) {
	m := model(t, withPeers(2))
	id := issued(t, m)
	id.Peers[1] = &pki.Node{}
	if _, err := PeerIdentitySecret(m, id); err == nil || !strings.Contains(err.Error(), "peer 1 has no credentials") {
		t.Errorf("got %v", err)
	}
	id.Admin = nil
	if _, err := AdminSecret(m, id); err == nil || !strings.Contains(err.Error(), "admin has no credentials") {
		t.Errorf("got %v", err)
	}
	if _, err := Desired(m, id, nil); err == nil {
		t.Error("Desired accepted an incomplete identity")
	}
}

func TestCACertsSecret(t *testing.T) {
	m := model(t)
	ca := newCA(t, m)
	s := CACertsSecret(m, ca)
	for _, k := range []string{KeyCAKey, KeyTLSCAKey} {
		if _, ok := s.Data[k]; ok {
			t.Errorf("public CA Secret holds %s", k)
		}
	}
	if c, err := pki.ParseCert(s.Data[KeyCACert]); err != nil || !c.Equal(ca.SignCA.Cert) {
		t.Errorf("ca.crt: %v", err)
	}
	if !strings.Contains(string(s.Data[KeyMSPConfig]), "Certificate: cacerts/ca.crt") {
		t.Errorf("config.yaml does not refer to cacerts/ca.crt:\n%s", s.Data[KeyMSPConfig])
	}
	if s.Name != "st-marys-ca-certs" || s.Namespace != "care" || s.Labels[LabelManagedBy] != ManagedBy {
		t.Errorf("metadata %+v", s.ObjectMeta)
	}
}
