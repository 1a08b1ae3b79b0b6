package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// checkBalanced asserts the 835 balancing rule on every line and the claim totals.
func checkBalanced(t testing.TB, c Claim) {
	t.Helper()
	var charge, pay, patient int64
	for _, l := range c.Lines {
		var adjusted, pr int64
		for _, a := range l.Adjustments {
			adjusted += a.AmountCents
			if a.Group == groupPR {
				pr += a.AmountCents
			}
			if a.AmountCents <= 0 || a.Note == "" {
				t.Errorf("line %d adjustment %+v: every adjustment has a positive amount and a note", l.LineNumber, a)
			}
		}
		if l.ChargeCents != l.PaymentCents+adjusted || l.PatientResponsibilityCents != pr {
			t.Errorf("line %d does not balance: charge %d, paid %d, adjusted %d, patient %d (PR %d)",
				l.LineNumber, l.ChargeCents, l.PaymentCents, adjusted, l.PatientResponsibilityCents, pr)
		}
		charge, pay, patient = charge+l.ChargeCents, pay+l.PaymentCents, patient+pr
	}
	if c.ChargeCents != charge || c.PaymentCents != pay || c.PatientResponsibilityCents != patient {
		t.Errorf("claim totals %d/%d/%d, lines sum to %d/%d/%d", c.ChargeCents, c.PaymentCents, c.PatientResponsibilityCents, charge, pay, patient)
	}
}

func TestHealthplan_SubmitClaim(t *testing.T) {
	h := world(t)
	// An established-patient visit with labs and an injection: the visit costs the copay, the rest goes to the
	// deductible.
	injection := line("J1100", "2026-03-10", 5000)
	injection.Units = 10
	res := h.Call("submitClaim", claimArgs{ClaimID: "CLM-2026-000123", MemberID: subscriber,
		Attachment: &Anchor{SHA256: pseudo("visit-note"), Location: "https://ehr.hospital1.example/claims/123"},
		Lines:      []lineArgs{line("99214", "2026-03-10", 18000), line("80053", "2026-03-10", 6000), line("85025", "2026-03-10", 4000), injection},
	}, sdktest.As(hospital1), sdktest.At(day("2026-03-12")))
	var c Claim
	res.JSON(t, &c)
	checkBalanced(t, c)
	if c.Status != claimActive || c.ClaimStatusCode != clpProcessedPrimary || c.PayerMSPID != acmeMSP || c.FamilyID != smithFam ||
		c.SubmittedBy != idHash(hospital1) {
		t.Errorf("claim header = %+v", c)
	}
	wantLines := []struct {
		benefit                         string
		allowed, ded, copay, coins, pay int64
		adjs                            []adj
	}{
		{"office-visit", 13500, 0, 3000, 0, 10500, []adj{{"CO", "45", 4500, 0}, {"PR", "3", 3000, 0}}},
		{"lab", 1500, 1500, 0, 0, 0, []adj{{"CO", "45", 4500, 0}, {"PR", "1", 1500, 0}}},
		{"lab", 1100, 1100, 0, 0, 0, []adj{{"CO", "45", 2900, 0}, {"PR", "1", 1100, 0}}},
		{"injectables", 150, 150, 0, 0, 0, []adj{{"CO", "45", 4850, 0}, {"PR", "1", 150, 0}}},
	}
	for i, w := range wantLines {
		l := c.Lines[i]
		if l.BenefitID != w.benefit || l.AllowedCents != w.allowed || l.DeductibleCents != w.ded || l.CopayCents != w.copay ||
			l.CoinsuranceCents != w.coins || l.PaymentCents != w.pay || l.Network != networkIn || l.PlanVersion != 1 {
			t.Errorf("line %d = benefit %s allowed %d ded %d copay %d coins %d pay %d network %s version %d; want %+v", l.LineNumber,
				l.BenefitID, l.AllowedCents, l.DeductibleCents, l.CopayCents, l.CoinsuranceCents, l.PaymentCents, l.Network, l.PlanVersion, w)
		}
		if got := adjs(l); !reflect.DeepEqual(got, w.adjs) {
			t.Errorf("line %d adjustments = %+v, want %+v", l.LineNumber, got, w.adjs)
		}
	}
	if c.ChargeCents != 33000 || c.AllowedCents != 16250 || c.PaymentCents != 10500 || c.PatientResponsibilityCents != 5750 {
		t.Errorf("totals = charge %d allowed %d paid %d patient %d", c.ChargeCents, c.AllowedCents, c.PaymentCents, c.PatientResponsibilityCents)
	}
	if n := c.Lines[0].Adjustments[0].Note; n != "charge exceeds the in-network allowance of $135.00 (1 × $135.00 per unit, 100% of the fee schedule's $135.00)" {
		t.Errorf("fee schedule note = %q", n)
	}

	// Accumulators moved for the member and the family, in network.
	m, f := accums(t, h, subscriber, smithFam)
	if m.In != (Spend{DeductibleCents: 2750, OOPCents: 5750}) || f.In != m.In || m.Out != (Spend{}) {
		t.Errorf("accumulators member %+v family %+v", m, f)
	}
	if want := map[string]Usage{"office-visit": {1, 1}, "lab": {2, 2}, "injectables": {1, 10}}; !reflect.DeepEqual(m.Benefits, want) {
		t.Errorf("benefit use = %+v, want %+v", m.Benefits, want)
	}
	var ev claimEvent
	if err := json.Unmarshal(res.RequireEvent(t, "ClaimAdjudicated"), &ev); err != nil || ev.PaymentCents != 10500 || ev.ClaimStatusCode != "1" || ev.AuditID == "" {
		t.Errorf("ClaimAdjudicated = %+v, %v", ev, err)
	}
	var s ClaimSummary
	if !h.GetJSON(mclaimKey(subscriber, hospital1MSP, "CLM-2026-000123"), &s) || s.PaymentCents != 10500 || s.FirstServiceDate != "2026-03-10" {
		t.Errorf("member index entry = %+v", s)
	}
	if n := len(h.Keys(prefixDup + subscriber + "/")); n != 4 {
		t.Errorf("%d duplicate-check keys, want one per line", n)
	}

	// Eligibility now shows the balances.
	var el Eligibility
	h.Call("checkEligibility", eligibilityArgs{MemberID: spouse, ServiceDate: "2026-03-15", Purpose: "ELIGVER"}, sdktest.As(hospital1)).JSON(t, &el)
	if b := el.Balances.InNetwork; b.DeductibleIndividual.MetCents != 0 || b.DeductibleFamily.MetCents != 2750 || *b.DeductibleFamily.RemainingCents != 297250 ||
		b.OOPFamily.MetCents != 5750 {
		t.Errorf("spouse's balances = %+v", b)
	}
}

func TestHealthplan_SubmitClaim_maxLines(t *testing.T) {
	// The largest claim the contract accepts stays within the host's per-call limits (writes, value size).
	h := world(t)
	lines := make([]lineArgs, maxClaimLines)
	for i := range lines {
		lines[i] = line("99213", addDays("2026-01-01", i), 15000)
	}
	c := submit(t, h, hospital1, "2026-03-12", "CLM-BIG", subscriber, lines...)
	checkBalanced(t, c)
	if len(c.Lines) != maxClaimLines || c.PaymentCents != 50*6500 {
		t.Errorf("%d lines paid %d", len(c.Lines), c.PaymentCents)
	}
}

func TestHealthplan_SubmitClaim_deterministic(t *testing.T) {
	// Two ledgers fed the same calls produce the same bytes: no map order, no clock, no randomness.
	run := func() []sdktest.Write {
		h := world(t)
		submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99214", "2026-03-10", 18000), line("80053", "2026-03-10", 6000))
		submit(t, h, clinic9, "2026-03-12", "CLM-9", spouse, line("99213", "2026-03-11", 15000))
		return h.Writes()
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Error("the same calls on two ledgers wrote different state")
	}
}

func TestHealthplan_SubmitClaim_Errors(t *testing.T) {
	h := world(t)
	submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99213", "2026-03-10", 15000))
	ok := func() claimArgs {
		return claimArgs{ClaimID: "CLM-2", MemberID: subscriber, Lines: []lineArgs{line("99213", "2026-03-11", 15000)}}
	}
	with := func(f func(*claimArgs)) claimArgs { a := ok(); f(&a); return a }
	many := make([]lineArgs, 51)
	for i := range many {
		many[i] = line("99213", "2026-03-11", 100)
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   any
		want   string
	}{
		{"payer", examiner, ok(), "permission_denied: submitting a claim needs a provider identity (attribute role=provider); the caller's role attribute is \"payer\""},
		{"clinician", clinician, ok(), "permission_denied: submitting a claim needs a provider identity"},
		{"member", memberSelf, ok(), "permission_denied: submitting a claim needs a provider identity"},
		{"provider admin", provAdmin, ok(), "permission_denied: submitting a claim needs a client identity"},
		{"replay", hospital1, with(func(a *claimArgs) { a.ClaimID = "CLM-1" }), "already_exists: claim CLM-1 of Hospital1MSP was already submitted (status active); void or replace it instead"},
		{"unknown member", hospital1, with(func(a *claimArgs) { a.MemberID = stranger }), "not_found: no member with this id is enrolled"},
		{"claim id", hospital1, with(func(a *claimArgs) { a.ClaimID = "CLM/2" }), `invalid_argument: claimId "CLM/2" may hold only`},
		{"claim id too long", hospital1, with(func(a *claimArgs) { a.ClaimID = strings.Repeat("9", 39) }), "invalid_argument: claimId must be 1 to 38 characters (got 39)"},
		{"member id", hospital1, with(func(a *claimArgs) { a.MemberID = "JOHN SMITH 1970-01-01" }), "invalid_argument: memberId must be a pseudonymous id"},
		{"no lines", hospital1, with(func(a *claimArgs) { a.Lines = nil }), "invalid_argument: a claim must have 1 to 50 lines (got 0)"},
		{"51 lines", hospital1, with(func(a *claimArgs) { a.Lines = many }), "invalid_argument: a claim must have 1 to 50 lines (got 51)"},
		{"code", hospital1, with(func(a *claimArgs) { a.Lines[0].Code = "9921" }), `invalid_argument: lines[0].code "9921" is not a CPT or HCPCS code`},
		{"ICD-10 code instead of CPT", hospital1, with(func(a *claimArgs) { a.Lines[0].Code = "E11.9" }), `invalid_argument: lines[0].code "E11.9" is not a CPT or HCPCS code`},
		{"five modifiers", hospital1, with(func(a *claimArgs) { a.Lines[0].Modifiers = []string{"25", "59", "LT", "RT", "76"} }), "invalid_argument: lines[0] has 5 modifiers, more than 4"},
		{"bad modifier", hospital1, with(func(a *claimArgs) { a.Lines[0].Modifiers = []string{"lt"} }), `invalid_argument: lines[0].modifiers[0] "lt" is not a procedure modifier`},
		{"modifier twice", hospital1, with(func(a *claimArgs) { a.Lines[0].Modifiers = []string{"25", "25"} }), "invalid_argument: lines[0] lists modifier 25 twice"},
		{"date", hospital1, with(func(a *claimArgs) { a.Lines[0].ServiceDate = "2026-3-11" }), `invalid_argument: lines[0].serviceDate "2026-3-11" is not a date YYYY-MM-DD`},
		{"future date", hospital1, with(func(a *claimArgs) { a.Lines[0].ServiceDate = "2026-03-13" }), "invalid_argument: lines[0].serviceDate 2026-03-13 is in the future (today is 2026-03-12)"},
		{"no units", hospital1, with(func(a *claimArgs) { a.Lines[0].Units = 0 }), "invalid_argument: lines[0].units must be 1 to 9999 (got 0)"},
		{"too many units", hospital1, with(func(a *claimArgs) { a.Lines[0].Units = 10000 }), "invalid_argument: lines[0].units must be 1 to 9999 (got 10000)"},
		{"zero charge", hospital1, with(func(a *claimArgs) { a.Lines[0].ChargeCents = 0 }), "invalid_argument: lines[0].chargeCents must be 1 to 9999999999 (got 0)"},
		{"huge charge", hospital1, with(func(a *claimArgs) { a.Lines[0].ChargeCents = 10_000_000_000 }), "invalid_argument: lines[0].chargeCents must be 1 to 9999999999"},
		{"authorization number", hospital1, with(func(a *claimArgs) { a.Lines[0].PriorAuthID = "AUTH-77" }), `invalid_argument: lines[0].priorAuthId "AUTH-77" is not an authorization number`},
		{"attachment", hospital1, with(func(a *claimArgs) { a.Attachment = &Anchor{SHA256: pseudo("x"), Location: ""} }), "invalid_argument: attachment.location must be 1 to 512 bytes (got 0)"},
		{"diagnosis field", hospital1, `{"claimId":"CLM-2","memberId":"` + subscriber + `","diagnosis":["E11.9"],"lines":[]}`, `json: unknown field "diagnosis"`},
		{"amount as a decimal", hospital1, `{"claimId":"CLM-2","memberId":"` + subscriber + `","lines":[{"code":"99213","serviceDate":"2026-03-11","units":1,"chargeCents":150.5}]}`,
			"cannot unmarshal number 150.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("submitClaim", tt.args, sdktest.As(tt.caller), sdktest.At(day("2026-03-12"))).RequireError(t, tt.want)
		})
	}
	if keys := h.Keys(prefixClaim); len(keys) != 1 {
		t.Errorf("claims after refused submissions = %q", keys)
	}
}
