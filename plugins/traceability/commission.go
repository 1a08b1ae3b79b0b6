package main

import (
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

type commissionArgs struct {
	GTIN        string   `json:"gtin"`
	Lot         string   `json:"lot"`
	Expiry      string   `json:"expiry"`
	Serials     []string `json:"serials"`
	Location    string   `json:"location"`
	LocationExt string   `json:"locationExt"`
}

// eventResult is what event-recording functions return.
type eventResult struct {
	EventID string   `json:"eventId"`
	EPCs    []string `json:"epcs"`
}

// commission gives serial numbers to packs of one lot (EPCIS ObjectEvent ADD, bizStep commissioning). Only the
// manufacturer that owns the GTIN may: a serial appearing anywhere else is by definition unknown.
func commission(ctx sdk.Context, a commissionArgs) (eventResult, error) {
	c, err := authorize(ctx, "commission", roleManufacturer)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	if err := t.checkNewItems(a.GTIN, a.Lot, a.Expiry, a.Serials); err != nil {
		return eventResult{}, err
	}
	ev := newEvent(typeObject, actionAdd, stepCommissioning, dispActive, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation = readPoint, bizLoc
	ev.ILMD = &ILMD{LotNumber: a.Lot, ItemExpirationDate: a.Expiry}
	t.record(ev)
	if err := t.createItems(a.GTIN, a.Lot, a.Expiry, a.Serials, a.Location, nil, "object"); err != nil {
		return eventResult{}, err
	}
	ev.EPCList = epcsOf(a.GTIN, a.Serials)
	if err := t.flush(); err != nil {
		return eventResult{}, err
	}
	return eventResult{EventID: ev.EventID, EPCs: ev.EPCList}, ctx.Emit("ProductsCommissioned", map[string]any{
		"eventId": ev.EventID, "gtin": a.GTIN, "lot": a.Lot, "expiry": a.Expiry, "count": len(a.Serials),
		"by": c.actor.MSPID, "at": t.now,
	})
}

// checkNewItems validates new product identifiers of one lot for the caller: a registered product under the
// caller's company prefix, an unexpired expiry that agrees with the lot's, 1..maxObjectsPerCall distinct
// serials none of which exists (duplicate_commission).
func (t *tx) checkNewItems(gtin, lot, expiry string, serials []string) error {
	if err := validateGTIN(gtin); err != nil {
		return sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if err := validateLot(lot); err != nil {
		return sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if _, err := parseDate("expiry", expiry); err != nil {
		return sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if expired(expiry, t.now) {
		return errf(sdk.InvalidArgument, "expiry %s is already past", expiry)
	}
	if len(serials) == 0 || len(serials) > maxObjectsPerCall {
		return errf(sdk.InvalidArgument, "serials: %d given, 1 to %d per call", len(serials), maxObjectsPerCall)
	}
	seen := map[string]bool{}
	for _, s := range serials {
		if err := validateSerial(s); err != nil {
			return sdk.NewError(sdk.InvalidArgument, err.Error())
		}
		if seen[s] {
			return errf(sdk.InvalidArgument, "serials: %q is listed twice", s)
		}
		seen[s] = true
	}
	p, err := t.product(gtin)
	if err != nil {
		return err
	}
	if p == nil {
		return errf(sdk.NotFound, "product %s is not registered; call registerProduct first", gtin)
	}
	if p.Owner != t.by.actor.MSPID || !t.by.ownsGTIN(gtin) {
		return errf(sdk.PermissionDenied, "GTIN %s belongs to %s, not %s", gtin, p.Owner, t.by.actor.MSPID)
	}
	var l Lot
	if found, err := t.ctx.GetJSON(lotKey(gtin, lot), &l); err != nil {
		return err
	} else if found && l.Expiry != expiry {
		return errf(sdk.FailedPrecondition, "lot %s of GTIN %s has expiry %s; a lot has one expiry date, not %s", lot, gtin, l.Expiry, expiry)
	}
	for _, s := range serials {
		o, err := t.lookup(itemKey(gtin, s))
		if err != nil {
			return err
		}
		if o != nil {
			return ruleErr(sdk.AlreadyExists, ruleDuplicateCommission, "%s was already commissioned by %s at %s",
				o, o.CreatedBy.MSPID, o.CreatedAt.Format(time.RFC3339))
		}
	}
	return nil
}

// createItems creates checked items in the caller's custody at location, links them to the call's event in
// role, and counts them in their lot record.
func (t *tx) createItems(gtin, lot, expiry string, serials []string, location string, derivedFrom []string, role string) error {
	for _, s := range serials {
		o := &Object{Kind: kindSGTIN, EPC: sgtinURI(gtin, s), GTIN: gtin, Serial: s, Lot: lot, Expiry: expiry,
			Owner: t.by.actor.MSPID, Status: statusActive, Disposition: dispActive, Location: location,
			DerivedFrom: derivedFrom, CreatedBy: t.by.actor, CreatedAt: t.now, CreatedEvent: t.event.EventID}
		if err := t.link(o, role); err != nil {
			return err
		}
	}
	l := Lot{GTIN: gtin, Lot: lot, Expiry: expiry, Owner: t.by.actor.MSPID, FirstAt: t.now}
	if _, err := t.ctx.GetJSON(lotKey(gtin, lot), &l); err != nil {
		return err
	}
	l.Commissioned += len(serials)
	l.UpdatedAt = t.now
	t.put(lotKey(gtin, lot), l)
	return nil
}

// epcsOf returns the EPC URIs of serials of gtin.
func epcsOf(gtin string, serials []string) []string {
	out := make([]string, len(serials))
	for i, s := range serials {
		out[i] = sgtinURI(gtin, s)
	}
	return out
}

type repackageArgs struct {
	Inputs      []ObjectRef `json:"inputs"`
	GTIN        string      `json:"gtin"`
	Lot         string      `json:"lot"`
	Expiry      string      `json:"expiry"`
	Serials     []string    `json:"serials"`
	Location    string      `json:"location"`
	LocationExt string      `json:"locationExt"`
}

// repackage consumes packs in the repackager's custody and commissions new packs under the repackager's own
// GTIN (EPCIS TransformationEvent, bizStep repackaging), linking each output to its inputs. The output expiry may
// not be later than the earliest input expiry.
func repackage(ctx sdk.Context, a repackageArgs) (eventResult, error) {
	c, err := authorize(ctx, "repackage", roleRepackager)
	if err != nil {
		return eventResult{}, err
	}
	t := newTx(ctx, c)
	readPoint, bizLoc, err := c.location(a.Location, a.LocationExt)
	if err != nil {
		return eventResult{}, err
	}
	if err := validateRefs("inputs", a.Inputs); err != nil {
		return eventResult{}, err
	}
	if len(a.Inputs)+len(a.Serials) > maxObjectsPerCall {
		return eventResult{}, errf(sdk.InvalidArgument, "%d inputs and %d outputs, at most %d objects per call", len(a.Inputs), len(a.Serials), maxObjectsPerCall)
	}
	if err := t.checkNewItems(a.GTIN, a.Lot, a.Expiry, a.Serials); err != nil {
		return eventResult{}, err
	}
	inputs := make([]*Object, len(a.Inputs))
	inputEPCs := make([]string, len(a.Inputs))
	for i, r := range a.Inputs {
		if r.SSCC != "" {
			return eventResult{}, errf(sdk.InvalidArgument, "inputs[%d]: %s is a container; repackage takes packs, disaggregate first", i, r)
		}
		o, err := t.get(r)
		if err != nil {
			return eventResult{}, err
		}
		if _, err := t.requireCustody(o, "be repackaged"); err != nil {
			return eventResult{}, err
		}
		if err := requireLoose(o, "be repackaged"); err != nil {
			return eventResult{}, err
		}
		if err := t.requireClean(o, "be repackaged"); err != nil {
			return eventResult{}, err
		}
		if err := t.requireSaleable(o, "be repackaged", ""); err != nil {
			return eventResult{}, err
		}
		if a.Expiry > o.Expiry {
			return eventResult{}, errf(sdk.InvalidArgument, "expiry %s is later than input %s's expiry %s", a.Expiry, o, o.Expiry)
		}
		inputs[i], inputEPCs[i] = o, o.EPC
	}
	ev := newEvent(typeTransformation, "", stepRepackaging, dispActive, ctx.TxID(), t.now, c.actor)
	ev.ReadPoint, ev.BizLocation = readPoint, bizLoc
	ev.ILMD = &ILMD{LotNumber: a.Lot, ItemExpirationDate: a.Expiry}
	ev.InputEPCList, ev.OutputEPCList = inputEPCs, epcsOf(a.GTIN, a.Serials)
	t.record(ev)
	for _, o := range inputs {
		o.Status, o.Disposition, o.Location = statusRepackaged, dispInactive, a.Location
		if err := t.link(o, "input"); err != nil {
			return eventResult{}, err
		}
	}
	if err := t.createItems(a.GTIN, a.Lot, a.Expiry, a.Serials, a.Location, inputEPCs, "output"); err != nil {
		return eventResult{}, err
	}
	if err := t.flush(); err != nil {
		return eventResult{}, err
	}
	return eventResult{EventID: ev.EventID, EPCs: ev.OutputEPCList}, ctx.Emit("ProductsRepackaged", map[string]any{
		"eventId": ev.EventID, "inputs": len(inputs), "gtin": a.GTIN, "lot": a.Lot, "outputs": len(a.Serials),
		"by": c.actor.MSPID, "at": t.now, "inputGtins": sortedUnique(gtinsOf(inputs)),
	})
}

// gtinsOf lists the GTINs of objects.
func gtinsOf(objs []*Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.GTIN)
	}
	return out
}
