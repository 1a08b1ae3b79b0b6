package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

// Verification answers, most serious first: status is the first that applies, flags lists all that apply.
const (
	verifyUnknownSerial    = "unknown_serial"
	verifyIllegitimate     = "illegitimate"
	verifyDataMismatch     = "data_mismatch"
	verifyQuarantined      = "quarantined"
	verifySuspect          = "suspect"
	verifyRecalled         = "recalled"
	verifyAlreadyDispensed = "already_dispensed"
	verifyDestroyed        = "destroyed"
	verifyDecommissioned   = "decommissioned"
	verifyExpired          = "expired"
	verifyGenuine          = "genuine"
)

var verifyOrder = []string{verifyUnknownSerial, verifyIllegitimate, verifyDataMismatch, verifyQuarantined, verifySuspect,
	verifyRecalled, verifyAlreadyDispensed, verifyDestroyed, verifyDecommissioned, verifyExpired}

// verifyPurposes are why a partner verifies a product identifier, recorded for audit.
var verifyPurposes = []string{"dispensing", "other", "receiving", "recall", "saleable_return", "suspect_investigation"}

type verifyArgs struct {
	GTIN    string `json:"gtin"`
	Serial  string `json:"serial"`
	Lot     string `json:"lot"`
	Expiry  string `json:"expiry"`
	Barcode string `json:"barcode"`
	Purpose string `json:"purpose"`
}

// Custody is where an object is now, judged at its outermost container.
type Custody struct {
	Owner     string `json:"owner"`
	Status    string `json:"status"`
	Location  string `json:"location,omitempty"`
	Container string `json:"container,omitempty"`
	Shipment  string `json:"shipment,omitempty"`
}

// Evidence is what a verification answer rests on.
type Evidence struct {
	Item          *Object        `json:"item,omitempty"`
	Custody       *Custody       `json:"custody,omitempty"`
	Product       *Product       `json:"product,omitempty"`
	Mismatches    []string       `json:"mismatches,omitempty"`
	Recall        *Recall        `json:"recall,omitempty"`
	Investigation *Investigation `json:"investigation,omitempty"`
	LastEvent     *Event         `json:"lastEvent,omitempty"`
}

// VerifyResult is the answer to a verification request.
type VerifyResult struct {
	Presented  productIdentifier `json:"presented"`
	EPC        string            `json:"epc"`
	Verified   bool              `json:"verified"`
	Status     string            `json:"status"`
	Flags      []string          `json:"flags"`
	Evidence   Evidence          `json:"evidence"`
	VerifiedBy Actor             `json:"verifiedBy"`
	VerifiedAt time.Time         `json:"verifiedAt"`
}

// verify checks a product identifier, typed or scanned, against the ledger (DSCSA §582 verification) and
// answers genuine or why not, with the evidence. Every request is recorded with its purpose and answer.
func verify(ctx sdk.Context, a verifyArgs) (VerifyResult, error) {
	c, err := authorize(ctx, "verify", append(slices.Clone(supplyRoles), roleRegulator)...)
	if err != nil {
		return VerifyResult{}, err
	}
	t := newTx(ctx, c)
	if !slices.Contains(verifyPurposes, a.Purpose) {
		return VerifyResult{}, errf(sdk.InvalidArgument, "purpose %q is not one of %s", a.Purpose, strings.Join(verifyPurposes, ", "))
	}
	p, err := presented(a, t.now)
	if err != nil {
		return VerifyResult{}, err
	}
	res := VerifyResult{Presented: p, EPC: sgtinURI(p.GTIN, p.Serial), Flags: []string{}, VerifiedBy: c.actor, VerifiedAt: t.now}
	if err := t.evaluate(p, &res); err != nil {
		return VerifyResult{}, err
	}
	res.Status = verifyGenuine
	for _, f := range verifyOrder {
		if slices.Contains(res.Flags, f) {
			res.Status = f
			break
		}
	}
	res.Verified = res.Status == verifyGenuine
	v := Verification{Presented: p, Purpose: a.Purpose, Status: res.Status, Flags: res.Flags, By: c.actor, At: t.now}
	t.put("verification/"+p.GTIN+"/"+escape(p.Serial)+"/"+timeKey(t.now)+"/"+escape(ctx.TxID()), v)
	if err := t.flush(); err != nil {
		return VerifyResult{}, err
	}
	return res, ctx.Emit("ProductVerified", map[string]any{"epc": res.EPC, "status": res.Status, "purpose": a.Purpose,
		"by": c.actor.MSPID, "at": t.now})
}

// presented validates the product identifier of a verify request: a barcode, or gtin and serial with optional
// lot and expiry, not both.
func presented(a verifyArgs, now time.Time) (productIdentifier, error) {
	if a.Barcode != "" {
		if a.GTIN != "" || a.Serial != "" || a.Lot != "" || a.Expiry != "" {
			return productIdentifier{}, errf(sdk.InvalidArgument, "give either barcode or gtin/serial/lot/expiry, not both")
		}
		if len(a.Barcode) > 200 {
			return productIdentifier{}, errf(sdk.InvalidArgument, "barcode is %d bytes, at most 200", len(a.Barcode))
		}
		p, err := parseBarcode(a.Barcode, now)
		if err != nil {
			return productIdentifier{}, sdk.NewError(sdk.InvalidArgument, err.Error())
		}
		a.GTIN, a.Serial, a.Lot, a.Expiry = p.GTIN, p.Serial, p.Lot, p.Expiry
	}
	if err := validateGTIN(a.GTIN); err != nil {
		return productIdentifier{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if err := validateSerial(a.Serial); err != nil {
		return productIdentifier{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if a.Lot != "" {
		if err := validateLot(a.Lot); err != nil {
			return productIdentifier{}, sdk.NewError(sdk.InvalidArgument, err.Error())
		}
	}
	if a.Expiry != "" {
		if _, err := parseDate("expiry", a.Expiry); err != nil {
			return productIdentifier{}, sdk.NewError(sdk.InvalidArgument, err.Error())
		}
	}
	return productIdentifier{GTIN: a.GTIN, Serial: a.Serial, Lot: a.Lot, Expiry: a.Expiry}, nil
}

// evaluate gathers the flags and evidence of product identifier p into res.
func (t *tx) evaluate(p productIdentifier, res *VerifyResult) error {
	flag := func(f string) { res.Flags = append(res.Flags, f) }
	ev := &res.Evidence
	var err error
	if ev.Investigation, err = t.investigation(p.GTIN, p.Serial); err != nil {
		return err
	}
	if inv := ev.Investigation; inv != nil && inv.Status != invCleared {
		flag(inv.Status)
	}
	if ev.Product, err = t.product(p.GTIN); err != nil {
		return err
	}
	o, err := t.lookup(itemKey(p.GTIN, p.Serial))
	if err != nil {
		return err
	}
	if o == nil {
		flag(verifyUnknownSerial)
		return nil
	}
	ev.Item = o
	if p.Lot != "" && p.Lot != o.Lot {
		ev.Mismatches = append(ev.Mismatches, fmt.Sprintf("lot %q presented, %q commissioned", p.Lot, o.Lot))
	}
	if p.Expiry != "" && p.Expiry != o.Expiry {
		ev.Mismatches = append(ev.Mismatches, fmt.Sprintf("expiry %s presented, %s commissioned", p.Expiry, o.Expiry))
	}
	if len(ev.Mismatches) > 0 {
		flag(verifyDataMismatch)
	}
	if ev.Recall, err = t.recall(o.GTIN, o.Lot); err != nil {
		return err
	}
	if ev.Recall != nil {
		flag(verifyRecalled)
	}
	switch o.Status {
	case statusDispensed:
		flag(verifyAlreadyDispensed)
	case statusDestroyed:
		flag(verifyDestroyed)
	case statusDecommissioned, statusRepackaged:
		flag(verifyDecommissioned)
	}
	if expired(o.Expiry, t.now) {
		flag(verifyExpired)
	}
	if ev.Custody, err = t.custody(o); err != nil {
		return err
	}
	if ev.LastEvent, err = t.loadEvent(o.LastEvent); err != nil {
		return err
	}
	return nil
}

// custody returns where o is now, judged at its outermost container.
func (t *tx) custody(o *Object) (*Custody, error) {
	r, err := t.root(o)
	if err != nil {
		return nil, err
	}
	status := r.Status
	if r != o && status == statusActive {
		status = o.Status // a pack's own final status cannot be overridden by its case's
	}
	c := &Custody{Owner: r.Owner, Status: status, Location: r.Location, Shipment: r.Shipment}
	if r != o {
		c.Container = r.SSCC
	}
	return c, nil
}

// loadEvent returns the stored event with id, nil for "".
func (t *tx) loadEvent(id string) (*Event, error) {
	if id == "" {
		return nil, nil
	}
	var e Event
	found, err := t.ctx.GetJSON(eventKey(id), &e)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errf(sdk.Internal, "event %s is missing", id)
	}
	return &e, nil
}
