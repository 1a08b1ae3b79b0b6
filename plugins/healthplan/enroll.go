package main

import (
	"cmp"
	"slices"

	"github.com/medledger/medledger/plugins/sdk"
)

// relationships are the FHIR subscriber-relationship codes a member may have to the family's subscriber
// (X12 834 INS02: self 18, spouse 01, child 19, common-law spouse 53, other G8).
var relationships = []string{"child", "common", "other", "self", "spouse"}

type enrollArgs struct {
	MemberID     string `json:"memberId"`
	FamilyID     string `json:"familyId"`
	Relationship string `json:"relationship"`
	PlanID       string `json:"planId"`
	Coverage     Period `json:"coverage"`
}

// memberEvent is the payload of MemberEnrolled and CoverageEnded.
type memberEvent struct {
	MemberID string `json:"memberId"`
	FamilyID string `json:"familyId"`
	PlanID   string `json:"planId"`
	Coverage Period `json:"coverage"`
	AuditID  string `json:"auditId"`
}

// enroll adds a coverage period in one of the caller's plans for a member (new or known). A member belongs to
// one payer and one family for life on this ledger; a family has at most one subscriber (relationship self).
func enroll(ctx sdk.Context, a enrollArgs) (Member, error) {
	payer, err := asPayer(ctx, "enrolling a member", false)
	if err != nil {
		return Member{}, err
	}
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return Member{}, err
	}
	if err := pseudonym("familyId", a.FamilyID); err != nil {
		return Member{}, err
	}
	if !slices.Contains(relationships, a.Relationship) {
		return Member{}, invalid("relationship %q is not a FHIR subscriber-relationship code (%v)", a.Relationship, relationships)
	}
	if err := token("planId", a.PlanID, 64); err != nil {
		return Member{}, err
	}
	if err := coveragePeriod(a.Coverage); err != nil {
		return Member{}, err
	}
	meta, err := loadPlanMeta(ctx, a.PlanID)
	if err != nil {
		return Member{}, err
	}
	if meta.PayerMSPID != payer {
		return Member{}, denied("plan %s belongs to %s; %s may not enrol members in it", a.PlanID, meta.PayerMSPID, payer)
	}
	var m Member
	known, err := ctx.GetJSON(memberKey(a.MemberID), &m)
	switch {
	case err != nil:
		return Member{}, err
	case known && m.PayerMSPID != payer:
		return Member{}, denied("the member is enrolled by another payer (%s)", m.PayerMSPID)
	case known && m.FamilyID != a.FamilyID:
		return Member{}, precondition("the member belongs to another family; a member's family cannot change")
	case known && m.Relationship != a.Relationship:
		return Member{}, precondition("the member's relationship is %s, not %s", m.Relationship, a.Relationship)
	case known:
		for _, c := range m.Coverages {
			if c.overlaps(a.Coverage) {
				return Member{}, exists("the member already has coverage in plan %s from %s to %s, overlapping %s to %s",
					c.PlanID, c.Start, openEnd(c.End), a.Coverage.Start, openEnd(a.Coverage.End))
			}
		}
	default:
		if err := joinFamily(ctx, a, payer); err != nil {
			return Member{}, err
		}
		m = Member{MemberID: a.MemberID, FamilyID: a.FamilyID, Relationship: a.Relationship, PayerMSPID: payer}
		if err := ctx.PutJSON(familyKey(a.FamilyID, a.MemberID), FamilyMember{Relationship: a.Relationship, PayerMSPID: payer}); err != nil {
			return Member{}, err
		}
	}
	m.Coverages = append(m.Coverages, Coverage{PlanID: a.PlanID, Period: a.Coverage})
	slices.SortFunc(m.Coverages, func(x, y Coverage) int { return cmp.Compare(x.Start, y.Start) })
	if err := ctx.PutJSON(memberKey(m.MemberID), m); err != nil {
		return Member{}, err
	}
	e, err := record(ctx, m.MemberID, memberKey(m.MemberID), "HOPERAT", "enrolled")
	if err != nil {
		return Member{}, err
	}
	return m, ctx.Emit("MemberEnrolled", memberEvent{MemberID: m.MemberID, FamilyID: m.FamilyID, PlanID: a.PlanID,
		Coverage: a.Coverage, AuditID: e.AuditID})
}

// joinFamily checks that a new member may join the family: same payer, and no second subscriber.
func joinFamily(ctx sdk.Context, a enrollArgs, payer string) error {
	prefix := prefixFamily + a.FamilyID + "/"
	for key, v := range ctx.RangePrefix(prefix) {
		var f FamilyMember
		if err := jsonValue(key, v, &f); err != nil {
			return err
		}
		if f.PayerMSPID != payer {
			return denied("the family is enrolled by another payer (%s)", f.PayerMSPID)
		}
		if f.Relationship == "self" && a.Relationship == "self" {
			return precondition("the family already has a subscriber (relationship self)")
		}
	}
	return nil
}

type endCoverageArgs struct {
	MemberID string `json:"memberId"`
	Start    string `json:"start"`
	End      string `json:"end"`
}

// endCoverage sets the last day of the member's coverage period that starts on start (X12 834 termination).
// Claims already adjudicated are not re-adjudicated; later claims see the new end.
func endCoverage(ctx sdk.Context, a endCoverageArgs) (Member, error) {
	payer, err := asPayer(ctx, "ending coverage", false)
	if err != nil {
		return Member{}, err
	}
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return Member{}, err
	}
	if a.End == "" {
		return Member{}, invalid("end is required")
	}
	if err := coveragePeriod(Period{Start: a.Start, End: a.End}); err != nil {
		return Member{}, err
	}
	m, err := loadMember(ctx, a.MemberID)
	if err != nil {
		return Member{}, err
	}
	if m.PayerMSPID != payer {
		return Member{}, denied("the member is enrolled by another payer (%s)", m.PayerMSPID)
	}
	i := slices.IndexFunc(m.Coverages, func(c Coverage) bool { return c.Start == a.Start })
	switch {
	case i < 0:
		return Member{}, notFound("the member has no coverage period starting %s", a.Start)
	case m.Coverages[i].End == a.End:
		return Member{}, precondition("the coverage starting %s already ends %s", a.Start, a.End)
	case i+1 < len(m.Coverages) && a.End >= m.Coverages[i+1].Start:
		return Member{}, precondition("end %s would overlap the next coverage period, which starts %s", a.End, m.Coverages[i+1].Start)
	}
	m.Coverages[i].End = a.End
	if err := ctx.PutJSON(memberKey(m.MemberID), m); err != nil {
		return Member{}, err
	}
	e, err := record(ctx, m.MemberID, memberKey(m.MemberID), "HOPERAT", "coverage ends "+a.End)
	if err != nil {
		return Member{}, err
	}
	return *m, ctx.Emit("CoverageEnded", memberEvent{MemberID: m.MemberID, FamilyID: m.FamilyID,
		PlanID: m.Coverages[i].PlanID, Coverage: m.Coverages[i].Period, AuditID: e.AuditID})
}

func loadMember(ctx sdk.Context, id string) (*Member, error) {
	var m Member
	found, err := ctx.GetJSON(memberKey(id), &m)
	if err == nil && !found {
		err = notFound("no member with this id is enrolled")
	}
	return &m, err
}

// coverageOn returns the coverage in force on date d or, when there is none, the CARC that says why: before
// the first coverage (26), after the last (27), or in a gap between two (200).
func (m *Member) coverageOn(d string) (*Coverage, string) {
	for i := range m.Coverages {
		if m.Coverages[i].contains(d) {
			return &m.Coverages[i], ""
		}
	}
	if len(m.Coverages) == 0 || d < m.Coverages[0].Start {
		return nil, carcBeforeCoverage
	}
	if last := m.Coverages[len(m.Coverages)-1]; last.End != "" && d > last.End {
		return nil, carcAfterCoverage
	}
	return nil, carcLapse
}

func coveragePeriod(p Period) error {
	if err := date("coverage start", p.Start); err != nil {
		return err
	}
	if p.End == "" {
		return nil
	}
	if err := date("coverage end", p.End); err != nil {
		return err
	}
	if p.End < p.Start {
		return invalid("coverage end %s is before its start %s", p.End, p.Start)
	}
	return nil
}

func openEnd(d string) string {
	if d == "" {
		return "open"
	}
	return d
}
