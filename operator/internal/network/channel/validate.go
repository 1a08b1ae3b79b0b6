package channel

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
)

// CheckChannelID reports whether id is a valid Fabric channel name: it starts with a
// lower-case letter, holds only lower-case letters, digits, '.' and '-', and is shorter than
// 250 characters.
//
// # Errors
//   - the name breaks one of those rules; the error says which.
func CheckChannelID(id string) error {
	if id == "" {
		return errors.New("channel ID is empty")
	}
	if len(id) >= 250 {
		return fmt.Errorf("channel ID %q is %d characters long (limit 249)", id, len(id))
	}
	if id[0] < 'a' || id[0] > 'z' {
		return fmt.Errorf("channel ID %q must start with a lower-case letter", id)
	}
	for i, c := range id {
		if !channelIDChar(c) {
			return fmt.Errorf("channel ID %q holds %q at offset %d (allowed: a-z, 0-9, '.', '-')", id, c, i)
		}
	}
	return nil
}

// channelIDChar reports whether c may appear in a channel ID.
func channelIDChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// Validate checks s after [Spec.WithDefaults]: the channel ID, the organisations (unique
// valid MSP IDs with CA certificates, orderer endpoints, anchor peer addresses), the
// consenters, the batch and raft settings, the policies and the capability.
//
// # Errors
//   - the first problem found, naming the organisation, consenter or setting at fault.
func (s Spec) Validate() error {
	s = s.WithDefaults()
	if err := CheckChannelID(s.ChannelID); err != nil {
		return err
	}
	if s.Consensus != EtcdRaft && s.Consensus != BFT {
		return fmt.Errorf("consensus %q is not %q or %q", s.Consensus, EtcdRaft, BFT)
	}
	if len(s.OrdererOrgs) == 0 {
		return errors.New("no orderer organisation")
	}
	if len(s.Members) == 0 {
		return errors.New("no member organisation")
	}
	msps := map[string]bool{}
	ordererMSPs := map[string]bool{}
	for i, o := range s.OrdererOrgs {
		if err := checkMSP(o.MSP, msps); err != nil {
			return fmt.Errorf("orderer organisation %d: %w", i, err)
		}
		ordererMSPs[o.MSP.ID] = true
		if len(o.Endpoints) == 0 {
			return fmt.Errorf("orderer organisation %q has no endpoints (required by the V3_0 capability)", o.MSP.ID)
		}
		for _, a := range o.Endpoints {
			if err := checkAddress(a); err != nil {
				return fmt.Errorf("orderer organisation %q endpoint: %w", o.MSP.ID, err)
			}
		}
	}
	for i, m := range s.Members {
		if err := checkMSP(m.MSP, msps); err != nil {
			return fmt.Errorf("member organisation %d: %w", i, err)
		}
		for _, a := range m.AnchorPeers {
			if err := checkAddress(a); err != nil {
				return fmt.Errorf("member organisation %q anchor peer: %w", m.MSP.ID, err)
			}
		}
	}
	if err := s.checkConsenters(ordererMSPs); err != nil {
		return err
	}
	if err := s.Batch.Check(); err != nil {
		return err
	}
	if err := s.Raft.Check(); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		p    Policy
	}{{"Endorsement", s.Policies.Endorsement}, {"LifecycleEndorsement", s.Policies.LifecycleEndorsement}, {"Admins", s.Policies.Admins}} {
		if err := CheckPolicy(p.p, msps); err != nil {
			return fmt.Errorf("application policy %s: %w", p.name, err)
		}
	}
	if !slices.Contains(ApplicationCapabilities, s.ApplicationCapability) {
		return fmt.Errorf("application capability %q is not one of %v", s.ApplicationCapability, ApplicationCapabilities)
	}
	return nil
}

func (s Spec) checkConsenters(ordererMSPs map[string]bool) error {
	if len(s.Consenters) == 0 {
		return errors.New("no consenter")
	}
	addrs := map[string]bool{}
	ids := map[uint32]bool{}
	for i, c := range s.Consenters {
		name := fmt.Sprintf("consenter %d (%s)", i, c.Address)
		if err := checkAddress(c.Address); err != nil {
			return fmt.Errorf("consenter %d: %w", i, err)
		}
		if addrs[c.Address.String()] {
			return fmt.Errorf("%s: address used twice", name)
		}
		addrs[c.Address.String()] = true
		if c.ClientTLSCert == nil || c.ServerTLSCert == nil {
			return fmt.Errorf("%s: client and server TLS certificates are required", name)
		}
		if err := c.ServerTLSCert.VerifyHostname(c.Address.Host); err != nil {
			return fmt.Errorf("%s: server TLS certificate does not cover the host: %w", name, err)
		}
		if s.Consensus != BFT {
			continue
		}
		if c.ID == 0 || ids[c.ID] {
			return fmt.Errorf("%s: BFT consenter ID %d is zero or used twice", name, c.ID)
		}
		ids[c.ID] = true
		if !ordererMSPs[c.MSPID] {
			return fmt.Errorf("%s: MSP ID %q is not an orderer organisation", name, c.MSPID)
		}
		if c.Identity == nil {
			return fmt.Errorf("%s: BFT needs the consenter's signing identity", name)
		}
	}
	return nil
}

func checkMSP(m MSP, seen map[string]bool) error {
	if err := CheckMSPID(m.ID); err != nil {
		return err
	}
	if seen[m.ID] {
		return fmt.Errorf("MSP ID %q is used by two organisations", m.ID)
	}
	seen[m.ID] = true
	if len(m.RootCerts) == 0 || len(m.TLSRootCerts) == 0 {
		return fmt.Errorf("MSP %q needs at least one root CA and one TLS root CA", m.ID)
	}
	for _, c := range append(slices.Clone(m.RootCerts), m.TLSRootCerts...) {
		if err := checkCA(c); err != nil {
			return fmt.Errorf("MSP %q: %w", m.ID, err)
		}
	}
	return nil
}

func checkCA(c *x509.Certificate) error {
	if c == nil {
		return errors.New("CA certificate is nil")
	}
	if !c.IsCA {
		return fmt.Errorf("certificate %q is not a CA", c.Subject.CommonName)
	}
	return nil
}

func checkAddress(a Address) error {
	if a.Host == "" {
		return fmt.Errorf("address %q has no host", a)
	}
	if a.Port < 1 || a.Port > 65535 {
		return fmt.Errorf("address %q: port %d is outside 1-65535", a, a.Port)
	}
	return nil
}

// Check reports whether b (after defaults for zero fields) is usable: a positive timeout
// and PreferredMaxBytes not above AbsoluteMaxBytes.
//
// # Errors
//   - the first rule broken, naming the setting.
func (b Batch) Check() error {
	b = b.withDefaults()
	switch {
	case b.Timeout <= 0:
		return fmt.Errorf("batch timeout %s is not positive", b.Timeout)
	case b.PreferredMaxBytes > b.AbsoluteMaxBytes:
		return fmt.Errorf("batch preferred max bytes %d exceeds absolute max bytes %d", b.PreferredMaxBytes, b.AbsoluteMaxBytes)
	}
	return nil
}

// Check reports whether r (after defaults for zero fields) is usable: a positive tick
// interval and an election tick above the heartbeat tick.
//
// # Errors
//   - the first rule broken, naming the setting.
func (r RaftOptions) Check() error {
	r = r.withDefaults()
	switch {
	case r.TickInterval <= 0:
		return fmt.Errorf("raft tick interval %s is not positive", r.TickInterval)
	case r.ElectionTick <= r.HeartbeatTick:
		return fmt.Errorf("raft election tick %d must exceed heartbeat tick %d", r.ElectionTick, r.HeartbeatTick)
	}
	return nil
}
