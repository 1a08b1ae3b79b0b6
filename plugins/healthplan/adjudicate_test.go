package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// TestHealthplan_SubmitClaim_lineDecisions runs one single-line claim per case on a fresh ledger and checks the
// line's explanation: every denial path and every pricing path of adjudicateLine.
func TestHealthplan_SubmitClaim_lineDecisions(t *testing.T) {
	tests := []struct {
		name     string
		provider sdktest.Identity
		member   string
		filed    string
		line     lineArgs
		want     []adj
		pay      int64
		note     string // a substring of the first adjustment's note
	}{
		{"office visit in network: copay", hospital1, subscriber, "2026-03-12", line("99213", "2026-03-10", 15000),
			[]adj{{"CO", "45", 5500, 0}, {"PR", "3", 3000, 0}}, 6500, "in-network allowance of $95.00 (1 × $95.00 per unit"},
		{"office visit out of network: 80% allowance, balance and deductible on the member", clinic9, subscriber, "2026-03-12", line("99213", "2026-03-10", 15000),
			[]adj{{"PR", "45", 7400, 0}, {"PR", "1", 7600, 0}}, 0, "out-of-network allowance of $76.00 (1 × $76.00 per unit, 80% of the fee schedule's $95.00)"},
		{"preventive at 100% in network", hospital2, child, "2026-03-12", line("G0438", "2026-03-10", 20000),
			[]adj{{"CO", "45", 2500, 0}}, 17500, ""},
		{"preventive not covered out of network", clinic9, child, "2026-03-12", line("G0438", "2026-03-10", 20000),
			[]adj{{"PR", "242", 20000, 1}}, 0, "benefit preventive is covered only in network and Clinic9MSP is not in the network"},
		{"code without a fee: share of the charge", hospital1, subscriber, "2026-03-12", line("80061", "2026-03-10", 10000),
			[]adj{{"CO", "45", 4000, 0}, {"PR", "1", 6000, 0}}, 0, "code 80061 has no fee schedule amount; the in-network allowance is 60% of the charge"},
		{"excluded cosmetic procedure inside the surgery range", hospital1, subscriber, "2026-03-12", line("15781", "2026-03-10", 80000),
			[]adj{{"PR", "204", 80000, 1}}, 0, "code 15781 is excluded by plan acme-silver-ppo version 1 (exclusion 15780-15793)"},
		{"excluded acupuncture", hospital1, subscriber, "2026-03-12", line("97810", "2026-03-10", 9000),
			[]adj{{"PR", "204", 9000, 1}}, 0, "excluded"},
		{"no benefit for the code", hospital1, subscriber, "2026-03-12", line("90471", "2026-03-10", 3000),
			[]adj{{"PR", "96", 3000, 1}}, 0, "no benefit of plan acme-silver-ppo version 1 covers code 90471"},
		{"before coverage", hospital1, subscriber, "2026-01-05", line("99213", "2025-12-20", 15000),
			[]adj{{"PR", "26", 15000, 1}}, 0, "the member has no coverage on 2025-12-20 (before their coverage began)"},
		{"after coverage", hospital1, loner, "2026-07-05", line("99213", "2026-07-02", 15000),
			[]adj{{"PR", "27", 15000, 1}}, 0, "after their coverage ended"},
		{"timely filing", hospital1, subscriber, "2026-07-10", line("99213", "2026-01-05", 15000),
			[]adj{{"CO", "29", 15000, 1}}, 0, "filed 2026-07-10, after the 180-day filing limit ended on 2026-07-04"},
		{"last day of timely filing", hospital1, subscriber, "2026-07-04", line("99213", "2026-01-05", 15000),
			[]adj{{"CO", "45", 5500, 0}, {"PR", "3", 3000, 0}}, 6500, ""},
		{"imaging without authorization", hospital1, subscriber, "2026-03-12", line("70553", "2026-03-10", 250000),
			[]adj{{"CO", "197", 250000, 1}}, 0, "code 70553 requires prior authorization and the line names none"},
		{"imaging without authorization, out of network", clinic9, subscriber, "2026-03-12", line("70553", "2026-03-10", 250000),
			[]adj{{"PR", "197", 250000, 1}}, 0, ""},
		{"surgery out of network", clinic9, subscriber, "2026-03-12", line("27447", "2026-03-10", 4000000),
			[]adj{{"PR", "242", 4000000, 1}}, 0, ""},
		{"emergency out of network at the in-network copay", clinic9, spouse, "2026-03-12", line("99283", "2026-03-10", 90000),
			[]adj{{"PR", "45", 70000, 0}, {"PR", "3", 20000, 0}}, 0, ""},
		{"emergency in network", hospital2, spouse, "2026-03-12", line("99283", "2026-03-10", 90000),
			[]adj{{"CO", "45", 65000, 0}, {"PR", "3", 25000, 0}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := world(t)
			c := submit(t, h, tt.provider, tt.filed, "CLM-1", tt.member, tt.line)
			checkBalanced(t, c)
			l := c.Lines[0]
			if got := adjs(l); !reflect.DeepEqual(got, tt.want) || l.PaymentCents != tt.pay {
				t.Errorf("adjustments %+v, paid %d; want %+v, paid %d", got, l.PaymentCents, tt.want, tt.pay)
			}
			if !strings.Contains(l.Adjustments[0].Note, tt.note) {
				t.Errorf("note %q does not say %q", l.Adjustments[0].Note, tt.note)
			}
			wantStatus := clpProcessedPrimary
			if l.AllowedCents == 0 {
				wantStatus = clpDenied
			}
			if c.ClaimStatusCode != wantStatus {
				t.Errorf("claim status %s, want %s", c.ClaimStatusCode, wantStatus)
			}
			// A fully denied line moves no accumulator.
			m, _ := accums(t, h, tt.member, "")
			if l.AllowedCents == 0 && (m.In != Spend{} || m.Out != Spend{} || len(m.Benefits) != 0) {
				t.Errorf("a denied line moved the accumulators: %+v", m)
			}
		})
	}
}

func TestHealthplan_SubmitClaim_duplicates(t *testing.T) {
	h := world(t)
	first := submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99213", "2026-03-10", 15000))
	// The same visit under a new claim id, twice in one claim, and the same code with a modifier.
	withMod := line("99213", "2026-03-10", 15000)
	withMod.Modifiers = []string{"25"}
	c := submit(t, h, hospital1, "2026-03-12", "CLM-2", subscriber, line("99213", "2026-03-10", 15000), withMod, withMod)
	want := [][]adj{
		{{"OA", "18", 15000, 1}},
		{{"CO", "45", 5500, 0}, {"PR", "3", 3000, 0}},
		{{"OA", "18", 15000, 1}},
	}
	for i, w := range want {
		if got := adjs(c.Lines[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("line %d adjustments = %+v, want %+v", i+1, got, w)
		}
	}
	if n := c.Lines[0].Adjustments[0].Note; !strings.Contains(n, "exact duplicate of Hospital1MSP/CLM-1#1") {
		t.Errorf("duplicate note = %q", n)
	}
	if n := c.Lines[2].Adjustments[0].Note; !strings.Contains(n, "Hospital1MSP/CLM-2#2") {
		t.Errorf("in-claim duplicate note = %q", n)
	}
	// Modifiers in another order are the same service.
	swapped := line("99213", "2026-03-10", 15000)
	swapped.Modifiers = []string{"LT", "25"}
	submit(t, h, hospital1, "2026-03-12", "CLM-3", subscriber, func() lineArgs { l := swapped; l.Modifiers = []string{"25", "LT"}; return l }())
	if c := submit(t, h, hospital1, "2026-03-12", "CLM-4", subscriber, swapped); c.Lines[0].Adjustments[0].Reason != carcDuplicate {
		t.Errorf("modifiers LT+25 after 25+LT = %+v, want a duplicate", c.Lines[0].Adjustments)
	}
	// Another provider's visit the same day is not a duplicate.
	other := submit(t, h, hospital2, "2026-03-12", "CLM-1", subscriber, line("99213", "2026-03-10", 15000))
	if other.Lines[0].PaymentCents != 6500 || first.Lines[0].PaymentCents != 6500 {
		t.Errorf("payments %d and %d, want both visits paid", first.Lines[0].PaymentCents, other.Lines[0].PaymentCents)
	}
}

func TestHealthplan_SubmitClaim_priorAuthorization(t *testing.T) {
	h := world(t)
	mri := approved(t, h, hospital1, mriRequest("TRN-1", 1), 1)
	two := approved(t, h, hospital1, mriRequest("TRN-2", 3), 2)
	var pending, refused Authorization
	h.Call("requestAuthorization", mriRequest("TRN-3", 1), sdktest.As(hospital1), sdktest.At(day("2026-02-20"))).JSON(t, &pending)
	h.Call("requestAuthorization", mriRequest("TRN-4", 1), sdktest.As(hospital1), sdktest.At(day("2026-02-20"))).JSON(t, &refused)
	h.Call("decideAuthorization", authDecisionArgs{AuthID: refused.AuthID, Decision: "deny", DenialReason: "notMedicallyNecessary"}, sdktest.As(examiner)).RequireOK(t)
	kidAuth := approved(t, h, hospital1, func() authRequestArgs { r := mriRequest("TRN-5", 1); r.MemberID = child; return r }(), 1)

	authed := func(id, date string, units int) lineArgs {
		l := line("70553", date, int64(units)*250000)
		l.Units, l.PriorAuthID = units, id
		return l
	}
	steps := []struct {
		name     string
		provider sdktest.Identity
		line     lineArgs
		want     []adj
		note     string
	}{
		{"approved", hospital1, authed(mri, "2026-03-10", 1), []adj{{"CO", "45", 130000, 0}, {"PR", "1", 120000, 0}}, ""},
		{"units used up", hospital1, authed(mri, "2026-03-11", 1), []adj{{"CO", "198", 250000, 1}}, "authorization " + mri + " approved 1 units; 1 were already used"},
		{"more units than approved", hospital1, authed(two, "2026-03-12", 3), []adj{{"CO", "198", 250000, 1}, {"CO", "45", 260000, 0}, {"PR", "1", 30000, 0}, {"PR", "2", 42000, 0}}, "approved 2 units; 0 were already used"},
		{"pending", hospital1, authed(pending.AuthID, "2026-03-13", 1), []adj{{"CO", "197", 250000, 1}}, "is still pending a decision"},
		{"denied", hospital1, authed(refused.AuthID, "2026-03-14", 1), []adj{{"CO", "39", 250000, 1}}, "was denied (notMedicallyNecessary)"},
		{"another provider's authorization", hospital2, authed(pending.AuthID, "2026-03-15", 1), []adj{{"CO", "15", 250000, 1}}, "was issued to provider Hospital1MSP"},
		{"another member's authorization", hospital1, authed(kidAuth, "2026-03-16", 1), []adj{{"CO", "15", 250000, 1}}, "is for another member"},
		{"outside validity", hospital1, authed(two, "2026-04-01", 1), []adj{{"CO", "15", 250000, 1}}, "is valid 2026-03-01 to 2026-03-31, not on 2026-04-01"},
		{"unknown authorization", hospital1, authed(authID(hospital1MSP, "TRN-404"), "2026-03-18", 1), []adj{{"CO", "15", 250000, 1}}, "does not exist"},
	}
	for i, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			c := submit(t, h, s.provider, "2026-04-02", "CLM-A"+string(rune('0'+i)), subscriber, s.line)
			checkBalanced(t, c)
			if got := adjs(c.Lines[0]); !reflect.DeepEqual(got, s.want) {
				t.Errorf("adjustments = %+v, want %+v", got, s.want)
			}
			if !strings.Contains(c.Lines[0].Adjustments[0].Note, s.note) {
				t.Errorf("note %q does not say %q", c.Lines[0].Adjustments[0].Note, s.note)
			}
		})
	}
	var a Authorization
	if h.GetJSON(authKey(two), &a); a.UnitsUsed != 2 {
		t.Errorf("authorization %s used %d units, want 2", two, a.UnitsUsed)
	}
	// A code for another authorization's member: the code check is reached with the subscriber's own one.
	own := approved(t, h, hospital1, mriRequest("TRN-6", 1), 1)
	l := authed(own, "2026-03-20", 1)
	l.Code = "70551"
	c := submit(t, h, hospital1, "2026-04-02", "CLM-B", subscriber, l)
	if n := c.Lines[0].Adjustments[0].Note; c.Lines[0].Adjustments[0].Reason != carcAuthInvalid || !strings.Contains(n, "is for code 70553, not 70551") {
		t.Errorf("wrong-code line = %+v", c.Lines[0].Adjustments)
	}
	// An authorization on a line that needs none is noted and left alone.
	l = line("99213", "2026-03-20", 15000)
	l.PriorAuthID = own
	c = submit(t, h, hospital1, "2026-04-02", "CLM-C", subscriber, l)
	if len(c.Lines[0].Remarks) != 1 || !strings.Contains(c.Lines[0].Remarks[0], "needs no prior authorization") || c.Lines[0].AuthUnitsUsed != 0 {
		t.Errorf("office visit with an authorization: remarks %q, auth units %d", c.Lines[0].Remarks, c.Lines[0].AuthUnitsUsed)
	}
}

func TestHealthplan_SubmitClaim_limits(t *testing.T) {
	h := world(t, func(p *planArgs) {
		benefit(p, "physical-therapy").VisitsPerYear, benefit(p, "physical-therapy").UnitsPerYear = 2, 5
	})
	pt := func(date string, units int) lineArgs {
		l := line("97110", date, int64(units)*5000)
		l.Units = units
		return l
	}
	c1 := submit(t, h, hospital1, "2026-04-30", "PT-1", subscriber, pt("2026-04-01", 3))
	c2 := submit(t, h, hospital1, "2026-04-30", "PT-2", subscriber, pt("2026-04-08", 3))
	c3 := submit(t, h, hospital1, "2026-04-30", "PT-3", subscriber, pt("2026-04-15", 1))
	want := [][]adj{
		{{"CO", "45", 5400, 0}, {"PR", "3", 4000, 0}},
		{{"PR", "119", 5000, 1}, {"CO", "45", 3600, 0}, {"PR", "3", 4000, 0}},
		{{"PR", "119", 5000, 1}},
	}
	for i, c := range []Claim{c1, c2, c3} {
		checkBalanced(t, c)
		if got := adjs(c.Lines[0]); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("claim %d adjustments = %+v, want %+v", i+1, got, want[i])
		}
	}
	if c2.Lines[0].UnitsAllowed != 2 || !strings.Contains(c2.Lines[0].Adjustments[0].Note, "allows 5 units per plan year; 3 used") {
		t.Errorf("unit-limited line = %+v", c2.Lines[0])
	}
	if !strings.Contains(c3.Lines[0].Adjustments[0].Note, "allows 2 visits per plan year; 2 used") {
		t.Errorf("visit-limited note = %q", c3.Lines[0].Adjustments[0].Note)
	}
	// Another family member has their own limits.
	c4 := submit(t, h, hospital1, "2026-04-30", "PT-4", spouse, pt("2026-04-15", 1))
	if c4.Lines[0].PaymentCents != 0 || c4.Lines[0].AllowedCents != 3200 {
		t.Errorf("spouse's therapy = %+v", c4.Lines[0])
	}
	m, _ := accums(t, h, subscriber, smithFam)
	if m.Benefits["physical-therapy"] != (Usage{Visits: 2, Units: 5}) {
		t.Errorf("therapy use = %+v", m.Benefits["physical-therapy"])
	}
}

func TestHealthplan_SubmitClaim_familyAccumulators(t *testing.T) {
	// Lower maxima so a surgery reaches them: $2,000 individual and $4,000 family in network.
	h := world(t, func(p *planArgs) {
		p.InNetwork.OOPMaxIndividualCents, p.InNetwork.OOPMaxFamilyCents = i64(200000), i64(400000)
	})
	knee := func(member, req string) lineArgs {
		r := mriRequest(req, 1)
		r.MemberID, r.Code = member, "27447"
		l := line("27447", "2026-05-04", 4500000)
		l.PriorAuthID = approved(t, h, hospital1, func() authRequestArgs { r.ServicePeriod = Period{Start: "2026-05-01", End: "2026-05-31"}; return r }(), 1)
		return l
	}
	// The subscriber's knee replacement: $15,000 allowed, $1,500 deductible, 20% coinsurance capped by the
	// $2,000 individual maximum.
	c := submit(t, h, hospital1, "2026-05-10", "CLM-K1", subscriber, knee(subscriber, "TRN-K1"))
	l := c.Lines[0]
	if l.AllowedCents != 1500000 || l.DeductibleCents != 150000 || l.CoinsuranceCents != 50000 || l.PaymentCents != 1300000 {
		t.Errorf("knee = allowed %d ded %d coins %d paid %d", l.AllowedCents, l.DeductibleCents, l.CoinsuranceCents, l.PaymentCents)
	}
	if len(l.Remarks) != 1 || !strings.Contains(l.Remarks[0], "out-of-pocket maximum reached: member cost share capped at $2,000.00 instead of $4,200.00") {
		t.Errorf("remarks = %q", l.Remarks)
	}
	// The subscriber met the maximum: the next visit costs nothing.
	c = submit(t, h, hospital1, "2026-05-10", "CLM-V1", subscriber, line("99213", "2026-05-06", 15000))
	if c.Lines[0].CopayCents != 0 || c.Lines[0].PaymentCents != 9500 {
		t.Errorf("visit after the maximum = %+v", c.Lines[0])
	}
	// The spouse's knee: the individual deductible applies (the family's $3,000 is not met yet).
	c = submit(t, h, hospital1, "2026-05-10", "CLM-K2", spouse, knee(spouse, "TRN-K2"))
	if l := c.Lines[0]; l.DeductibleCents != 150000 || l.CoinsuranceCents != 50000 {
		t.Errorf("spouse's knee = ded %d coins %d", l.DeductibleCents, l.CoinsuranceCents)
	}
	// The family met both its deductible ($3,000) and its maximum ($4,000): the child pays nothing.
	c = submit(t, h, hospital1, "2026-05-10", "CLM-L3", child, line("80061", "2026-05-07", 10000))
	if l := c.Lines[0]; l.DeductibleCents != 0 || l.PatientResponsibilityCents != 0 || l.PaymentCents != 6000 {
		t.Errorf("child's lab after the family maximum = %+v", l)
	}
	_, f := accums(t, h, subscriber, smithFam)
	kid, _ := accums(t, h, child, smithFam)
	if f.In != (Spend{DeductibleCents: 300000, OOPCents: 400000}) || kid.In != (Spend{}) {
		t.Errorf("family %+v, child %+v", f.In, kid.In)
	}
	var el Eligibility
	h.Call("checkEligibility", eligibilityArgs{MemberID: child, ServiceDate: "2026-05-10", Purpose: "PATRQT"}, sdktest.As(memberKid)).JSON(t, &el)
	if b := el.Balances.InNetwork; *b.OOPFamily.RemainingCents != 0 || *b.OOPIndividual.RemainingCents != 200000 {
		t.Errorf("child's balances = %+v", b)
	}
}

func TestHealthplan_SubmitClaim_planVersions(t *testing.T) {
	year := func(p *planArgs) { p.TimelyFilingDays = 365 }
	h := world(t, year)
	h.Call("publishPlan", silverPPO(year, func(p *planArgs) {
		p.EffectiveFrom = "2026-07-01"
		benefit(p, "office-visit").InNetwork.CopayCents = 4000
	}), sdktest.As(planAdmin), sdktest.At(day("2026-06-01"))).RequireOK(t)
	h.Call("publishPlan", silverPPO(year, func(p *planArgs) {
		p.Name, p.PlanYear = "Acme Silver PPO 2027", Period{Start: "2027-01-01", End: "2027-12-31"}
	}), sdktest.As(planAdmin), sdktest.At(day("2026-10-01"))).RequireOK(t)

	c := submit(t, h, hospital1, "2027-01-20", "CLM-1", subscriber,
		line("99213", "2026-06-30", 15000), line("99213", "2026-07-01", 15000),
		line("80061", "2026-12-30", 10000), line("80061", "2027-01-04", 10000))
	checkBalanced(t, c)
	wants := []struct {
		version   int
		year      string
		copay     int64
		deductble int64
	}{{1, "2026-01-01", 3000, 0}, {2, "2026-01-01", 4000, 0}, {2, "2026-01-01", 0, 6000}, {3, "2027-01-01", 0, 6000}}
	for i, w := range wants {
		l := c.Lines[i]
		if l.PlanVersion != w.version || l.PlanYearStart != w.year || l.CopayCents != w.copay || l.DeductibleCents != w.deductble {
			t.Errorf("line %d: version %d year %s copay %d ded %d; want %+v", i+1, l.PlanVersion, l.PlanYearStart, l.CopayCents, l.DeductibleCents, w)
		}
	}
	// Each plan year has its own accumulators.
	var y27 Accumulator
	h.GetJSON(accumKey(subscriber, "acme-silver-ppo", "2027-01-01"), &y27)
	m, _ := accums(t, h, subscriber, smithFam)
	if m.In.DeductibleCents != 6000 || y27.In.DeductibleCents != 6000 {
		t.Errorf("2026 deductible %d, 2027 deductible %d; want 6000 each", m.In.DeductibleCents, y27.In.DeductibleCents)
	}
}

func TestHealthplan_SubmitClaim_noPlanInForce(t *testing.T) {
	h := world(t)
	c := submit(t, h, hospital1, "2027-01-10", "CLM-1", subscriber, line("99213", "2027-01-05", 15000))
	if got := adjs(c.Lines[0]); !reflect.DeepEqual(got, []adj{{"CO", "109", 15000, 1}}) || c.ClaimStatusCode != clpDenied {
		t.Errorf("claim in a year without a plan version = %+v, status %s", got, c.ClaimStatusCode)
	}
}
