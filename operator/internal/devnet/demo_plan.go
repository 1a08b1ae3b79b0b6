package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// demoPlanID is the story's health plan, published once per devnet.
const demoPlanID = "h2-silver-ppo"

// demoPlan is a PPO with a $1,500 individual deductible, copays for office visits and coinsurance for labs
// after the deductible; in network: the hospitals.
func demoPlan(h []string, today time.Time) map[string]any {
	year := today.Format("2006")
	return map[string]any{
		"planId": demoPlanID, "name": "Hospital 2 Health Plan Silver PPO " + year,
		"planYear":      map[string]string{"start": year + "-01-01", "end": year + "-12-31"},
		"effectiveFrom": today.Format("2006-01-02"), "timelyFilingDays": 180,
		"network": h,
		"inNetwork": map[string]any{"deductibleIndividualCents": 150000, "deductibleFamilyCents": 300000,
			"oopMaxIndividualCents": 600000, "oopMaxFamilyCents": 1200000, "feeSchedulePercentBps": 10000, "unlistedChargePercentBps": 6000},
		"outOfNetwork": map[string]any{"deductibleIndividualCents": 300000, "deductibleFamilyCents": 600000,
			"oopMaxIndividualCents": 1200000, "oopMaxFamilyCents": 2400000, "feeSchedulePercentBps": 8000, "unlistedChargePercentBps": 4000},
		"feeSchedule": map[string]int64{"99213": 9500, "99214": 13500, "80053": 1500, "85025": 1100, "99283": 25000},
		"benefits": []any{
			map[string]any{"id": "office-visit", "category": "98", "codes": []any{map[string]string{"from": "99202", "to": "99215"}},
				"inNetwork": map[string]any{"copayCents": 3000}},
			map[string]any{"id": "lab", "category": "5", "codes": []any{map[string]string{"from": "80047", "to": "89398"}},
				"inNetwork": map[string]any{"coinsuranceBps": 1000, "deductibleApplies": true}},
			map[string]any{"id": "emergency", "category": "86", "codes": []any{map[string]string{"from": "99281", "to": "99285"}},
				"inNetwork": map[string]any{"copayCents": 25000}},
		},
		"exclusions": []any{},
	}
}

// healthplanStory: hospital 2's health plan enrols a member; hospital 1 bills a visit with two lab tests; the
// claim is adjudicated at once, line by line, deductible applied.
func healthplanStory(ctx context.Context, s *story, b backend, h []string, run string) error {
	planAdmin := actor{Hospital: 1, Name: "plan-admin", Role: "admin", Attrs: map[string]string{"role": "payer"}, Label: "the plan's administrator"}
	examiner := actor{Hospital: 1, Name: "claims-examiner", Role: "client", Attrs: map[string]string{"role": "payer"}, Label: "the claims examiner"}
	billing := actor{Hospital: 0, Name: "billing", Role: "client", Attrs: map[string]string{"role": "provider"}, Label: "hospital billing"}

	s.section("3. Health plan (X12 835 adjudication): a claim with the deductible applied")
	today := time.Now().UTC()
	if err := do(ctx, b, h, "healthplan", "getPlan", map[string]any{"planId": demoPlanID}, examiner, true, nil); err != nil {
		var pv struct {
			Version int `json:"version"`
		}
		if err := do(ctx, b, h, "healthplan", "publishPlan", demoPlan(h, today), planAdmin, false, &pv); err != nil {
			return err
		}
		s.step("%s's health plan publishes %s v%d: $1,500 deductible, $30 office copay, 10%% lab coinsurance after the deductible", h[1], demoPlanID, pv.Version)
	}
	sum := sha256.Sum256([]byte("h2plan-salt|MBR-" + run))
	member := hex.EncodeToString(sum[:])
	fsum := sha256.Sum256([]byte("h2plan-salt|SUB-" + run))
	date := today.Format("2006-01-02")
	if err := do(ctx, b, h, "healthplan", "enroll", map[string]any{"memberId": member, "familyId": hex.EncodeToString(fsum[:]),
		"relationship": "self", "planId": demoPlanID, "coverage": map[string]string{"start": date}}, examiner, false, nil); err != nil {
		return err
	}
	s.step("the plan enrols member %s… (a pseudonym) from %s", member[:16], date)
	claimID := "CLM-" + run[2:]
	var c struct {
		ClaimStatusCode string `json:"claimStatusCode"`
		ChargeCents     int64  `json:"chargeCents"`
		AllowedCents    int64  `json:"allowedCents"`
		PaymentCents    int64  `json:"paymentCents"`
		PatientCents    int64  `json:"patientResponsibilityCents"`
		Lines           []struct {
			Code        string `json:"code"`
			Charge      int64  `json:"chargeCents"`
			Allowed     int64  `json:"allowedCents"`
			Deductible  int64  `json:"deductibleCents"`
			Copay       int64  `json:"copayCents"`
			Coinsurance int64  `json:"coinsuranceCents"`
			Payment     int64  `json:"paymentCents"`
			Adjustments []struct {
				Group  string `json:"group"`
				Reason string `json:"reason"`
				Amount int64  `json:"amountCents"`
			} `json:"adjustments"`
		} `json:"lines"`
	}
	lines := []map[string]any{
		{"code": "99213", "serviceDate": date, "units": 1, "chargeCents": 18000},
		{"code": "80053", "serviceDate": date, "units": 1, "chargeCents": 6000},
		{"code": "85025", "serviceDate": date, "units": 1, "chargeCents": 4000},
	}
	if err := do(ctx, b, h, "healthplan", "submitClaim", map[string]any{"claimId": claimID, "memberId": member, "lines": lines}, billing, false, &c); err != nil {
		return err
	}
	s.step("%s bills claim %s: office visit 99213, metabolic panel 80053, blood count 85025, total %s", h[0], claimID, dollars(c.ChargeCents))
	s.say("    adjudicated at once against the plan in force that day (835 status %s):", c.ClaimStatusCode)
	for _, l := range c.Lines {
		adj := ""
		for _, a := range l.Adjustments {
			adj += fmt.Sprintf(" %s-%s %s", a.Group, a.Reason, dollars(a.Amount))
		}
		s.say("    %-6s charge %8s  allowed %8s  deductible %8s  copay %7s  coinsurance %7s  plan pays %8s  [%s ]",
			l.Code, dollars(l.Charge), dollars(l.Allowed), dollars(l.Deductible), dollars(l.Copay), dollars(l.Coinsurance), dollars(l.Payment), adj)
	}
	s.say("    plan pays %s; the member owes %s (the labs went to the deductible, the visit only costs the copay)", dollars(c.PaymentCents), dollars(c.PatientCents))
	return nil
}
