package main

import (
	"fmt"
	"strings"
)

// adjudicate explains and prices every line of c in line order against the member's coverage on each line's
// service date, updating the book (accumulators, authorization units, duplicate-check keys) as it goes, so a
// later line sees an earlier line's deductible. It then totals the claim. Denials are results, not errors: an
// error means the ledger is corrupt.
//
// Each line goes through, in order, and stops at the first check that denies all of it:
//
//	duplicate (OA-18) → eligibility on the service date (PR-26/27/200) → plan version in force (CO-109) →
//	timely filing (CO-29) → exclusions (PR-204) → a benefit for the code (PR-96) → network (PR-242 when the
//	benefit has no out-of-network cover) → prior authorization (197/15/39, 198 for units beyond it) →
//	annual visit and unit limits (PR-119) → allowed amount (45) → deductible (PR-1) → copay (PR-3) →
//	coinsurance (PR-2) → out-of-pocket cap → plan pays the rest.
//
// Reductions the provider must absorb are CO in network; out of network the member carries them (PR).
func adjudicate(b *book, m *Member, c *Claim, today string) error {
	for i := range c.Lines {
		if err := adjudicateLine(b, m, c, &c.Lines[i], today); err != nil {
			return err
		}
	}
	return total(c)
}

// lineRef names a claim line for duplicate-check keys and explanations.
func lineRef(c *Claim, l *Line) string {
	return fmt.Sprintf("%s/%s#%d", c.ProviderMSPID, c.ClaimID, l.LineNumber)
}

// lineState is what is left of a line as checks take units and charge away from it.
type lineState struct {
	l     *Line
	units int   // units still covered
	rest  int64 // charge not yet adjusted
}

// deny adjusts away everything left of the line.
func (s *lineState) deny(group, reason, format string, args ...any) {
	s.l.Adjustments = append(s.l.Adjustments, Adjustment{Group: group, Reason: reason, AmountCents: s.rest,
		Units: s.units, Note: fmt.Sprintf(format, args...)})
	s.units, s.rest = 0, 0
}

// cut denies n of the units left, with their pro-rata share of the charge. Shares are taken cumulatively from
// the line's charge, so rounding never leaves a cent unexplained.
func (s *lineState) cut(n int, group, reason, format string, args ...any) {
	if n >= s.units {
		s.deny(group, reason, format, args...)
		return
	}
	left := s.units - n
	rest := s.l.ChargeCents - prorate(s.l.ChargeCents, s.l.Units-left, s.l.Units)
	s.l.Adjustments = append(s.l.Adjustments, Adjustment{Group: group, Reason: reason, AmountCents: s.rest - rest,
		Units: n, Note: fmt.Sprintf(format, args...)})
	s.units, s.rest = left, rest
}

// adjust records a reduction of amount (if any) without changing units.
func (s *lineState) adjust(group, reason string, amount int64, format string, args ...any) {
	if amount <= 0 {
		return
	}
	s.l.Adjustments = append(s.l.Adjustments, Adjustment{Group: group, Reason: reason, AmountCents: amount,
		Note: fmt.Sprintf(format, args...)})
	s.rest -= amount
}

func adjudicateLine(b *book, m *Member, c *Claim, l *Line, today string) error {
	s := &lineState{l: l, units: l.Units, rest: l.ChargeCents}
	l.Adjustments = []Adjustment{}
	ref := lineRef(c, l)

	key := dupKey(m.MemberID, l.ServiceDate, l.Code, l.Modifiers, c.ProviderMSPID)
	if owner := b.dupOwner(key); owner != "" {
		s.deny(groupOA, carcDuplicate, "exact duplicate of %s: same member, provider, code, modifiers and date of service", owner)
		return nil
	}
	b.setDup(key, ref)
	l.DuplicateKey = key

	cov, reason := m.coverageOn(l.ServiceDate)
	if cov == nil {
		s.deny(groupPR, reason, "the member has no coverage on %s (%s)", l.ServiceDate, coverageGap(reason))
		return nil
	}
	pv, err := b.planOn(cov.PlanID, l.ServiceDate)
	if err != nil {
		return err
	}
	if pv == nil {
		s.deny(groupCO, carcNotThisPayer, "plan %s has no version in force on %s", cov.PlanID, l.ServiceDate)
		return nil
	}
	l.PlanID, l.PlanVersion, l.PlanYearStart = pv.PlanID, pv.Version, pv.PlanYear.Start
	if deadline := addDays(l.ServiceDate, pv.TimelyFilingDays); today > deadline {
		s.deny(groupCO, carcTimelyFiling, "filed %s, after the %d-day filing limit ended on %s", today, pv.TimelyFilingDays, deadline)
		return nil
	}
	if r, ok := pv.excluded(l.Code); ok {
		s.deny(groupPR, carcNotInPlan, "code %s is excluded by plan %s version %d (exclusion %s)", l.Code, pv.PlanID, pv.Version, rangeText(r))
		return nil
	}
	ben := pv.benefitFor(l.Code)
	if ben == nil {
		s.deny(groupPR, carcNonCovered, "no benefit of plan %s version %d covers code %s", pv.PlanID, pv.Version, l.Code)
		return nil
	}
	l.BenefitID = ben.ID
	cs, tier, group := ben.InNetwork, pv.InNetwork, groupCO
	l.Network = networkIn
	if !pv.inNetwork(c.ProviderMSPID) {
		l.Network = networkOut
		if ben.OutOfNetwork == nil {
			s.deny(groupPR, carcNotNetwork, "benefit %s is covered only in network and %s is not in the network of plan %s",
				ben.ID, c.ProviderMSPID, pv.PlanID)
			return nil
		}
		cs, tier, group = *ben.OutOfNetwork, pv.OutOfNetwork, groupPR
	}

	var auth *Authorization
	switch {
	case ben.PriorAuth:
		if auth, err = authorise(b, s, m, c, group); err != nil || s.units == 0 {
			return err
		}
	case l.PriorAuthID != "":
		l.Remarks = append(l.Remarks, fmt.Sprintf("benefit %s needs no prior authorization; %s was not applied", ben.ID, l.PriorAuthID))
	}

	acc, err := b.accum(accumKey(m.MemberID, pv.PlanID, pv.PlanYear.Start))
	if err != nil {
		return err
	}
	fam, err := b.accum(faccumKey(m.FamilyID, pv.PlanID, pv.PlanYear.Start))
	if err != nil {
		return err
	}
	use := acc.Benefits[ben.ID]
	if ben.VisitsPerYear > 0 && use.Visits >= ben.VisitsPerYear {
		s.deny(groupPR, carcBenefitMax, "benefit %s allows %d visits per plan year; %d used", ben.ID, ben.VisitsPerYear, use.Visits)
		return nil
	}
	if ben.UnitsPerYear > 0 && use.Units+s.units > ben.UnitsPerYear {
		left := max(ben.UnitsPerYear-use.Units, 0)
		s.cut(s.units-left, groupPR, carcBenefitMax, "benefit %s allows %d units per plan year; %d used before this line",
			ben.ID, ben.UnitsPerYear, use.Units)
		if s.units == 0 {
			return nil
		}
	}

	fee, hasFee := pv.FeeSchedule[l.Code]
	allowed := allowedAmount(fee, hasFee, tier, s.units, s.rest)
	if hasFee {
		s.adjust(group, carcFeeSchedule, s.rest-allowed, "charge exceeds the %s allowance of %s (%d × %s per unit, %s of the fee schedule's %s)",
			networkName(l.Network), usd(allowed), s.units, usd(mulBps(fee, tier.FeeSchedulePercentBps)), pct(tier.FeeSchedulePercentBps), usd(fee))
	} else {
		s.adjust(group, carcFeeSchedule, s.rest-allowed, "code %s has no fee schedule amount; the %s allowance is %s of the charge",
			l.Code, networkName(l.Network), pct(tier.UnlistedChargePercentBps))
	}
	l.UnitsAllowed, l.AllowedCents = s.units, allowed

	t, ft := acc.tier(l.Network), fam.tier(l.Network)
	remDed := max(min(tier.DeductibleIndividualCents-t.DeductibleCents, tier.DeductibleFamilyCents-ft.DeductibleCents), 0)
	remOOP := minRemaining(remaining(tier.OOPMaxIndividualCents, t.OOPCents), remaining(tier.OOPMaxFamilyCents, ft.OOPCents))
	sh := split(allowed, cs, remDed, remOOP)
	s.adjust(groupPR, carcDeductible, sh.Deductible, "%s deductible: %s of it remained for the member and family",
		networkName(l.Network), usd(remDed))
	s.adjust(groupPR, carcCopay, sh.Copay, "copay of %s for benefit %s", usd(cs.CopayCents), ben.ID)
	s.adjust(groupPR, carcCoinsurance, sh.Coinsurance, "coinsurance of %s on %s after deductible and copay",
		pct(cs.CoinsuranceBps), usd(allowed-sh.Deductible-sh.Copay))
	if full := split(allowed, cs, remDed, -1); full.total() > sh.total() {
		l.Remarks = append(l.Remarks, fmt.Sprintf("%s out-of-pocket maximum reached: member cost share capped at %s instead of %s",
			networkName(l.Network), usd(sh.total()), usd(full.total())))
	}
	l.DeductibleCents, l.CopayCents, l.CoinsuranceCents = sh.Deductible, sh.Copay, sh.Coinsurance

	for _, sp := range []*Spend{t, ft} {
		sp.DeductibleCents += sh.Deductible
		sp.OOPCents += sh.total()
	}
	if acc.Benefits == nil {
		acc.Benefits = map[string]Usage{}
	}
	acc.Benefits[ben.ID] = Usage{Visits: use.Visits + 1, Units: use.Units + s.units}
	l.VisitsCounted, l.UnitsCounted = 1, s.units
	b.touch(accumKey(m.MemberID, pv.PlanID, pv.PlanYear.Start))
	b.touch(faccumKey(m.FamilyID, pv.PlanID, pv.PlanYear.Start))
	if auth != nil {
		auth.UnitsUsed += s.units
		l.AuthUnitsUsed = s.units
		b.touch(authKey(auth.AuthID))
	}
	return nil
}

// authorise checks the line's prior authorization and cuts the units it does not cover. It returns the
// authorization whose units the line may use (nil if it denied the whole line).
func authorise(b *book, s *lineState, m *Member, c *Claim, group string) (*Authorization, error) {
	l := s.l
	if l.PriorAuthID == "" {
		s.deny(group, carcAuthAbsent, "code %s requires prior authorization and the line names none", l.Code)
		return nil, nil
	}
	a, err := b.auth(l.PriorAuthID)
	switch {
	case err != nil:
		return nil, err
	case a == nil:
		s.deny(group, carcAuthInvalid, "authorization %s does not exist", l.PriorAuthID)
	case a.MemberID != m.MemberID:
		s.deny(group, carcAuthInvalid, "authorization %s is for another member", a.AuthID)
	case a.ProviderMSPID != c.ProviderMSPID:
		s.deny(group, carcAuthInvalid, "authorization %s was issued to provider %s", a.AuthID, a.ProviderMSPID)
	case a.Code != l.Code:
		s.deny(group, carcAuthInvalid, "authorization %s is for code %s, not %s", a.AuthID, a.Code, l.Code)
	case a.Status == authPending:
		s.deny(group, carcAuthAbsent, "authorization %s is still pending a decision", a.AuthID)
	case a.Status == authDenied:
		s.deny(group, carcAuthDenied, "authorization %s was denied (%s)", a.AuthID, a.DenialReason)
	case !a.Validity.contains(l.ServiceDate):
		s.deny(group, carcAuthInvalid, "authorization %s is valid %s to %s, not on %s", a.AuthID, a.Validity.Start, a.Validity.End, l.ServiceDate)
	case a.UnitsUsed+s.units > a.ApprovedUnits:
		left := max(a.ApprovedUnits-a.UnitsUsed, 0)
		s.cut(s.units-left, group, carcAuthExceeded, "authorization %s approved %d units; %d were already used", a.AuthID, a.ApprovedUnits, a.UnitsUsed)
	}
	if s.units == 0 {
		return nil, nil
	}
	return a, nil
}

// total fills in the line and claim totals and checks the 835 balancing rule on every line.
func total(c *Claim) error {
	c.ChargeCents, c.AllowedCents, c.PaymentCents, c.PatientResponsibilityCents = 0, 0, 0, 0
	c.ClaimStatusCode = clpDenied
	for i := range c.Lines {
		l := &c.Lines[i]
		var adjusted, patient int64
		for _, a := range l.Adjustments {
			adjusted += a.AmountCents
			if a.Group == groupPR {
				patient += a.AmountCents
			}
		}
		l.PaymentCents = l.ChargeCents - adjusted
		l.PatientResponsibilityCents = patient
		if l.PaymentCents < 0 || l.PaymentCents != l.AllowedCents-l.DeductibleCents-l.CopayCents-l.CoinsuranceCents {
			return internal("line %d does not balance: charge %d, adjustments %d, allowed %d", l.LineNumber, l.ChargeCents, adjusted, l.AllowedCents)
		}
		if l.AllowedCents > 0 {
			c.ClaimStatusCode = clpProcessedPrimary
		}
		c.ChargeCents += l.ChargeCents
		c.AllowedCents += l.AllowedCents
		c.PaymentCents += l.PaymentCents
		c.PatientResponsibilityCents += patient
	}
	return nil
}

// reverse takes back everything c's lines added: accumulators, benefit use, authorization units and the
// duplicate-check keys they own. Other claims are not re-adjudicated; accumulators stay the exact sum of
// the active claims' contributions.
func reverse(b *book, c *Claim) error {
	for i := range c.Lines {
		l := &c.Lines[i]
		if l.DuplicateKey != "" && b.dupOwner(l.DuplicateKey) == lineRef(c, l) {
			b.setDup(l.DuplicateKey, "")
		}
		if l.VisitsCounted == 0 && l.UnitsCounted == 0 {
			continue
		}
		acc, err := b.accum(accumKey(c.MemberID, l.PlanID, l.PlanYearStart))
		if err != nil {
			return err
		}
		fam, err := b.accum(faccumKey(c.FamilyID, l.PlanID, l.PlanYearStart))
		if err != nil {
			return err
		}
		oop := l.DeductibleCents + l.CopayCents + l.CoinsuranceCents
		for _, sp := range []*Spend{acc.tier(l.Network), fam.tier(l.Network)} {
			sp.DeductibleCents -= l.DeductibleCents
			sp.OOPCents -= oop
			if sp.DeductibleCents < 0 || sp.OOPCents < 0 {
				return internal("reversing %s would make an accumulator negative", lineRef(c, l))
			}
		}
		use := acc.Benefits[l.BenefitID]
		use.Visits -= l.VisitsCounted
		use.Units -= l.UnitsCounted
		if use.Visits < 0 || use.Units < 0 {
			return internal("reversing %s would make the use of benefit %s negative", lineRef(c, l), l.BenefitID)
		}
		acc.Benefits[l.BenefitID] = use
		b.touch(accumKey(c.MemberID, l.PlanID, l.PlanYearStart))
		b.touch(faccumKey(c.FamilyID, l.PlanID, l.PlanYearStart))
		if l.AuthUnitsUsed > 0 {
			a, err := b.auth(l.PriorAuthID)
			if err != nil {
				return err
			}
			if a == nil || a.UnitsUsed < l.AuthUnitsUsed {
				return internal("reversing %s: authorization %s does not hold the units the line used", lineRef(c, l), l.PriorAuthID)
			}
			a.UnitsUsed -= l.AuthUnitsUsed
			b.touch(authKey(a.AuthID))
		}
	}
	return nil
}

func networkName(n string) string {
	if n == networkIn {
		return "in-network"
	}
	return "out-of-network"
}

func coverageGap(carc string) string {
	switch carc {
	case carcBeforeCoverage:
		return "before their coverage began"
	case carcAfterCoverage:
		return "after their coverage ended"
	}
	return "in a lapse between coverage periods"
}

func rangeText(r CodeRange) string {
	if r.To == "" {
		return r.From
	}
	return strings.Join([]string{r.From, r.To}, "-")
}
