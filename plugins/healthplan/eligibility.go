package main

import (
	"github.com/medledger/medledger/plugins/sdk"
)

type eligibilityArgs struct {
	MemberID    string `json:"memberId"`
	ServiceDate string `json:"serviceDate,omitempty"`
	Purpose     string `json:"purpose"`
}

// Eligibility answers an eligibility inquiry (X12 270/271; FHIR CoverageEligibilityResponse): is the member
// covered on the date, by which plan version, is the calling provider in network, and what is left of the
// deductibles, out-of-pocket maxima and limited benefits (FHIR ExplanationOfBenefit.benefitBalance).
type Eligibility struct {
	MemberID          string    `json:"memberId"`
	FamilyID          string    `json:"familyId"`
	ServiceDate       string    `json:"serviceDate"`
	Eligible          bool      `json:"eligible"`
	Reason            string    `json:"reason,omitempty"` // CARC when not eligible: 26, 27, 200 or 109
	PlanID            string    `json:"planId,omitempty"`
	PlanVersion       int       `json:"planVersion,omitempty"`
	PlanYear          *Period   `json:"planYear,omitempty"`
	Coverage          *Period   `json:"coverage,omitempty"`
	ProviderInNetwork *bool     `json:"providerInNetwork,omitempty"` // only when a provider asks
	Balances          *Balances `json:"balances,omitempty"`
	AuditID           string    `json:"auditId"`
}

// Balances are the member's and family's accumulators in the plan year of the inquiry, per network tier.
type Balances struct {
	InNetwork    TierBalance      `json:"inNetwork"`
	OutOfNetwork TierBalance      `json:"outOfNetwork"`
	Benefits     []BenefitBalance `json:"benefits"`
}

// TierBalance is one tier's deductibles and out-of-pocket maxima, for the member and the family.
type TierBalance struct {
	DeductibleIndividual Balance `json:"deductibleIndividual"`
	DeductibleFamily     Balance `json:"deductibleFamily"`
	OOPIndividual        Balance `json:"outOfPocketIndividual"`
	OOPFamily            Balance `json:"outOfPocketFamily"`
}

// Balance is one accumulator against its limit; a null limit (and remaining) means the plan sets none.
type Balance struct {
	LimitCents     *int64 `json:"limitCents"`
	MetCents       int64  `json:"metCents"`
	RemainingCents *int64 `json:"remainingCents"`
}

// BenefitBalance is the member's use of a benefit that has an annual limit or has been used this plan year.
type BenefitBalance struct {
	BenefitID   string `json:"benefitId"`
	VisitsUsed  int    `json:"visitsUsed"`
	VisitsLimit int    `json:"visitsLimit,omitempty"`
	UnitsUsed   int    `json:"unitsUsed"`
	UnitsLimit  int    `json:"unitsLimit,omitempty"`
}

// checkEligibility answers an eligibility inquiry for a member on serviceDate (default: today) and records
// it. The member's payer, the member and any provider may ask; only a provider learns whether it is in network.
func checkEligibility(ctx sdk.Context, a eligibilityArgs) (Eligibility, error) {
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return Eligibility{}, err
	}
	if a.ServiceDate == "" {
		a.ServiceDate = txDate(ctx)
	} else if err := date("serviceDate", a.ServiceDate); err != nil {
		return Eligibility{}, err
	}
	if err := purpose(a.Purpose); err != nil {
		return Eligibility{}, err
	}
	m, err := loadMember(ctx, a.MemberID)
	if err != nil {
		return Eligibility{}, err
	}
	who, err := reader(ctx, m, "the eligibility and benefit balances of a member", "*", false)
	if err != nil {
		return Eligibility{}, err
	}
	out := Eligibility{MemberID: m.MemberID, FamilyID: m.FamilyID, ServiceDate: a.ServiceDate}
	if err := eligibility(ctx, m, who, &out); err != nil {
		return Eligibility{}, err
	}
	outcome := "eligible"
	if !out.Eligible {
		outcome = "not eligible (CARC " + out.Reason + ")"
	}
	e, err := record(ctx, m.MemberID, memberKey(m.MemberID), a.Purpose, outcome)
	if err != nil {
		return Eligibility{}, err
	}
	out.AuditID = e.AuditID
	return out, ctx.Emit("MemberDataAccessed", accessEvent{MemberID: m.MemberID, Action: e.Action,
		Resource: e.Resource, Purpose: a.Purpose, AuditID: e.AuditID})
}

// eligibility fills in out for member m as party who sees it.
func eligibility(ctx sdk.Context, m *Member, who party, out *Eligibility) error {
	cov, reason := m.coverageOn(out.ServiceDate)
	if cov == nil {
		out.Reason = reason
		return nil
	}
	out.PlanID, out.Coverage = cov.PlanID, &cov.Period
	b := newBook(ctx)
	pv, err := b.planOn(cov.PlanID, out.ServiceDate)
	if err != nil {
		return err
	}
	if pv == nil {
		out.Reason = carcNotThisPayer
		return nil
	}
	out.Eligible, out.PlanVersion, out.PlanYear = true, pv.Version, &pv.PlanYear
	if who == partyProvider {
		in := pv.inNetwork(ctx.Caller().MSPID)
		out.ProviderInNetwork = &in
	}
	acc, err := b.accum(accumKey(m.MemberID, pv.PlanID, pv.PlanYear.Start))
	if err != nil {
		return err
	}
	fam, err := b.accum(faccumKey(m.FamilyID, pv.PlanID, pv.PlanYear.Start))
	if err != nil {
		return err
	}
	out.Balances = &Balances{
		InNetwork:    tierBalance(pv.InNetwork, acc.In, fam.In),
		OutOfNetwork: tierBalance(pv.OutOfNetwork, acc.Out, fam.Out),
		Benefits:     []BenefitBalance{},
	}
	for _, ben := range pv.Benefits {
		use := acc.Benefits[ben.ID]
		if ben.VisitsPerYear > 0 || ben.UnitsPerYear > 0 || use != (Usage{}) {
			out.Balances.Benefits = append(out.Balances.Benefits, BenefitBalance{BenefitID: ben.ID,
				VisitsUsed: use.Visits, VisitsLimit: ben.VisitsPerYear, UnitsUsed: use.Units, UnitsLimit: ben.UnitsPerYear})
		}
	}
	return nil
}

func tierBalance(t Tier, member, family Spend) TierBalance {
	return TierBalance{
		DeductibleIndividual: balance(&t.DeductibleIndividualCents, member.DeductibleCents),
		DeductibleFamily:     balance(&t.DeductibleFamilyCents, family.DeductibleCents),
		OOPIndividual:        balance(t.OOPMaxIndividualCents, member.OOPCents),
		OOPFamily:            balance(t.OOPMaxFamilyCents, family.OOPCents),
	}
}

func balance(limit *int64, met int64) Balance {
	b := Balance{MetCents: met}
	if limit != nil {
		l, r := *limit, remaining(limit, met)
		b.LimitCents, b.RemainingCents = &l, &r
	}
	return b
}
