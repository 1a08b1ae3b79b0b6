package main

import (
	"fmt"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/medledger/medledger/plugins/sdk"
)

// Shared argument and state checks. Each returns an *sdk.Error naming the object and the reason.

// validateText checks a required free-text field: 1..max bytes of UTF-8 without control characters.
func validateText(what, s string, max int) error {
	switch {
	case s == "":
		return errf(sdk.InvalidArgument, "%s is required", what)
	case len(s) > max:
		return errf(sdk.InvalidArgument, "%s is %d bytes, at most %d", what, len(s), max)
	case !utf8.ValidString(s):
		return errf(sdk.InvalidArgument, "%s is not valid UTF-8", what)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errf(sdk.InvalidArgument, "%s contains control character %U", what, r)
		}
	}
	return nil
}

// validateID checks an identifier used in keys (MSP id, shipment id): 1..64 of [A-Za-z0-9._-], starting with
// a letter or digit.
func validateID(what, s string) error {
	if s == "" {
		return errf(sdk.InvalidArgument, "%s is required", what)
	}
	if len(s) > 64 {
		return errf(sdk.InvalidArgument, "%s %q is longer than 64 characters", what, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return errf(sdk.InvalidArgument, "%s %q may hold only letters, digits, '.', '_' and '-' and must start with a letter or digit", what, s)
		}
	}
	return nil
}

// ended reports whether o has reached the end of its life: no action may touch it any more.
func ended(o *Object) bool {
	switch o.Status {
	case statusDispensed, statusDecommissioned, statusDestroyed, statusRepackaged, statusEmptied:
		return true
	}
	return false
}

// alive checks that o has not reached the end of its life; action names what the caller tried.
func alive(o *Object, action string) error {
	if !ended(o) {
		return nil
	}
	when := o.LastEventTime.Format(time.RFC3339)
	switch o.Status {
	case statusDispensed:
		if action == "be dispensed" {
			return ruleErr(sdk.FailedPrecondition, ruleDispenseTwice, "%s was already dispensed by %s at %s", o, o.Owner, when)
		}
		return errf(sdk.FailedPrecondition, "%s was dispensed by %s at %s; it cannot %s", o, o.Owner, when, action)
	case statusEmptied:
		return errf(sdk.FailedPrecondition, "container %s was emptied at %s and GS1 forbids reusing an SSCC; it cannot %s", o, when, action)
	default: // decommissioned, destroyed, repackaged
		return errf(sdk.FailedPrecondition, "%s was %s at %s; it cannot %s", o, o.Status, when, action)
	}
}

// requireCustody checks that o is alive, not in transit, and in the custody of the caller's organisation,
// judged at its outermost container. It returns that container (o itself when loose).
func (t *tx) requireCustody(o *Object, action string) (*Object, error) {
	if err := alive(o, action); err != nil {
		return nil, err
	}
	r, err := t.root(o)
	if err != nil {
		return nil, err
	}
	where := ""
	if r != o {
		where = " (inside " + r.String() + ")"
	}
	switch {
	case r.Status == statusInTransit:
		return nil, errf(sdk.FailedPrecondition, "%s%s is in transit in shipment %s; it cannot %s until received", o, where, r.Shipment, action)
	case r.Owner != t.by.actor.MSPID:
		return nil, ruleErr(sdk.PermissionDenied, ruleCustodyBreak, "%s%s is in the custody of %s, not %s", o, where, r.Owner, t.by.actor.MSPID)
	}
	return r, nil
}

// requireLoose checks that o is not packed in a container.
func requireLoose(o *Object, action string) error {
	if o.Parent != "" {
		return errf(sdk.FailedPrecondition, "%s is packed in container (00)%s; disaggregate it before it can %s", o, o.Parent, action)
	}
	return nil
}

// blocking reports whether an investigation status stops a product from moving.
func blocking(inv *Investigation) bool {
	return inv != nil && inv.Status != invCleared
}

// requireClean checks that no item in o is suspect, quarantined or confirmed illegitimate.
func (t *tx) requireClean(o *Object, action string) error {
	return t.eachUnit(o, func(u *Object) error {
		inv, err := t.investigation(u.GTIN, u.Serial)
		if err != nil {
			return err
		}
		if blocking(inv) {
			last := inv.Steps[len(inv.Steps)-1]
			return errf(sdk.FailedPrecondition, "%s%s is %s since %s (%s); it cannot %s", u, inside(o, u), inv.Status,
				last.At.Format(time.RFC3339), last.Reason, action)
		}
		return nil
	})
}

// requireSaleable checks that no item in o is recalled or expired, except that such product may go back to the
// manufacturer that owns its GTIN (returnTo, "" when not shipping).
func (t *tx) requireSaleable(o *Object, action, returnTo string) error {
	return t.eachUnit(o, func(u *Object) error {
		rc, err := t.recall(u.GTIN, u.Lot)
		if err != nil {
			return err
		}
		exp := expired(u.Expiry, t.now)
		if rc == nil && !exp {
			return nil
		}
		if returnTo != "" {
			p, err := t.product(u.GTIN)
			if err != nil {
				return err
			}
			if p != nil && p.Owner == returnTo {
				return nil
			}
		}
		if rc != nil {
			return errf(sdk.FailedPrecondition, "%s%s belongs to lot %s, recalled (class %s) by %s at %s; it cannot %s except back to its manufacturer",
				u, inside(o, u), u.Lot, rc.Class, rc.By.MSPID, rc.At.Format(time.RFC3339), action)
		}
		return errf(sdk.FailedPrecondition, "%s%s expired on %s; it cannot %s except back to its manufacturer", u, inside(o, u), u.Expiry, action)
	})
}

// inside names the container o that holds unit u in messages, "" when they are the same.
func inside(o, u *Object) string {
	if o == u {
		return ""
	}
	return fmt.Sprintf(" (inside %s)", o)
}

// sortedUnique returns the sorted distinct values of ss.
func sortedUnique(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}
