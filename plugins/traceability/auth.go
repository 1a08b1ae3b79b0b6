package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

// Counterfeit detection rules. A call that would break one fails with a message starting with the rule's name
// after the error code ("failed_precondition: dispense_twice: …"), so pharmacy and distributor systems can react
// (quarantine, notify) without parsing prose.
const (
	ruleUnknownSerial       = "unknown_serial"
	ruleDuplicateCommission = "duplicate_commission"
	ruleReceiveWithoutShip  = "receive_without_ship"
	ruleCustodyBreak        = "custody_break"
	ruleDispenseTwice       = "dispense_twice"
)

// detectionRules lists the rules markSuspect accepts as the reason a product became suspect, sorted.
var detectionRules = []string{ruleCustodyBreak, ruleDispenseTwice, ruleDuplicateCommission, ruleReceiveWithoutShip, ruleUnknownSerial}

// errf returns an *sdk.Error with code and a formatted message.
func errf(code sdk.Code, format string, args ...any) *sdk.Error {
	return sdk.NewError(code, fmt.Sprintf(format, args...))
}

// message is err's text without the code prefix when err is an *sdk.Error, so the caller can add context and
// code it again.
func message(err error) string {
	var e *sdk.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ruleErr returns an *sdk.Error with code whose message starts with the detection rule.
func ruleErr(code sdk.Code, rule, format string, args ...any) *sdk.Error {
	return sdk.NewError(code, rule+": "+fmt.Sprintf(format, args...))
}

// actorOf is the audit identity of the caller: MSP, identity string and certificate role attribute.
func actorOf(id sdk.Identity) Actor {
	role, _ := id.Attr("role")
	return Actor{MSPID: id.MSPID, ID: id.ID, Role: role}
}

// caller is an authorised caller: its identity, its role attribute and its organisation's partner record.
type caller struct {
	id      sdk.Identity
	actor   Actor
	partner *Partner
}

// authorize checks that the caller may act in one of roles: a client or admin certificate whose "role"
// attribute is one of roles, issued by an MSP registered as an active trading partner holding that role. A
// certificate attribute alone is not enough: a hospital CA could issue role=manufacturer to anyone, so the
// partner registry, kept by the regulator, says what each organisation is licensed for.
func authorize(ctx sdk.Context, function string, roles ...string) (*caller, error) {
	id := ctx.Caller()
	if !id.HasRole("client", "admin") {
		return nil, errf(sdk.PermissionDenied, "%s: certificate NodeOU %q may not transact (client or admin required)", function, id.Role)
	}
	role, ok := id.Attr("role")
	if !ok || role == "" {
		return nil, errf(sdk.PermissionDenied, "%s: caller certificate has no role attribute", function)
	}
	if !slices.Contains(roles, role) {
		return nil, errf(sdk.PermissionDenied, "%s: role %q may not call it (requires %s)", function, role, strings.Join(roles, " or "))
	}
	p, err := loadPartner(ctx, id.MSPID)
	if err != nil {
		return nil, err
	}
	switch {
	case p == nil:
		return nil, errf(sdk.PermissionDenied, "%s: %s is not a registered trading partner", function, id.MSPID)
	case p.Status != partnerActive:
		return nil, errf(sdk.PermissionDenied, "%s: trading partner %s is %s: %s", function, id.MSPID, p.Status, p.StatusReason)
	case !slices.Contains(p.Roles, role):
		return nil, errf(sdk.PermissionDenied, "%s: %s is not registered as a %s (registered: %s)", function, id.MSPID, role, strings.Join(p.Roles, ", "))
	}
	return &caller{id: id, actor: actorOf(id), partner: p}, nil
}

// is reports whether the caller acts in role.
func (c *caller) is(role string) bool { return c.actor.Role == role }

// ownsGTIN reports whether the GTIN was allocated under one of the caller's GS1 company prefixes.
func (c *caller) ownsGTIN(gtin string) bool {
	for _, p := range c.partner.CompanyPrefixes {
		if gtinHasPrefix(gtin, p) {
			return true
		}
	}
	return false
}

// location validates that gln (with an optional extension) is one of the caller's registered sites and returns
// it as EPCIS readPoint and bizLocation references.
func (c *caller) location(gln, ext string) (readPoint, bizLocation *Ref, err error) {
	if err := validateGLN(gln); err != nil {
		return nil, nil, sdk.NewError(sdk.InvalidArgument, "location: "+err.Error())
	}
	if ext != "" {
		if err := validateCSET82("location extension", ext, 20); err != nil {
			return nil, nil, sdk.NewError(sdk.InvalidArgument, err.Error())
		}
	}
	if !c.partner.hasLocation(gln) {
		return nil, nil, errf(sdk.PermissionDenied, "location %s is not a registered site of %s", gln, c.partner.MSPID)
	}
	return &Ref{ID: locationURI(gln, ext)}, &Ref{ID: locationURI(gln, "")}, nil
}

// hasLocation reports whether gln is the partner's own GLN or one of its sites.
func (p *Partner) hasLocation(gln string) bool {
	return p.GLN == gln || slices.Contains(p.Locations, gln)
}

// loadPartner reads the partner record of mspID, nil if none.
func loadPartner(ctx sdk.Context, mspID string) (*Partner, error) {
	var p Partner
	found, err := ctx.GetJSON("partner/"+mspID, &p)
	if err != nil || !found {
		return nil, err
	}
	return &p, nil
}
