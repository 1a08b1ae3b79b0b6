package hospital

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/medledger/medledger/operator/internal/network"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// Identity is a hospital's certificate material: its CAs, each peer's node credentials and the admin's.
type Identity struct {
	// CA holds the signing CA and the TLS CA. Their keys are present when the operator issues certificates
	// itself (BuiltinCA, Secret).
	CA *pki.Org
	// Peers holds peer i's credentials at index i; nil when it has none yet. Credentials whose certificate or
	// key could not be read have a nil Identity or TLS.
	Peers []*pki.Node
	// Admin is the organisation admin the operator signs its own Fabric calls with; nil when missing.
	Admin *pki.User
	// Revision counts peer certificate replacements (AnnotationIdentityRevision); 0 means none issued yet.
	Revision int64
}

// IdentityPlan says what [PlanIdentity] changed, in words fit for an event.
type IdentityPlan struct {
	// Issued lists the certificates issued for the first time ("peer1.<domain>", "Admin@<domain>").
	Issued []string
	// Renewed lists the certificates replaced, each with its reason.
	Renewed []string
}

// Changed reports whether the plan issued or renewed anything.
func (p IdentityPlan) Changed() bool { return len(p.Issued)+len(p.Renewed) > 0 }

// NewCA creates a built-in CA pair (signing and TLS) for m's organisation, valid for pki.DefaultCAValidity from
// now.
//
// # Errors
//   - the organisation's MSP ID or domain is invalid (Resolve has checked both).
func NewCA(m *Model, now time.Time) (*pki.Org, error) {
	return pki.NewOrg(pki.OrgConfig{MSPID: m.MSPID, Domain: m.Org.Domain, Settings: m.pkiSettings(now)})
}

// CAFromPEM assembles m's organisation from PEM CA material: the signing CA (ca.crt, ca.key) and optionally a
// separate TLS CA (tlsca.crt, tlsca.key); without one, the signing CA also issues TLS certificates.
//
// # Errors
//   - ca.crt or ca.key is missing, or only one of tlsca.crt and tlsca.key is present;
//   - a certificate is not a CA, a key does not match its certificate, or PEM does not parse.
//
// Each error names the key at fault.
func CAFromPEM(m *Model, data map[string][]byte, now time.Time) (*pki.Org, error) {
	for _, k := range []string{KeyCACert, KeyCAKey} {
		if len(data[k]) == 0 {
			return nil, fmt.Errorf("%s is missing", k)
		}
	}
	sign, err := pki.ParseCA(data[KeyCACert], data[KeyCAKey])
	if err != nil {
		return nil, fmt.Errorf("ca.crt/ca.key: %w", err)
	}
	tls := sign
	hasCert, hasKey := len(data[KeyTLSCACert]) > 0, len(data[KeyTLSCAKey]) > 0
	if hasCert != hasKey {
		return nil, fmt.Errorf("%s and %s must be given together", KeyTLSCACert, KeyTLSCAKey)
	}
	if hasCert {
		if tls, err = pki.ParseCA(data[KeyTLSCACert], data[KeyTLSCAKey]); err != nil {
			return nil, fmt.Errorf("tlsca.crt/tlsca.key: %w", err)
		}
	}
	return pki.NewOrgFromCAs(m.MSPID, m.Org.Domain, sign, tls, m.pkiSettings(now))
}

func (m *Model) pkiSettings(now time.Time) pki.Settings {
	return pki.Settings{Clock: func() time.Time { return now }, Validity: m.CertDuration}
}

// PlanIdentity returns the identity m should have at now, given the current one (nil for none) and the CAs:
//   - a peer without credentials gets new ones; credentials beyond spec.peers.replicas are dropped;
//   - when any peer's credentials are unreadable, not issued by ca, expired, inside their renewal window (and a
//     new certificate would live longer), or no longer carry the names the peer is reached by, every peer's are
//     replaced together and the revision goes up: the peers then roll, one at a time, onto the new certificates;
//   - the admin is issued or replaced on the same grounds, without touching the revision.
//
// An unchanged identity is returned as is (same certificates, same revision), so reconciling is idempotent.
//
// # Errors
//   - ca cannot issue: it has no key, or it has expired.
func PlanIdentity(m *Model, ca *pki.Org, cur *Identity, now time.Time) (*Identity, IdentityPlan, error) {
	withClock := *ca // the caller's CA keeps its settings
	withClock.Settings = m.pkiSettings(now)
	ca = &withClock
	if cur == nil {
		cur = &Identity{}
	}
	next := &Identity{CA: ca, Peers: make([]*pki.Node, m.Replicas), Admin: cur.Admin, Revision: cur.Revision}
	var plan IdentityPlan
	var stale []string
	for i := range next.Peers {
		if i < len(cur.Peers) && cur.Peers[i] != nil {
			next.Peers[i] = cur.Peers[i]
			if why := m.peerStale(ca, cur.Peers[i], i, now); why != "" {
				stale = append(stale, m.Org.Nodes[i].Host+": "+why)
			}
		}
	}
	if next.Revision == 0 {
		next.Revision = 1
	}
	if len(stale) > 0 {
		next.Revision++
		plan.Renewed = append(plan.Renewed, stale...)
	}
	for i, n := range next.Peers {
		if n != nil && len(stale) == 0 {
			continue
		}
		node, err := ca.NewNode(pki.NodeRequest{Host: m.Org.Nodes[i].Host, Role: pki.RolePeer, DNSNames: m.PeerDNSNames(i)})
		if err != nil {
			return nil, IdentityPlan{}, fmt.Errorf("issuing %s: %w", m.Org.Nodes[i].Host, err)
		}
		if n == nil {
			plan.Issued = append(plan.Issued, node.Host)
		}
		next.Peers[i] = node
	}
	admin := m.Org.Admin()
	why := "missing"
	if cur.Admin != nil {
		why = m.adminStale(ca, cur.Admin, now)
	}
	if why != "" {
		u, err := ca.NewUser(pki.UserRequest{Name: admin.Name, Role: pki.RoleAdmin})
		if err != nil {
			return nil, IdentityPlan{}, fmt.Errorf("issuing %s: %w", network.UserID(admin.Name, m.Org.Domain), err)
		}
		if cur.Admin == nil {
			plan.Issued = append(plan.Issued, u.Name)
		} else {
			plan.Renewed = append(plan.Renewed, u.Name+": "+why)
		}
		next.Admin = u
	}
	return next, plan, nil
}

// peerStale says why peer i's credentials must be replaced, or "" when they are fine.
func (m *Model) peerStale(ca *pki.Org, n *pki.Node, i int, now time.Time) string {
	if n.Identity == nil || n.TLS == nil {
		return "its certificate or key cannot be read"
	}
	host := m.Org.Nodes[i].Host
	if cn := n.Identity.Cert.Subject.CommonName; cn != host {
		return fmt.Sprintf("it is issued to %q", cn)
	}
	if why := m.certStale(ca, n.Identity.Cert, ca.SignCA, now, pki.RolePeer); why != "" {
		return why
	}
	if err := ca.VerifyTLS(n.TLS.Cert, now, x509.ExtKeyUsageServerAuth); err != nil {
		return "TLS certificate: " + err.Error()
	}
	if want := append([]string{host}, m.PeerDNSNames(i)...); !sameNames(n.TLS.Cert.DNSNames, want) {
		return fmt.Sprintf("its TLS names %v are not %v", n.TLS.Cert.DNSNames, want)
	}
	return m.inRenewalWindow(n.TLS.Cert, ca.TLSCA, now)
}

func (m *Model) adminStale(ca *pki.Org, u *pki.User, now time.Time) string {
	if u.Identity == nil || u.TLS == nil {
		return "its certificate or key cannot be read"
	}
	if why := m.certStale(ca, u.Identity.Cert, ca.SignCA, now, pki.RoleAdmin); why != "" {
		return why
	}
	if err := ca.VerifyTLS(u.TLS.Cert, now, x509.ExtKeyUsageClientAuth); err != nil {
		return "TLS certificate: " + err.Error()
	}
	return m.inRenewalWindow(u.TLS.Cert, ca.TLSCA, now)
}

// certStale checks an MSP identity: issued by ca, valid at now with the expected role, not due for renewal.
func (m *Model) certStale(ca *pki.Org, c *x509.Certificate, issuer *pki.CA, now time.Time, role pki.Role) string {
	got, err := ca.VerifyIdentity(c, now)
	if err != nil {
		return err.Error()
	}
	if got != role {
		return fmt.Sprintf("its role is %s, not %s", got, role)
	}
	return m.inRenewalWindow(c, issuer, now)
}

// inRenewalWindow reports a certificate that is within RenewBefore of its expiry, unless it already ends with
// its CA: a replacement could not live longer, and replacing it on every reconcile would loop.
func (m *Model) inRenewalWindow(c *x509.Certificate, issuer *pki.CA, now time.Time) string {
	if now.Before(c.NotAfter.Add(-m.RenewBefore)) || !c.NotAfter.Before(issuer.Cert.NotAfter) {
		return ""
	}
	return "inside its renewal window: it expires at " + c.NotAfter.UTC().Format(time.RFC3339)
}

func sameNames(got, want []string) bool {
	norm := func(in []string) []string {
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(got), norm(want))
}

// Certificates returns every node and admin certificate of the identity (signing and TLS), skipping missing
// ones.
func (id *Identity) Certificates() []*x509.Certificate {
	var out []*x509.Certificate
	add := func(kps ...*pki.KeyPair) {
		for _, kp := range kps {
			if kp != nil && kp.Cert != nil {
				out = append(out, kp.Cert)
			}
		}
	}
	for _, n := range id.Peers {
		if n != nil {
			add(n.Identity, n.TLS)
		}
	}
	if id.Admin != nil {
		add(id.Admin.Identity, id.Admin.TLS)
	}
	return out
}

// Expiry returns when the first of the identity's certificates expires (zero for none).
func (id *Identity) Expiry() time.Time { return pki.Expiry(id.Certificates()...) }

// RenewalTime returns when [PlanIdentity] will next replace a certificate: the earliest expiry minus
// m.RenewBefore, or zero when the certificates already end with their CA and cannot be renewed.
func (id *Identity) RenewalTime(m *Model) time.Time {
	var first, caEnd time.Time
	if id.CA != nil {
		caEnd = pki.Expiry(id.CA.SignCA.Cert, id.CA.TLSCA.Cert)
	}
	for _, c := range id.Certificates() {
		if !caEnd.IsZero() && !c.NotAfter.Before(caEnd) {
			continue
		}
		t := c.NotAfter.Add(-m.RenewBefore)
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	return first
}
