package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

const defaultTimelyFilingDays = 365

type planArgs struct {
	PlanID           string           `json:"planId"`
	Name             string           `json:"name"`
	PlanYear         Period           `json:"planYear"`
	EffectiveFrom    string           `json:"effectiveFrom,omitempty"`
	TimelyFilingDays int              `json:"timelyFilingDays,omitempty"`
	Network          []string         `json:"network"`
	InNetwork        Tier             `json:"inNetwork"`
	OutOfNetwork     Tier             `json:"outOfNetwork"`
	FeeSchedule      map[string]int64 `json:"feeSchedule"`
	Benefits         []Benefit        `json:"benefits"`
	Exclusions       []CodeRange      `json:"exclusions"`
}

// planEvent is the payload of PlanPublished.
type planEvent struct {
	PlanID        string `json:"planId"`
	Version       int    `json:"version"`
	PayerMSPID    string `json:"payerMspId"`
	EffectiveFrom string `json:"effectiveFrom"`
	PlanYear      Period `json:"planYear"`
}

// publishPlan publishes a new version of a plan. The first version creates the plan, owned by the caller's
// organisation; later versions may come only from that organisation, must take effect after the latest one
// (never retroactively, so adjudicated claims stay explained by the version they used) and either amend the
// same plan year or start a later one.
func publishPlan(ctx sdk.Context, a planArgs) (PlanVersion, error) {
	payer, err := asPayer(ctx, "publishing a plan", true)
	if err != nil {
		return PlanVersion{}, err
	}
	if a.EffectiveFrom == "" {
		a.EffectiveFrom = a.PlanYear.Start
	}
	if a.TimelyFilingDays == 0 {
		a.TimelyFilingDays = defaultTimelyFilingDays
	}
	if err := validatePlan(&a); err != nil {
		return PlanVersion{}, err
	}
	if today := txDate(ctx); a.EffectiveFrom < today {
		return PlanVersion{}, invalid("effectiveFrom %s is before today (%s): plan versions may not be retroactive", a.EffectiveFrom, today)
	}
	var meta PlanMeta
	found, err := ctx.GetJSON(planMetaKey(a.PlanID), &meta)
	switch {
	case err != nil:
		return PlanVersion{}, err
	case !found:
		meta = PlanMeta{PlanID: a.PlanID, PayerMSPID: payer}
	case meta.PayerMSPID != payer:
		return PlanVersion{}, denied("plan %s belongs to %s; only that payer may publish its versions", a.PlanID, meta.PayerMSPID)
	default:
		last := meta.Versions[len(meta.Versions)-1]
		if a.EffectiveFrom <= last.EffectiveFrom {
			return PlanVersion{}, precondition("plan %s version %d takes effect %s; a new version must take effect later (got %s)",
				a.PlanID, last.Version, last.EffectiveFrom, a.EffectiveFrom)
		}
		if a.PlanYear != last.PlanYear && a.PlanYear.Start <= last.PlanYear.End {
			return PlanVersion{}, precondition("plan year %s..%s overlaps plan year %s..%s of version %d: amend the same plan year or start after it",
				a.PlanYear.Start, a.PlanYear.End, last.PlanYear.Start, last.PlanYear.End, last.Version)
		}
	}
	v := PlanVersion{
		PlanID: a.PlanID, Version: len(meta.Versions) + 1, Name: a.Name, PayerMSPID: payer,
		PlanYear: a.PlanYear, EffectiveFrom: a.EffectiveFrom, TimelyFilingDays: a.TimelyFilingDays,
		Network: a.Network, InNetwork: a.InNetwork, OutOfNetwork: a.OutOfNetwork, FeeSchedule: a.FeeSchedule,
		Benefits: a.Benefits, Exclusions: a.Exclusions, PublishedAt: ctx.TxTime(), PublishedBy: callerHash(ctx.Caller()),
	}
	meta.Versions = append(meta.Versions, VersionInfo{Version: v.Version, EffectiveFrom: v.EffectiveFrom, PlanYear: v.PlanYear})
	if err := ctx.PutJSON(planKey(v.PlanID, v.Version), v); err != nil {
		return PlanVersion{}, err
	}
	if err := ctx.PutJSON(planMetaKey(v.PlanID), meta); err != nil {
		return PlanVersion{}, err
	}
	return v, ctx.Emit("PlanPublished", planEvent{PlanID: v.PlanID, Version: v.Version, PayerMSPID: payer,
		EffectiveFrom: v.EffectiveFrom, PlanYear: v.PlanYear})
}

type getPlanArgs struct {
	PlanID  string `json:"planId"`
	Version int    `json:"version,omitempty"`
	OnDate  string `json:"onDate,omitempty"`
}

// getPlan returns one version of a plan: the one named, the one in force on onDate, or the latest. Plans hold
// no member data, so anyone may read them.
func getPlan(ctx sdk.Context, a getPlanArgs) (PlanVersion, error) {
	if err := token("planId", a.PlanID, 64); err != nil {
		return PlanVersion{}, err
	}
	switch {
	case a.Version < 0:
		return PlanVersion{}, invalid("version must be positive (got %d)", a.Version)
	case a.Version > 0 && a.OnDate != "":
		return PlanVersion{}, invalid("give version or onDate, not both")
	case a.OnDate != "":
		if err := date("onDate", a.OnDate); err != nil {
			return PlanVersion{}, err
		}
	}
	meta, err := loadPlanMeta(ctx, a.PlanID)
	if err != nil {
		return PlanVersion{}, err
	}
	version := len(meta.Versions)
	switch {
	case a.OnDate != "":
		if version = meta.inForce(a.OnDate); version == 0 {
			return PlanVersion{}, notFound("plan %s has no version in force on %s", a.PlanID, a.OnDate)
		}
	case a.Version > version:
		return PlanVersion{}, notFound("plan %s has no version %d (latest is %d)", a.PlanID, a.Version, version)
	case a.Version > 0:
		version = a.Version
	}
	return loadPlan(ctx, a.PlanID, version)
}

func loadPlanMeta(ctx sdk.Context, plan string) (*PlanMeta, error) {
	var m PlanMeta
	found, err := ctx.GetJSON(planMetaKey(plan), &m)
	if err == nil && (!found || len(m.Versions) == 0) {
		err = notFound("plan %s does not exist", plan)
	}
	return &m, err
}

func loadPlan(ctx sdk.Context, plan string, version int) (PlanVersion, error) {
	var v PlanVersion
	found, err := ctx.GetJSON(planKey(plan, version), &v)
	if err == nil && !found {
		err = internal("plan %s lists version %d but it is not on the ledger", plan, version)
	}
	return v, err
}

// inForce returns the version in force on date d, 0 if none: the latest to take effect on or before d, if d
// lies in its plan year.
func (m *PlanMeta) inForce(d string) int {
	for i := len(m.Versions) - 1; i >= 0; i-- {
		if v := m.Versions[i]; v.EffectiveFrom <= d {
			if v.PlanYear.contains(d) {
				return v.Version
			}
			return 0
		}
	}
	return 0
}

// validatePlan checks every field of a and normalises it (sorted network, single-code ranges without To).
func validatePlan(a *planArgs) error {
	if err := token("planId", a.PlanID, 64); err != nil {
		return err
	}
	if err := name("name", a.Name); err != nil {
		return err
	}
	if err := planYear(a.PlanYear); err != nil {
		return err
	}
	if err := date("effectiveFrom", a.EffectiveFrom); err != nil {
		return err
	}
	if !a.PlanYear.contains(a.EffectiveFrom) {
		return invalid("effectiveFrom %s lies outside the plan year %s..%s", a.EffectiveFrom, a.PlanYear.Start, a.PlanYear.End)
	}
	if a.TimelyFilingDays < 1 || a.TimelyFilingDays > maxFilingDays {
		return invalid("timelyFilingDays must be 1 to %d (got %d)", maxFilingDays, a.TimelyFilingDays)
	}
	if len(a.Network) > maxNetwork {
		return invalid("network lists %d organisations, more than %d", len(a.Network), maxNetwork)
	}
	a.Network = slices.Clone(a.Network)
	slices.Sort(a.Network)
	for i, msp := range a.Network {
		if err := token(fmt.Sprintf("network[%d]", i), msp, 128); err != nil {
			return err
		}
		if i > 0 && a.Network[i-1] == msp {
			return invalid("network lists %s twice", msp)
		}
	}
	if a.Network == nil {
		a.Network = []string{}
	}
	if err := tier("inNetwork", a.InNetwork); err != nil {
		return err
	}
	if err := tier("outOfNetwork", a.OutOfNetwork); err != nil {
		return err
	}
	if len(a.FeeSchedule) > maxFeeEntries {
		return invalid("feeSchedule has %d codes, more than %d", len(a.FeeSchedule), maxFeeEntries)
	}
	for _, code := range slices.Sorted(maps.Keys(a.FeeSchedule)) {
		if err := procedureCode("feeSchedule code", code); err != nil {
			return err
		}
		if fee := a.FeeSchedule[code]; fee < 1 || fee > maxFeeCents {
			return invalid("feeSchedule[%s] must be 1 to %d cents per unit (got %d)", code, int64(maxFeeCents), fee)
		}
	}
	if a.FeeSchedule == nil {
		a.FeeSchedule = map[string]int64{}
	}
	if err := benefits(a.Benefits); err != nil {
		return err
	}
	if len(a.Exclusions) > maxRanges {
		return invalid("exclusions has %d ranges, more than %d", len(a.Exclusions), maxRanges)
	}
	for i := range a.Exclusions {
		if err := codeRange(fmt.Sprintf("exclusions[%d]", i), &a.Exclusions[i]); err != nil {
			return err
		}
	}
	if a.Exclusions == nil {
		a.Exclusions = []CodeRange{}
	}
	return nil
}

func planYear(p Period) error {
	if err := date("planYear.start", p.Start); err != nil {
		return err
	}
	if err := date("planYear.end", p.End); err != nil {
		return err
	}
	if n := daysBetween(p.Start, p.End); n < 0 || n >= maxPeriodDays {
		return invalid("planYear %s..%s must end on or after its start and span at most %d days", p.Start, p.End, maxPeriodDays)
	}
	return nil
}

func tier(field string, t Tier) error {
	if err := amount(field+".deductibleIndividualCents", t.DeductibleIndividualCents, maxPlanCents); err != nil {
		return err
	}
	if err := amount(field+".deductibleFamilyCents", t.DeductibleFamilyCents, maxPlanCents); err != nil {
		return err
	}
	if p := t.OOPMaxIndividualCents; p != nil {
		if err := amount(field+".oopMaxIndividualCents", *p, maxPlanCents); err != nil {
			return err
		}
	}
	if p := t.OOPMaxFamilyCents; p != nil {
		if err := amount(field+".oopMaxFamilyCents", *p, maxPlanCents); err != nil {
			return err
		}
	}
	switch {
	case t.DeductibleFamilyCents < t.DeductibleIndividualCents:
		return invalid("%s.deductibleFamilyCents (%d) is less than the individual deductible (%d)", field, t.DeductibleFamilyCents, t.DeductibleIndividualCents)
	case t.OOPMaxIndividualCents != nil && *t.OOPMaxIndividualCents < t.DeductibleIndividualCents:
		return invalid("%s.oopMaxIndividualCents (%d) is less than the individual deductible (%d)", field, *t.OOPMaxIndividualCents, t.DeductibleIndividualCents)
	case t.OOPMaxFamilyCents != nil && *t.OOPMaxFamilyCents < t.DeductibleFamilyCents:
		return invalid("%s.oopMaxFamilyCents (%d) is less than the family deductible (%d)", field, *t.OOPMaxFamilyCents, t.DeductibleFamilyCents)
	case t.OOPMaxIndividualCents != nil && t.OOPMaxFamilyCents != nil && *t.OOPMaxFamilyCents < *t.OOPMaxIndividualCents:
		return invalid("%s.oopMaxFamilyCents (%d) is less than the individual maximum (%d)", field, *t.OOPMaxFamilyCents, *t.OOPMaxIndividualCents)
	}
	if err := bps(field+".feeSchedulePercentBps", t.FeeSchedulePercentBps, maxFeePercentBp); err != nil {
		return err
	}
	return bps(field+".unlistedChargePercentBps", t.UnlistedChargePercentBps, bpsWhole)
}

// benefits checks the benefit list: unique ids, valid cost shares, and code ranges that never overlap, so
// every code has at most one benefit.
func benefits(bs []Benefit) error {
	if len(bs) == 0 || len(bs) > maxBenefits {
		return invalid("benefits must list 1 to %d benefits (got %d)", maxBenefits, len(bs))
	}
	type owned struct {
		r       CodeRange
		benefit string
	}
	var all []owned
	ids := map[string]bool{}
	for i := range bs {
		b := &bs[i]
		f := fmt.Sprintf("benefits[%d]", i)
		if err := token(f+".id", b.ID, 64); err != nil {
			return err
		}
		if ids[b.ID] {
			return invalid("%s.id %s is used twice", f, b.ID)
		}
		ids[b.ID] = true
		if len(b.Category) < 1 || len(b.Category) > 2 || !isUpperAlnum(b.Category) {
			return invalid("%s.category %q is not an X12 service type code (1-2 upper-case letters or digits, e.g. 98)", f, b.Category)
		}
		if len(b.Codes) == 0 || len(b.Codes) > maxRanges {
			return invalid("%s.codes must list 1 to %d code ranges (got %d)", f, maxRanges, len(b.Codes))
		}
		for j := range b.Codes {
			if err := codeRange(fmt.Sprintf("%s.codes[%d]", f, j), &b.Codes[j]); err != nil {
				return err
			}
			all = append(all, owned{b.Codes[j], b.ID})
		}
		if err := costShare(f+".inNetwork", b.InNetwork); err != nil {
			return err
		}
		if b.OutOfNetwork != nil {
			if err := costShare(f+".outOfNetwork", *b.OutOfNetwork); err != nil {
				return err
			}
		}
		if b.VisitsPerYear < 0 || b.VisitsPerYear > maxUnits || b.UnitsPerYear < 0 || b.UnitsPerYear > 100*maxUnits {
			return invalid("%s limits must be 0 (none) to %d visits and %d units per year", f, maxUnits, 100*maxUnits)
		}
	}
	slices.SortFunc(all, func(x, y owned) int {
		if c := strings.Compare(codeClass(x.r.From), codeClass(y.r.From)); c != 0 {
			return c
		}
		return strings.Compare(x.r.From, y.r.From)
	})
	for i := 1; i < len(all); i++ {
		p, q := all[i-1], all[i]
		if codeClass(p.r.From) == codeClass(q.r.From) && q.r.From <= p.r.last() {
			return invalid("code ranges %s-%s (benefit %s) and %s-%s (benefit %s) overlap: each code may have one benefit",
				p.r.From, p.r.last(), p.benefit, q.r.From, q.r.last(), q.benefit)
		}
	}
	return nil
}

func codeRange(field string, r *CodeRange) error {
	if err := procedureCode(field+".from", r.From); err != nil {
		return err
	}
	if r.To == "" || r.To == r.From {
		r.To = ""
		return nil
	}
	if err := procedureCode(field+".to", r.To); err != nil {
		return err
	}
	if codeClass(r.From) != codeClass(r.To) || r.To < r.From {
		return invalid("%s %s-%s is not a range: both ends must be codes of one kind, from <= to", field, r.From, r.To)
	}
	return nil
}

func costShare(field string, c CostShare) error {
	if err := amount(field+".copayCents", c.CopayCents, maxCopayCents); err != nil {
		return err
	}
	return bps(field+".coinsuranceBps", c.CoinsuranceBps, bpsWhole)
}

// benefitFor returns the benefit that covers code, nil if none.
func (v *PlanVersion) benefitFor(code string) *Benefit {
	for i := range v.Benefits {
		for _, r := range v.Benefits[i].Codes {
			if r.contains(code) {
				return &v.Benefits[i]
			}
		}
	}
	return nil
}

// excluded returns the exclusion range that holds code, if any.
func (v *PlanVersion) excluded(code string) (CodeRange, bool) {
	for _, r := range v.Exclusions {
		if r.contains(code) {
			return r, true
		}
	}
	return CodeRange{}, false
}

// inNetwork reports whether the provider organisation msp is in the plan's network.
func (v *PlanVersion) inNetwork(msp string) bool {
	_, ok := slices.BinarySearch(v.Network, msp)
	return ok
}
