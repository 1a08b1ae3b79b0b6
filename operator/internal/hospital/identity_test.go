package hospital

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

func TestPlanIdentity(t *testing.T) {
	base := model(t, withPeers(2), withCertificates(90*24*time.Hour, 30*24*time.Hour))
	ca := newCA(t, base)
	first, plan, err := PlanIdentity(base, ca, nil, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Issued) != 3 || len(plan.Renewed) != 0 || first.Revision != 1 {
		t.Fatalf("fresh identity: issued %v renewed %v revision %d; want 2 peers + admin issued, revision 1", plan.Issued, plan.Renewed, first.Revision)
	}

	tests := []struct {
		name         string
		m            *Model
		ca           *pki.Org
		cur          func() *Identity
		now          time.Time
		wantIssued   int
		wantRenewed  []string // substrings, one per renewed certificate
		wantRevision int64
		keptPeers    int // peers whose certificate must be the very same
	}{
		{name: "unchanged", m: base, ca: ca, cur: func() *Identity { return first }, now: epoch.Add(time.Hour),
			wantRevision: 1, keptPeers: 2},
		{name: "scale up issues new peers only", m: model(t, withPeers(4), withCertificates(90*24*time.Hour, 30*24*time.Hour)), ca: ca,
			cur: func() *Identity { return first }, now: epoch, wantIssued: 2, wantRevision: 1, keptPeers: 2},
		{name: "scale down drops peers", m: model(t, withPeers(1), withCertificates(90*24*time.Hour, 30*24*time.Hour)), ca: ca,
			cur: func() *Identity { return first }, now: epoch, wantRevision: 1, keptPeers: 1},
		{name: "renewal window replaces all", m: base, ca: ca, cur: func() *Identity { return first },
			now:         epoch.Add(60*24*time.Hour + time.Minute),
			wantRenewed: []string{"peer0.st-marys.care.medledger.local: inside its renewal window", "peer1.", "Admin@st-marys.care.medledger.local: inside its renewal window"}, wantRevision: 2},
		{name: "expired certificates are replaced", m: base, ca: ca, cur: func() *Identity { return first },
			now:         epoch.Add(91 * 24 * time.Hour),
			wantRenewed: []string{"expired", "expired", "expired"}, wantRevision: 2},
		{name: "new external name replaces TLS certificates", m: model(t, withPeers(2), withCertificates(90*24*time.Hour, 30*24*time.Hour), withExternal("fabric.example.org")),
			ca: ca, cur: func() *Identity { return first }, now: epoch,
			wantRenewed: []string{"TLS names", "TLS names"}, wantRevision: 2},
		{name: "another CA replaces everything", m: base, ca: newCA(t, base), cur: func() *Identity { return first }, now: epoch,
			wantRenewed: []string{"does not verify", "does not verify", "does not verify"}, wantRevision: 2},
		{name: "unreadable peer is replaced with the others", m: base, ca: ca, now: epoch, wantRevision: 2,
			cur: func() *Identity {
				broken := *first
				broken.Peers = []*pki.Node{first.Peers[0], {Host: first.Peers[1].Host}}
				return &broken
			},
			// Only peer 1 is stale, but both are replaced, so that the peers roll once.
			wantRenewed: []string{"peer1.st-marys.care.medledger.local: its certificate or key cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := tt.cur()
			next, plan, err := PlanIdentity(tt.m, tt.ca, cur, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Issued) != tt.wantIssued {
				t.Errorf("issued %v, want %d", plan.Issued, tt.wantIssued)
			}
			if len(plan.Renewed) != len(tt.wantRenewed) {
				t.Fatalf("renewed %q, want %d matching %q", plan.Renewed, len(tt.wantRenewed), tt.wantRenewed)
			}
			if next.Revision != tt.wantRevision {
				t.Errorf("revision %d, want %d", next.Revision, tt.wantRevision)
			}
			if plan.Changed() != (tt.wantIssued+len(tt.wantRenewed) > 0) {
				t.Errorf("Changed() = %v", plan.Changed())
			}
			if len(next.Peers) != int(tt.m.Replicas) {
				t.Fatalf("%d peers, want %d", len(next.Peers), tt.m.Replicas)
			}
			for i, n := range next.Peers {
				if i < tt.keptPeers && n != first.Peers[i] {
					t.Errorf("peer %d credentials were replaced", i)
				}
				if _, err := tt.ca.VerifyIdentity(n.Identity.Cert, tt.now); err != nil {
					t.Errorf("peer %d identity: %v", i, err)
				}
				if err := tt.ca.VerifyTLS(n.TLS.Cert, tt.now, x509.ExtKeyUsageServerAuth); err != nil {
					t.Errorf("peer %d TLS: %v", i, err)
				}
				if !sameNames(n.TLS.Cert.DNSNames, append([]string{tt.m.Org.Nodes[i].Host}, tt.m.PeerDNSNames(i)...)) {
					t.Errorf("peer %d TLS names %v", i, n.TLS.Cert.DNSNames)
				}
			}
			if role, err := tt.ca.VerifyIdentity(next.Admin.Identity.Cert, tt.now); err != nil || role != pki.RoleAdmin {
				t.Errorf("admin: role %q, %v", role, err)
			}
			// A second plan at the same time changes nothing: reconciling is idempotent.
			again, plan2, err := PlanIdentity(tt.m, tt.ca, next, tt.now)
			if err != nil || plan2.Changed() || again.Revision != next.Revision {
				t.Errorf("second plan: changed %v (%v %v), revision %d, err %v", plan2.Changed(), plan2.Issued, plan2.Renewed, again.Revision, err)
			}
		})
	}
	// Renewed certificates are reported by reason, in peer order.
	_, plan, _ = PlanIdentity(base, ca, first, epoch.Add(60*24*time.Hour+time.Minute))
	for i, want := range []string{"peer0.", "peer1.", "Admin@"} {
		if !strings.HasPrefix(plan.Renewed[i], want) {
			t.Errorf("renewed[%d] = %q, want prefix %q", i, plan.Renewed[i], want)
		}
	}
}

// TestPlanIdentity_EndOfCA checks that certificates cut short by their CA's expiry are not renewed over and over:
// a replacement could not live longer.
func TestPlanIdentity_EndOfCA(t *testing.T) {
	m := model(t, withCertificates(365*24*time.Hour, 30*24*time.Hour))
	ca, err := pki.NewOrg(pki.OrgConfig{MSPID: m.MSPID, Domain: m.Org.Domain, Settings: pki.Settings{
		Clock: func() time.Time { return epoch }, CAValidity: 10 * 24 * time.Hour,
	}})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := PlanIdentity(m, ca, nil, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if got := id.Expiry(); !got.Equal(ca.SignCA.Cert.NotAfter) {
		t.Fatalf("expiry %s, want the CA's %s", got, ca.SignCA.Cert.NotAfter)
	}
	_, plan, err := PlanIdentity(m, ca, id, epoch.Add(time.Hour))
	if err != nil || plan.Changed() {
		t.Errorf("plan inside the CA's last days: changed %v %v, err %v", plan.Issued, plan.Renewed, err)
	}
	if rt := id.RenewalTime(m); !rt.IsZero() {
		t.Errorf("renewal time %s, want none", rt)
	}
}

func TestPlanIdentity_Errors(t *testing.T) {
	m := model(t)
	ca := newCA(t, m)
	first, _, err := PlanIdentity(m, ca, nil, epoch)
	if err != nil {
		t.Fatal(err)
	}
	noKey := *ca
	noKey.SignCA = &pki.CA{Cert: ca.SignCA.Cert}
	tests := []struct {
		name string
		ca   *pki.Org
		now  time.Time
		want string
	}{
		// Both times are inside the certificates' renewal window, so PlanIdentity must issue.
		{"CA without key", &noKey, epoch.Add(300 * 24 * time.Hour), "CA has no certificate or key"},
		{"expired CA", ca, epoch.Add(11 * 365 * 24 * time.Hour), "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := *first
			next, _, err := PlanIdentity(m, tt.ca, first, tt.now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if next != nil {
				t.Error("an identity was returned with the error")
			}
			if first.Revision != before.Revision || first.Peers[0] != before.Peers[0] || first.Admin != before.Admin {
				t.Error("the current identity was changed")
			}
			if got := tt.ca.Settings.Clock(); !got.Equal(epoch) {
				t.Errorf("the caller's CA clock now says %s, want %s", got, epoch)
			}
		})
	}
}

func TestIdentity_RenewalTime(t *testing.T) {
	m := model(t, withPeers(2), withCertificates(100*time.Hour, 25*time.Hour))
	id := issued(t, m)
	want := epoch.Add(100 * time.Hour).Add(-25 * time.Hour)
	if got := id.RenewalTime(m); !got.Equal(want) {
		t.Errorf("renewal time %s, want %s", got, want)
	}
	if got := id.Expiry(); !got.Equal(epoch.Add(100 * time.Hour)) {
		t.Errorf("expiry %s", got)
	}
	if n := len(id.Certificates()); n != 6 {
		t.Errorf("%d certificates, want 6 (2 per peer, 2 for the admin)", n)
	}
}

func TestCAFromPEM(t *testing.T) {
	m := model(t)
	ca := newCA(t, m)
	sec, err := CASecret(m, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("signing and TLS CA", func(t *testing.T) {
		got, err := CAFromPEM(m, sec.Data, epoch)
		if err != nil {
			t.Fatal(err)
		}
		if !got.SignCA.Cert.Equal(ca.SignCA.Cert) || !got.TLSCA.Cert.Equal(ca.TLSCA.Cert) || !got.TLSCA.Key.Equal(ca.TLSCA.Key) {
			t.Error("CAs differ after the round trip")
		}
	})
	t.Run("signing CA only", func(t *testing.T) {
		got, err := CAFromPEM(m, map[string][]byte{KeyCACert: sec.Data[KeyCACert], KeyCAKey: sec.Data[KeyCAKey]}, epoch)
		if err != nil {
			t.Fatal(err)
		}
		if got.TLSCA != got.SignCA {
			t.Error("without tlsca.crt the signing CA should issue TLS certificates")
		}
		if _, _, err := PlanIdentity(m, got, nil, epoch); err != nil {
			t.Errorf("issuing from a single CA: %v", err)
		}
	})
}

func TestCAFromPEM_Errors(t *testing.T) {
	m := model(t)
	ca := newCA(t, m)
	sec, _ := CASecret(m, ca)
	id := issued(t, m)
	leafKey, _ := id.Admin.Identity.KeyPEM()
	with := func(kv ...any) map[string][]byte {
		d := map[string][]byte{}
		for i := 0; i < len(kv); i += 2 {
			d[kv[i].(string)] = kv[i+1].([]byte)
		}
		return d
	}
	tests := []struct {
		name string
		data map[string][]byte
		want string
	}{
		{"empty", nil, "ca.crt is missing"},
		{"no key", with(KeyCACert, sec.Data[KeyCACert]), "ca.key is missing"},
		{"TLS certificate without key", with(KeyCACert, sec.Data[KeyCACert], KeyCAKey, sec.Data[KeyCAKey], KeyTLSCACert, sec.Data[KeyTLSCACert]), "tlsca.crt and tlsca.key must be given together"},
		{"leaf instead of CA", with(KeyCACert, id.Admin.Identity.CertPEM(), KeyCAKey, leafKey), "is not a CA"},
		{"key of another CA", with(KeyCACert, sec.Data[KeyCACert], KeyCAKey, sec.Data[KeyTLSCAKey]), "key does not match"},
		{"garbage", with(KeyCACert, []byte("hello"), KeyCAKey, sec.Data[KeyCAKey]), "no PEM certificate"},
		{"bad TLS CA", with(KeyCACert, sec.Data[KeyCACert], KeyCAKey, sec.Data[KeyCAKey], KeyTLSCACert, sec.Data[KeyTLSCACert], KeyTLSCAKey, sec.Data[KeyCAKey]), "tlsca.crt/tlsca.key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CAFromPEM(m, tt.data, epoch)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if got != nil {
				t.Error("an organisation was returned with the error")
			}
		})
	}
}
