package main

import (
	"slices"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

type dispenseArgs struct {
	Items       []ObjectRef `json:"items"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// dispense records packs handed to patients (EPCIS ObjectEvent OBSERVE, bizStep dispensing). No patient
// identifier is taken: the ledger only learns that the pack left the supply chain, so the same serial showing
// up again is detectable (dispense_twice) without any PHI.
func dispense(ctx sdk.Context, a dispenseArgs) (eventResult, error) {
	c, err := authorize(ctx, "dispense", roleDispenser)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	items, err := t.loadItems("items", a.Items, "be dispensed", func(o *Object) error {
		if err := t.requireClean(o, "be dispensed"); err != nil {
			return err
		}
		return t.requireSaleable(o, "be dispensed", "")
	})
	if err != nil {
		return eventResult{}, err
	}
	ev := newEvent(typeObject, actionObserve, stepDispensing, dispDispensed, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation = readPoint, bizLoc
	return t.finishTerminal(ev, items, statusDispensed, a.Location, "ProductsDispensed")
}

// Decommissioning reasons; those that are CBV 2.0 dispositions become the event's disposition.
var decommissionReasons = []string{"damaged", "expired", "label_error", "other", "sample", "stolen"}

type decommissionArgs struct {
	Items       []ObjectRef `json:"items"`
	Reason      string      `json:"reason"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// decommission ends the life of product identifiers that will not be sold, e.g. damaged labels, samples, stolen
// stock (EPCIS ObjectEvent DELETE, bizStep decommissioning). Product under investigation must stay as evidence.
func decommission(ctx sdk.Context, a decommissionArgs) (eventResult, error) {
	c, err := authorize(ctx, "decommission", supplyRoles...)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	if !slices.Contains(decommissionReasons, a.Reason) {
		return eventResult{}, errf(sdk.InvalidArgument, "reason %q is not one of %s", a.Reason, strings.Join(decommissionReasons, ", "))
	}
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	items, err := t.loadItems("items", a.Items, "be decommissioned", func(o *Object) error {
		return t.requireClean(o, "be decommissioned")
	})
	if err != nil {
		return eventResult{}, err
	}
	disp := dispInactive
	if a.Reason == "damaged" || a.Reason == "stolen" || a.Reason == "expired" {
		disp = a.Reason
	}
	ev := newEvent(typeObject, actionDelete, stepDecommissioning, disp, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation, ev.Reason = readPoint, bizLoc, a.Reason
	return t.finishTerminal(ev, items, statusDecommissioned, a.Location, "ProductsDecommissioned")
}

type destroyArgs struct {
	Items       []ObjectRef `json:"items"`
	Reason      string      `json:"reason"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// destroy records the physical destruction of packs (EPCIS ObjectEvent DELETE, bizStep destroying): expired or
// recalled stock, or product confirmed illegitimate (DSCSA §582 requires its disposition). Product still under
// investigation (suspect, quarantined) may not be destroyed before a decision.
func destroy(ctx sdk.Context, a destroyArgs) (eventResult, error) {
	c, err := authorize(ctx, "destroy", supplyRoles...)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	if err := validateText("reason", a.Reason, 500); err != nil {
		return eventResult{}, err
	}
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	items, err := t.loadItems("items", a.Items, "be destroyed", func(o *Object) error {
		inv, err := t.investigation(o.GTIN, o.Serial)
		if err != nil {
			return err
		}
		if inv != nil && (inv.Status == invSuspect || inv.Status == invQuarantined) {
			return errf(sdk.FailedPrecondition, "%s is %s since %s; it must be cleared or confirmed illegitimate before it can be destroyed",
				o, inv.Status, inv.UpdatedAt.Format(time.RFC3339))
		}
		return nil
	})
	if err != nil {
		return eventResult{}, err
	}
	ev := newEvent(typeObject, actionDelete, stepDestroying, dispDestroyed, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation, ev.Reason = readPoint, bizLoc, a.Reason
	return t.finishTerminal(ev, items, statusDestroyed, a.Location, "ProductsDestroyed")
}

// loadItems validates a list of pack references and loads each: a pack (not a container), alive, loose, in the
// caller's custody, then check.
func (t *tx) loadItems(what string, refs []ObjectRef, action string, check func(*Object) error) ([]*Object, error) {
	if err := validateRefs(what, refs); err != nil {
		return nil, err
	}
	items := make([]*Object, len(refs))
	for i, r := range refs {
		if r.SSCC != "" {
			return nil, errf(sdk.InvalidArgument, "%s[%d]: %s is a container; name the packs (disaggregate first)", what, i, r)
		}
		o, err := t.get(r)
		if err != nil {
			return nil, err
		}
		if _, err := t.requireCustody(o, action); err != nil {
			return nil, err
		}
		if err := requireLoose(o, action); err != nil {
			return nil, err
		}
		if err := check(o); err != nil {
			return nil, err
		}
		items[i] = o
	}
	return items, nil
}

// finishTerminal moves items to a final status at location under ev, writes, and emits the ledger event name.
func (t *tx) finishTerminal(ev *Event, items []*Object, status, location, name string) (eventResult, error) {
	t.record(ev)
	for _, o := range items {
		o.Status, o.Disposition, o.Location = status, ev.Disposition, location
		ev.EPCList = append(ev.EPCList, o.EPC)
		if err := t.link(o, "object"); err != nil {
			return eventResult{}, err
		}
	}
	if err := t.flush(); err != nil {
		return eventResult{}, err
	}
	return eventResult{EventID: ev.EventID, EPCs: ev.EPCList}, t.ctx.Emit(name, map[string]any{
		"eventId": ev.EventID, "bizStep": ev.BizStep, "count": len(items), "gtins": sortedUnique(gtinsOf(items)),
		"by": t.by.actor.MSPID, "at": t.now,
	})
}
