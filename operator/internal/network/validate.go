package network

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/medledger/medledger/operator/internal/network/channel"
	"github.com/medledger/medledger/operator/internal/network/pki"
)

// Validate checks the consortium after [Consortium.WithDefaults] and reports every problem
// at once (errors.Join), each prefixed with the field at fault, e.g.
// `hospitals[1] "hospital2": peers must be at least 1, got 0`.
//
// # Errors
//   - channelID is not a valid channel name, or domain not a DNS name;
//   - orderer: name not a lower-case DNS label, invalid MSP ID, fewer than 1 node (4 for BFT),
//     unknown consensus;
//   - no hospital; a hospital with an invalid or duplicate name or MSP ID, fewer than 1
//     peer, anchor peers outside 1..peers, or an invalid, duplicate or reserved user;
//   - a policy that does not parse or names an MSP ID outside the consortium;
//   - batch or raft settings out of range, or an unsupported application capability.
func (c Consortium) Validate() error {
	c = c.WithDefaults()
	var errs []error
	add := func(field string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
	}
	add("channelID", channel.CheckChannelID(c.ChannelID))
	add("domain", pki.CheckDNSName(c.Domain, false))
	for _, err := range c.Orderer.check(c.Domain) {
		add("orderer", err)
	}
	if len(c.Hospitals) == 0 {
		add("hospitals", errors.New("at least one hospital is required"))
	}
	names := map[string]string{c.Orderer.Name: "the orderer organisation"}
	msps := map[string]string{c.Orderer.MSPID: "the orderer organisation"}
	for i, h := range c.Hospitals {
		field := fmt.Sprintf("hospitals[%d] %q", i, h.Name)
		for _, err := range h.check(c.Domain) {
			add(field, err)
		}
		if other, dup := names[h.Name]; dup && h.Name != "" {
			add(field, fmt.Errorf("name %q is already used by %s", h.Name, other))
		}
		names[h.Name] = fmt.Sprintf("hospitals[%d]", i)
		if other, dup := msps[h.MSPID]; dup && h.MSPID != "" {
			add(field, fmt.Errorf("MSP ID %q is already used by %s", h.MSPID, other))
		}
		msps[h.MSPID] = fmt.Sprintf("hospitals[%d]", i)
	}
	known := map[string]bool{}
	for id := range msps {
		known[id] = true
	}
	add("policies.endorsement", channel.CheckPolicy(c.Policies.Endorsement, known))
	add("policies.lifecycleEndorsement", channel.CheckPolicy(c.Policies.LifecycleEndorsement, known))
	add("policies.admins", channel.CheckPolicy(c.Policies.Admins, known))
	add("batch", c.Batch.Check())
	add("raft", c.Raft.Check())
	if !slices.Contains(channel.ApplicationCapabilities, c.ApplicationCapability) {
		add("applicationCapability", fmt.Errorf("%q is not one of %v", c.ApplicationCapability, channel.ApplicationCapabilities))
	}
	return errors.Join(errs...)
}

func (o OrdererOrg) check(domain string) []error {
	var errs []error
	if err := checkOrgName(o.Name, domain, OrdererName(max(o.Nodes-1, 0))); err != nil {
		errs = append(errs, err)
	}
	if err := channel.CheckMSPID(o.MSPID); err != nil {
		errs = append(errs, fmt.Errorf("mspID: %w", err))
	}
	switch o.Consensus {
	case EtcdRaft:
		if o.Nodes < 1 {
			errs = append(errs, fmt.Errorf("nodes must be at least 1, got %d", o.Nodes))
		}
	case BFT:
		if o.Nodes < MinBFTNodes {
			errs = append(errs, fmt.Errorf("BFT needs at least %d nodes to tolerate a fault, got %d (use etcdraft for fewer)", MinBFTNodes, o.Nodes))
		}
	default:
		errs = append(errs, fmt.Errorf("consensus %q is not %q or %q", o.Consensus, EtcdRaft, BFT))
	}
	return errs
}

// Validate checks one hospital on its own, as the operator does for a Hospital resource
// before it belongs to any consortium; domain is the base domain ("" for the default).
//
// # Errors
//   - as the hospital checks of [Consortium.Validate], joined.
func (h Hospital) Validate(domain string) error {
	if domain == "" {
		domain = DefaultDomain
	}
	return errors.Join(h.withDefaults().check(domain)...)
}

func (h Hospital) check(domain string) []error {
	var errs []error
	if err := checkOrgName(h.Name, domain, PeerName(max(h.Peers-1, 0))); err != nil {
		errs = append(errs, err)
	}
	if err := channel.CheckMSPID(h.MSPID); err != nil {
		errs = append(errs, fmt.Errorf("mspID: %w", err))
	}
	if h.Peers < 1 {
		errs = append(errs, fmt.Errorf("peers must be at least 1, got %d", h.Peers))
	}
	if h.AnchorPeers < 1 || (h.Peers >= 1 && h.AnchorPeers > h.Peers) {
		errs = append(errs, fmt.Errorf("anchorPeers must be between 1 and peers (%d), got %d", h.Peers, h.AnchorPeers))
	}
	seen := map[string]bool{}
	for i, u := range h.Users {
		field := fmt.Sprintf("users[%d] %q", i, u.Name)
		if err := pki.CheckUserName(u.Name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
		if strings.EqualFold(u.Name, AdminUser) {
			errs = append(errs, fmt.Errorf("%s: %q is reserved for the organisation's admin", field, AdminUser))
		}
		if seen[strings.ToLower(u.Name)] {
			errs = append(errs, fmt.Errorf("%s: declared twice", field))
		}
		seen[strings.ToLower(u.Name)] = true
		if u.Role != pki.RoleClient && u.Role != pki.RoleAdmin {
			errs = append(errs, fmt.Errorf("%s: role %q is not client or admin", field, u.Role))
		}
		for name := range u.Attrs {
			if name == "" {
				errs = append(errs, fmt.Errorf("%s: attribute name is empty", field))
			}
		}
	}
	return errs
}

// checkOrgName checks an organisation name is a lower-case DNS label and that its longest
// node host name stays a valid DNS name.
func checkOrgName(name, domain, longestNode string) error {
	if err := pki.CheckDNSLabel(name); err != nil {
		return fmt.Errorf("name: %w", err)
	}
	if strings.ToLower(name) != name {
		return fmt.Errorf("name %q must be lower-case (it becomes a host name and a Kubernetes name)", name)
	}
	if err := pki.CheckDNSName(NodeHost(longestNode, OrgDomain(name, domain)), false); err != nil {
		return fmt.Errorf("name: %w", err)
	}
	return nil
}
