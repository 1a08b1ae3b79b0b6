package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestHealthplan_Enroll(t *testing.T) {
	h := world(t)
	var m Member
	if !h.GetJSON(memberKey(subscriber), &m) {
		t.Fatal("the subscriber is not on the ledger")
	}
	want := Member{MemberID: subscriber, FamilyID: smithFam, Relationship: "self", PayerMSPID: acmeMSP,
		Coverages: []Coverage{{PlanID: "acme-silver-ppo", Period: Period{Start: "2026-01-01"}}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("member = %+v, want %+v", m, want)
	}
	if got := h.Keys(prefixFamily + smithFam + "/"); len(got) != 3 {
		t.Errorf("family index = %q, want the three Smiths", got)
	}

	// A second, later coverage period for the single member, after a gap.
	res := h.Call("enroll", enrollArgs{MemberID: loner, FamilyID: lonerFam, Relationship: "self", PlanID: "acme-silver-ppo",
		Coverage: Period{Start: "2026-09-01"}}, sdktest.As(examiner), sdktest.At(day("2026-08-20")))
	res.JSON(t, &m)
	if len(m.Coverages) != 2 || m.Coverages[0].End != "2026-06-30" || m.Coverages[1].Start != "2026-09-01" {
		t.Errorf("coverages = %+v, want the first half-year then September on", m.Coverages)
	}
	var ev memberEvent
	if err := json.Unmarshal(res.RequireEvent(t, "MemberEnrolled"), &ev); err != nil || ev.MemberID != loner || ev.Coverage.Start != "2026-09-01" || ev.AuditID == "" {
		t.Errorf("MemberEnrolled = %+v, %v", ev, err)
	}
	var e AuditEntry
	if !h.GetJSON(prefixAudit+loner+"/"+ev.AuditID, &e) || e.Action != "enroll" || e.MSPID != acmeMSP || e.Purpose != "HOPERAT" ||
		e.CallerHash != idHash(examiner) || e.CallerRole != "payer" || e.Decision != "permit" {
		t.Errorf("audit entry = %+v", e)
	}
	for _, w := range res.Writes {
		if w.Key == familyKey(lonerFam, loner) {
			t.Error("a known member's family entry was written again")
		}
	}
}

func TestHealthplan_Enroll_Errors(t *testing.T) {
	h := world(t)
	h.Call("publishPlan", silverPPO(func(p *planArgs) { p.PlanID = "blue-hmo" }), sdktest.As(bluePayer), sdktest.At(day("2025-11-01"))).RequireOK(t)
	newbie := pseudo("MBR-555")
	base := enrollArgs{MemberID: newbie, FamilyID: smithFam, Relationship: "child", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2026-03-01"}}
	with := func(f func(*enrollArgs)) enrollArgs { a := base; f(&a); return a }
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   enrollArgs
		want   string
	}{
		{"provider", hospital1, base, "permission_denied: enrolling a member needs a payer identity"},
		{"member", memberSelf, base, `permission_denied: enrolling a member needs a payer identity (attribute role=payer); the caller's role attribute is "patient"`},
		{"payer peer", payerPeer, base, `permission_denied: enrolling a member needs a client or admin identity; the caller's NodeOU is "peer"`},
		{"member id not a pseudonym", examiner, with(func(a *enrollArgs) { a.MemberID = "MBR-100200301" }),
			"invalid_argument: memberId must be a pseudonymous id of 64 lowercase hex digits (got 13 characters)"},
		{"upper-case hex", examiner, with(func(a *enrollArgs) { a.MemberID = pseudo("x")[:63] + "A" }), "invalid_argument: memberId must be a pseudonymous id"},
		{"family id", examiner, with(func(a *enrollArgs) { a.FamilyID = "smith" }), "invalid_argument: familyId must be a pseudonymous id"},
		{"relationship", examiner, with(func(a *enrollArgs) { a.Relationship = "husband" }), `invalid_argument: relationship "husband" is not a FHIR subscriber-relationship code`},
		{"plan id", examiner, with(func(a *enrollArgs) { a.PlanID = "" }), "invalid_argument: planId must be 1 to 64 characters (got 0)"},
		{"start", examiner, with(func(a *enrollArgs) { a.Coverage.Start = "03/01/2026" }), `invalid_argument: coverage start "03/01/2026" is not a date YYYY-MM-DD`},
		{"end before start", examiner, with(func(a *enrollArgs) { a.Coverage.End = "2026-02-28" }), "invalid_argument: coverage end 2026-02-28 is before its start 2026-03-01"},
		{"unknown plan", examiner, with(func(a *enrollArgs) { a.PlanID = "acme-gold" }), "not_found: plan acme-gold does not exist"},
		{"another payer's plan", bluePayer, base, "permission_denied: plan acme-silver-ppo belongs to AcmeHealthMSP; BlueRiverMSP may not enrol members in it"},
		{"member of another payer", bluePayer, enrollArgs{MemberID: subscriber, FamilyID: smithFam, Relationship: "self", PlanID: "blue-hmo", Coverage: Period{Start: "2026-01-01"}},
			"permission_denied: the member is enrolled by another payer (AcmeHealthMSP)"},
		{"family of another payer", bluePayer, with(func(a *enrollArgs) { a.PlanID = "blue-hmo" }), "permission_denied: the family is enrolled by another payer (AcmeHealthMSP)"},
		{"family change", examiner, enrollArgs{MemberID: spouse, FamilyID: lonerFam, Relationship: "spouse", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2027-01-01"}},
			"failed_precondition: the member belongs to another family"},
		{"relationship change", examiner, enrollArgs{MemberID: spouse, FamilyID: smithFam, Relationship: "self", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2027-01-01"}},
			"failed_precondition: the member's relationship is spouse, not self"},
		{"overlapping coverage (replay)", examiner, enrollArgs{MemberID: child, FamilyID: smithFam, Relationship: "child", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2026-01-01"}},
			"already_exists: the member already has coverage in plan acme-silver-ppo from 2026-01-01 to open, overlapping 2026-01-01 to open"},
		{"overlap with a closed period", examiner, enrollArgs{MemberID: loner, FamilyID: lonerFam, Relationship: "self", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2025-07-01", End: "2026-01-01"}},
			"already_exists: the member already has coverage in plan acme-silver-ppo from 2026-01-01 to 2026-06-30"},
		{"second subscriber", examiner, with(func(a *enrollArgs) { a.Relationship = "self" }), "failed_precondition: the family already has a subscriber (relationship self)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("enroll", tt.args, sdktest.As(tt.caller), sdktest.At(day("2026-02-01"))).RequireError(t, tt.want)
		})
	}
	if _, ok := h.Get(memberKey(newbie)); ok {
		t.Error("a refused enrolment created the member")
	}
}

func TestHealthplan_EndCoverage(t *testing.T) {
	h := world(t)
	var m Member
	res := h.Call("endCoverage", endCoverageArgs{MemberID: subscriber, Start: "2026-01-01", End: "2026-08-31"},
		sdktest.As(examiner), sdktest.At(day("2026-08-01")))
	res.JSON(t, &m)
	if m.Coverages[0].End != "2026-08-31" {
		t.Errorf("coverage = %+v, want it to end 2026-08-31", m.Coverages[0])
	}
	var ev memberEvent
	if err := json.Unmarshal(res.RequireEvent(t, "CoverageEnded"), &ev); err != nil || ev.Coverage.End != "2026-08-31" || ev.PlanID != "acme-silver-ppo" {
		t.Errorf("CoverageEnded = %+v, %v", ev, err)
	}
	var el Eligibility
	h.Call("checkEligibility", eligibilityArgs{MemberID: subscriber, ServiceDate: "2026-09-01", Purpose: "ELIGVER"},
		sdktest.As(hospital1)).JSON(t, &el)
	if el.Eligible || el.Reason != carcAfterCoverage {
		t.Errorf("eligibility after the end = %+v, want not eligible, CARC 27", el)
	}
}

func TestHealthplan_EndCoverage_Errors(t *testing.T) {
	h := world(t)
	h.Call("enroll", enrollArgs{MemberID: loner, FamilyID: lonerFam, Relationship: "self", PlanID: "acme-silver-ppo",
		Coverage: Period{Start: "2026-09-01"}}, sdktest.As(examiner)).RequireOK(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   endCoverageArgs
		want   string
	}{
		{"provider", hospital1, endCoverageArgs{MemberID: subscriber, Start: "2026-01-01", End: "2026-05-31"}, "permission_denied: ending coverage needs a payer identity"},
		{"another payer", bluePayer, endCoverageArgs{MemberID: subscriber, Start: "2026-01-01", End: "2026-05-31"}, "permission_denied: the member is enrolled by another payer (AcmeHealthMSP)"},
		{"unknown member", examiner, endCoverageArgs{MemberID: stranger, Start: "2026-01-01", End: "2026-05-31"}, "not_found: no member with this id is enrolled"},
		{"bad member id", examiner, endCoverageArgs{MemberID: "123", Start: "2026-01-01", End: "2026-05-31"}, "invalid_argument: memberId must be a pseudonymous id"},
		{"no end", examiner, endCoverageArgs{MemberID: subscriber, Start: "2026-01-01"}, "invalid_argument: end is required"},
		{"end before start", examiner, endCoverageArgs{MemberID: subscriber, Start: "2026-01-01", End: "2025-12-31"}, "invalid_argument: coverage end 2025-12-31 is before its start 2026-01-01"},
		{"no such period", examiner, endCoverageArgs{MemberID: subscriber, Start: "2026-02-01", End: "2026-05-31"}, "not_found: the member has no coverage period starting 2026-02-01"},
		{"already ends then", examiner, endCoverageArgs{MemberID: loner, Start: "2026-01-01", End: "2026-06-30"}, "failed_precondition: the coverage starting 2026-01-01 already ends 2026-06-30"},
		{"would overlap the next", examiner, endCoverageArgs{MemberID: loner, Start: "2026-01-01", End: "2026-09-01"},
			"failed_precondition: end 2026-09-01 would overlap the next coverage period, which starts 2026-09-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("endCoverage", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}

func TestHealthplan_CheckEligibility(t *testing.T) {
	h := world(t)
	h.Call("enroll", enrollArgs{MemberID: loner, FamilyID: lonerFam, Relationship: "self", PlanID: "acme-silver-ppo",
		Coverage: Period{Start: "2026-09-01", End: "2026-12-31"}}, sdktest.As(examiner)).RequireOK(t)
	yes, no := true, false
	tests := []struct {
		name      string
		caller    sdktest.Identity
		member    string
		date      string
		eligible  bool
		reason    string
		inNetwork *bool
	}{
		{"in-network provider", hospital1, subscriber, "2026-03-01", true, "", &yes},
		{"out-of-network provider", clinic9, subscriber, "2026-03-01", true, "", &no},
		{"the member", memberSelf, subscriber, "2026-03-01", true, "", nil},
		{"the payer", examiner, child, "2026-12-31", true, "", nil},
		{"before coverage", hospital1, subscriber, "2025-12-31", false, carcBeforeCoverage, nil},
		{"lapse in coverage", hospital1, loner, "2026-08-01", false, carcLapse, nil},
		{"after coverage", hospital1, loner, "2027-01-01", false, carcAfterCoverage, nil},
		{"no plan version in force", hospital1, subscriber, "2027-01-01", false, carcNotThisPayer, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var el Eligibility
			res := h.Call("checkEligibility", eligibilityArgs{MemberID: tt.member, ServiceDate: tt.date, Purpose: "ELIGVER"},
				sdktest.As(tt.caller), sdktest.At(day("2026-02-15")))
			res.JSON(t, &el)
			if el.Eligible != tt.eligible || el.Reason != tt.reason || !reflect.DeepEqual(el.ProviderInNetwork, tt.inNetwork) {
				t.Errorf("eligibility = eligible %v, reason %q, in network %v; want %v, %q, %v", el.Eligible, el.Reason,
					el.ProviderInNetwork, tt.eligible, tt.reason, tt.inNetwork)
			}
			if tt.eligible != (el.Balances != nil) || tt.eligible && (el.PlanVersion != 1 || el.PlanYear == nil) {
				t.Errorf("eligible %v but balances %v, version %d", el.Eligible, el.Balances, el.PlanVersion)
			}
			var e AuditEntry
			if !h.GetJSON(prefixAudit+tt.member+"/"+el.AuditID, &e) || e.Action != "checkEligibility" || e.Purpose != "ELIGVER" {
				t.Errorf("audit entry %q = %+v", el.AuditID, e)
			}
			res.RequireEvent(t, "MemberDataAccessed")
		})
	}

	// Balances before any claim, and the default date (today).
	var el Eligibility
	h.Call("checkEligibility", eligibilityArgs{MemberID: subscriber, Purpose: "ELIGVER"}, sdktest.As(hospital1), sdktest.At(day("2026-04-04"))).JSON(t, &el)
	if el.ServiceDate != "2026-04-04" {
		t.Errorf("serviceDate defaulted to %s, want today", el.ServiceDate)
	}
	b := el.Balances.InNetwork
	if *b.DeductibleIndividual.LimitCents != 150000 || *b.DeductibleIndividual.RemainingCents != 150000 || b.DeductibleFamily.MetCents != 0 ||
		*b.OOPFamily.LimitCents != 1200000 {
		t.Errorf("in-network balances = %+v", b)
	}
	want := []BenefitBalance{{BenefitID: "physical-therapy", VisitsLimit: 20, UnitsLimit: 60}}
	if !reflect.DeepEqual(el.Balances.Benefits, want) {
		t.Errorf("benefit balances = %+v, want %+v", el.Balances.Benefits, want)
	}
}

func TestHealthplan_CheckEligibility_Errors(t *testing.T) {
	h := world(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   eligibilityArgs
		want   string
	}{
		{"clinician without provider role", clinician, eligibilityArgs{MemberID: subscriber, Purpose: "TREAT"},
			"permission_denied: the eligibility and benefit balances of a member may be read only by the member's payer (role=payer), the member (role=patient with their patientId), a provider (role=provider); the caller (Hospital1MSP, NodeOU \"client\", role attribute \"clinician\") is none of them"},
		{"another member", memberKid, eligibilityArgs{MemberID: subscriber, Purpose: "PATRQT"}, "permission_denied: the eligibility and benefit balances of a member may be read only by"},
		{"regulator", regulator, eligibilityArgs{MemberID: subscriber, Purpose: "HCOMPL"}, "permission_denied"},
		{"another payer", bluePayer, eligibilityArgs{MemberID: subscriber, Purpose: "ELIGVER"}, "permission_denied"},
		{"provider peer", sdktest.NewIdentity(hospital1MSP, "peer0", "peer", map[string]string{"role": "provider"}), eligibilityArgs{MemberID: subscriber, Purpose: "ELIGVER"}, "permission_denied"},
		{"unknown member", hospital1, eligibilityArgs{MemberID: stranger, Purpose: "ELIGVER"}, "not_found: no member with this id is enrolled"},
		{"no purpose", hospital1, eligibilityArgs{MemberID: subscriber}, `invalid_argument: purpose "" is not an HL7 PurposeOfUse code this contract accepts (COVAUTH, ELIGVER,`},
		{"unknown purpose", hospital1, eligibilityArgs{MemberID: subscriber, Purpose: "MARKETING"}, `invalid_argument: purpose "MARKETING" is not an HL7 PurposeOfUse code`},
		{"bad date", hospital1, eligibilityArgs{MemberID: subscriber, ServiceDate: "2026-13-01", Purpose: "ELIGVER"}, `invalid_argument: serviceDate "2026-13-01" is not a date`},
		{"bad member id", hospital1, eligibilityArgs{MemberID: "Smith, John", Purpose: "ELIGVER"}, "invalid_argument: memberId must be a pseudonymous id of 64 lowercase hex digits (got 11 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("checkEligibility", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if keys := h.Keys(prefixAudit + subscriber + "/"); len(keys) != 1 {
		t.Errorf("audit trail after refused inquiries = %q, want only the enrolment", keys)
	}
}
