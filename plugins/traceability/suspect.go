package main

import (
	"slices"
	"strings"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

type recallArgs struct {
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot"`
	Class  string `json:"class"`
	Reason string `json:"reason"`
}

// recallClasses are the FDA recall classes.
var recallClasses = []string{"I", "II", "III"}

// recall recalls one lot: from then on its packs cannot be shipped (except back to the manufacturer), packed or
// dispensed, and verify answers "recalled". The manufacturer owning the GTIN or a regulator may recall.
func recall(ctx sdk.Context, a recallArgs) (Recall, error) {
	c, err := authorize(ctx, "recall", roleManufacturer, roleRegulator)
	if err != nil {
		return Recall{}, err
	}
	t := newTx(ctx, c)
	if err := validateGTIN(a.GTIN); err != nil {
		return Recall{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if err := validateLot(a.Lot); err != nil {
		return Recall{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if !slices.Contains(recallClasses, a.Class) {
		return Recall{}, errf(sdk.InvalidArgument, "class %q is not an FDA recall class (I, II or III)", a.Class)
	}
	if err := validateText("reason", a.Reason, 500); err != nil {
		return Recall{}, err
	}
	if c.is(roleManufacturer) && !c.ownsGTIN(a.GTIN) {
		return Recall{}, errf(sdk.PermissionDenied, "recall: GTIN %s is not %s's product; only its manufacturer or a regulator may recall it", a.GTIN, c.actor.MSPID)
	}
	var l Lot
	if found, err := ctx.GetJSON(lotKey(a.GTIN, a.Lot), &l); err != nil {
		return Recall{}, err
	} else if !found {
		return Recall{}, errf(sdk.NotFound, "lot %s of GTIN %s was never commissioned", a.Lot, a.GTIN)
	}
	if old, err := t.recall(a.GTIN, a.Lot); err != nil {
		return Recall{}, err
	} else if old != nil {
		return Recall{}, errf(sdk.AlreadyExists, "lot %s of GTIN %s is already recalled (class %s) by %s since %s", a.Lot, a.GTIN, old.Class, old.By.MSPID, old.At.Format(time.RFC3339))
	}
	r := Recall{GTIN: a.GTIN, Lot: a.Lot, Class: a.Class, Reason: a.Reason, Units: l.Commissioned, By: c.actor, At: t.now}
	t.put(recallKey(a.GTIN, a.Lot), r)
	if err := t.flush(); err != nil {
		return Recall{}, err
	}
	return r, ctx.Emit("LotRecalled", map[string]any{"gtin": r.GTIN, "lot": r.Lot, "class": r.Class, "units": r.Units,
		"by": c.actor.MSPID, "at": t.now})
}

type investigateArgs struct {
	GTIN   string `json:"gtin"`
	Serial string `json:"serial"`
	Reason string `json:"reason"`
	Rule   string `json:"rule"`
}

// step describes one investigation transition: who may take it, from which statuses, to which status.
type step struct {
	function string
	roles    []string
	from     []string // "" stands for "no investigation yet"
	to       string
	event    string
	// holders: the custodian, the receiver of an in-transit shipment, and anyone who finds a serial that is
	// unknown or whose life already ended may take the step (they hold product the ledger cannot account for).
	holders bool
	// owner: the manufacturer owning the GTIN may take the step.
	owner bool
}

var (
	stepSuspect = step{function: "markSuspect", roles: append(slices.Clone(supplyRoles), roleRegulator),
		from: []string{"", invCleared}, to: invSuspect, event: "ProductMarkedSuspect", holders: true, owner: true}
	stepQuarantine = step{function: "quarantine", roles: append(slices.Clone(supplyRoles), roleRegulator),
		from: []string{"", invCleared, invSuspect}, to: invQuarantined, event: "ProductQuarantined", holders: true}
	stepClear = step{function: "clear", roles: []string{roleManufacturer, roleRegulator},
		from: []string{invSuspect, invQuarantined}, to: invCleared, event: "ProductCleared", owner: true}
	stepIllegitimate = step{function: "confirmIllegitimate", roles: []string{roleManufacturer, roleRegulator},
		from: []string{invSuspect, invQuarantined}, to: invIllegitimate, event: "ProductIllegitimate", owner: true}
)

// markSuspect opens an investigation of a product identifier (DSCSA §582 suspect product): the product must
// not move until it is cleared or confirmed illegitimate.
func markSuspect(ctx sdk.Context, a investigateArgs) (Investigation, error) {
	return investigate(ctx, stepSuspect, a)
}

// quarantine records that a product is physically segregated pending investigation.
func quarantine(ctx sdk.Context, a investigateArgs) (Investigation, error) {
	return investigate(ctx, stepQuarantine, a)
}

// clearSuspect closes an investigation: the product is legitimate and may move again. Only the manufacturer (who
// verifies its own product identifiers) or a regulator decides.
func clearSuspect(ctx sdk.Context, a investigateArgs) (Investigation, error) {
	return investigate(ctx, stepClear, a)
}

// confirmIllegitimate closes an investigation as counterfeit, diverted, stolen or otherwise unfit (DSCSA
// illegitimate product): final; the product may then only be destroyed. Regulators listen for the event (FDA
// Form 3911 notification within 24 hours).
func confirmIllegitimate(ctx sdk.Context, a investigateArgs) (Investigation, error) {
	return investigate(ctx, stepIllegitimate, a)
}

// investigate applies one investigation step to the product identifier in a.
func investigate(ctx sdk.Context, s step, a investigateArgs) (Investigation, error) {
	c, err := authorize(ctx, s.function, s.roles...)
	if err != nil {
		return Investigation{}, err
	}
	t := newTx(ctx, c)
	if err := validateGTIN(a.GTIN); err != nil {
		return Investigation{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if err := validateSerial(a.Serial); err != nil {
		return Investigation{}, sdk.NewError(sdk.InvalidArgument, err.Error())
	}
	if err := validateText("reason", a.Reason, 500); err != nil {
		return Investigation{}, err
	}
	if a.Rule != "" && (s.to != invSuspect || !slices.Contains(detectionRules, a.Rule)) {
		if s.to != invSuspect {
			return Investigation{}, errf(sdk.InvalidArgument, "rule is only given to markSuspect")
		}
		return Investigation{}, errf(sdk.InvalidArgument, "rule %q is not one of %s", a.Rule, strings.Join(detectionRules, ", "))
	}
	ref := ObjectRef{GTIN: a.GTIN, Serial: a.Serial}
	o, err := t.lookup(ref.key())
	if err != nil {
		return Investigation{}, err
	}
	if err := t.mayInvestigate(s, c, o, ref); err != nil {
		return Investigation{}, err
	}
	inv, err := t.investigation(a.GTIN, a.Serial)
	if err != nil {
		return Investigation{}, err
	}
	current := ""
	if inv != nil {
		current = inv.Status
	}
	if !slices.Contains(s.from, current) {
		if current == "" {
			return Investigation{}, errf(sdk.FailedPrecondition, "%s is not under investigation; nothing to %s", ref, s.function)
		}
		return Investigation{}, errf(sdk.FailedPrecondition, "%s is %s since %s; %s does not apply", ref, current, inv.UpdatedAt.Format(time.RFC3339), s.function)
	}
	if o == nil && s.to == invCleared {
		return Investigation{}, ruleErr(sdk.FailedPrecondition, ruleUnknownSerial, "%s was never commissioned and cannot be cleared; its manufacturer must commission it first", ref)
	}
	if inv == nil {
		inv = &Investigation{GTIN: a.GTIN, Serial: a.Serial, EPC: sgtinURI(a.GTIN, a.Serial)}
	}
	inv.Commissioned = o != nil
	if s.to == invSuspect {
		inv.Rule = a.Rule
		if o == nil {
			inv.Rule = ruleUnknownSerial
		}
	}
	inv.Status, inv.UpdatedAt = s.to, t.now
	inv.Steps = append(inv.Steps, InvestigationStep{Status: s.to, Reason: a.Reason, By: c.actor, At: t.now})
	t.put("investigation/"+a.GTIN+"/"+escape(a.Serial), inv)
	if err := t.flush(); err != nil {
		return Investigation{}, err
	}
	return *inv, ctx.Emit(s.event, map[string]any{"epc": inv.EPC, "gtin": inv.GTIN, "status": inv.Status, "rule": inv.Rule,
		"commissioned": inv.Commissioned, "by": c.actor.MSPID, "at": t.now})
}

// mayInvestigate checks that the caller may take step s on the product o (nil: never commissioned).
func (t *tx) mayInvestigate(s step, c *caller, o *Object, ref ObjectRef) error {
	if c.is(roleRegulator) {
		return nil
	}
	if s.owner && c.is(roleManufacturer) && c.ownsGTIN(ref.GTIN) {
		return nil
	}
	if s.holders {
		if o == nil || ended(o) {
			return nil // a serial the ledger says cannot physically exist: whoever finds it reports it
		}
		r, err := t.root(o)
		if err != nil {
			return err
		}
		if r.Status != statusInTransit && r.Owner == c.actor.MSPID {
			return nil
		}
		if r.Status == statusInTransit {
			var sh Shipment
			if found, err := t.ctx.GetJSON("shipment/"+r.Shipment, &sh); err != nil {
				return err
			} else if found && sh.To == c.actor.MSPID {
				return nil
			}
		}
		who := "its holder or a regulator"
		if s.owner {
			who = "its holder, its manufacturer or a regulator"
		}
		return ruleErr(sdk.PermissionDenied, ruleCustodyBreak, "%s: %s is in the custody of %s; only %s may do this", s.function, ref, r.Owner, who)
	}
	if c.is(roleManufacturer) {
		return errf(sdk.PermissionDenied, "%s: GTIN %s is not %s's product; only its manufacturer or a regulator decides", s.function, ref.GTIN, c.actor.MSPID)
	}
	return errf(sdk.PermissionDenied, "%s: only the manufacturer or a regulator decides", s.function)
}
