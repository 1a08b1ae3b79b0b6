package main

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// Organisations and people of the tests. Acme Health is the payer; Hospital1 and Hospital2 are in its network,
// Clinic9 is not. Member identities come from the payer's member portal CA.
const (
	acmeMSP      = "AcmeHealthMSP"
	blueMSP      = "BlueRiverMSP"
	hospital1MSP = "Hospital1MSP"
	hospital2MSP = "Hospital2MSP"
	clinic9MSP   = "Clinic9MSP"
)

var (
	// Pseudonyms: the payer's salted SHA-256 of its member numbers.
	subscriber = pseudo("MBR-100200301") // the subscriber of family smithFamily
	spouse     = pseudo("MBR-100200302")
	child      = pseudo("MBR-100200303")
	loner      = pseudo("MBR-700800901") // single coverage
	stranger   = pseudo("MBR-999999999") // never enrolled
	smithFam   = pseudo("SUB-100200300")
	lonerFam   = pseudo("SUB-700800900")

	planAdmin  = sdktest.NewIdentity(acmeMSP, "plan-admin", "admin", map[string]string{"role": "payer"})
	examiner   = sdktest.NewIdentity(acmeMSP, "claims-examiner", "client", map[string]string{"role": "payer"})
	bluePayer  = sdktest.NewIdentity(blueMSP, "plan-admin", "admin", map[string]string{"role": "payer"})
	hospital1  = sdktest.NewIdentity(hospital1MSP, "billing", "client", map[string]string{"role": "provider"})
	hospital2  = sdktest.NewIdentity(hospital2MSP, "billing", "client", map[string]string{"role": "provider"})
	clinic9    = sdktest.NewIdentity(clinic9MSP, "billing", "client", map[string]string{"role": "provider"})
	clinician  = sdktest.NewIdentity(hospital1MSP, "dr-lee", "client", map[string]string{"role": "clinician"})
	regulator  = sdktest.NewIdentity("StateDOIMSP", "examiner", "client", map[string]string{"role": "regulator"})
	memberSelf = sdktest.NewIdentity(acmeMSP, "portal-user-1", "client", map[string]string{"role": "patient", "patientId": subscriber})
	memberKid  = sdktest.NewIdentity(acmeMSP, "portal-user-3", "client", map[string]string{"role": "patient", "patientId": child})
	provAdmin  = sdktest.NewIdentity(hospital1MSP, "admin", "admin", map[string]string{"role": "provider"})
	payerPeer  = sdktest.NewIdentity(acmeMSP, "peer0", "peer", map[string]string{"role": "payer"})
	noRole     = sdktest.NewIdentity(hospital1MSP, "user1", "client", nil)
)

func pseudo(s string) string {
	sum := sha256.Sum256([]byte("acme-salt-2026:" + s))
	return hex.EncodeToString(sum[:])
}

// idHash is how the ledger records an identity: the SHA-256 of its Fabric identity string.
func idHash(id sdktest.Identity) string {
	sum := sha256.Sum256([]byte(id.ID))
	return hex.EncodeToString(sum[:])
}

// day returns 10:00 UTC on the date d (YYYY-MM-DD).
func day(d string) time.Time {
	t, err := time.Parse(dateLayout, d)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func i64(v int64) *int64 { return &v }

// silverPPO is Acme's 2026 plan: a PPO with a $1,500/$3,000 in-network deductible, $6,000/$12,000 out-of-pocket
// maximum, copays for office visits, coinsurance elsewhere, prior authorization for advanced imaging and
// surgery, a physical therapy visit limit, and cosmetic procedures and acupuncture excluded.
func silverPPO(mods ...func(*planArgs)) planArgs {
	p := planArgs{
		PlanID:           "acme-silver-ppo",
		Name:             "Acme Silver PPO 2026",
		PlanYear:         Period{Start: "2026-01-01", End: "2026-12-31"},
		TimelyFilingDays: 180,
		Network:          []string{hospital2MSP, hospital1MSP},
		InNetwork: Tier{DeductibleIndividualCents: 150000, DeductibleFamilyCents: 300000,
			OOPMaxIndividualCents: i64(600000), OOPMaxFamilyCents: i64(1200000),
			FeeSchedulePercentBps: 10000, UnlistedChargePercentBps: 6000},
		OutOfNetwork: Tier{DeductibleIndividualCents: 300000, DeductibleFamilyCents: 600000,
			OOPMaxIndividualCents: i64(1200000), OOPMaxFamilyCents: i64(2400000),
			FeeSchedulePercentBps: 8000, UnlistedChargePercentBps: 4000},
		FeeSchedule: map[string]int64{
			"99203": 11000, "99213": 9500, "99214": 13500, // office visits
			"80053": 1500, "85025": 1100, // comprehensive metabolic panel, CBC
			"70553": 120000,  // MRI brain without and with contrast
			"97110": 3200,    // therapeutic exercise, per 15 minutes
			"99283": 25000,   // emergency department visit
			"27447": 1500000, // total knee arthroplasty
			"J1100": 15,      // dexamethasone sodium phosphate, per 1 mg
			"G0438": 17500,   // annual wellness visit
		},
		Benefits: []Benefit{
			{ID: "office-visit", Category: "98", Codes: []CodeRange{{From: "99202", To: "99215"}},
				InNetwork:    CostShare{CopayCents: 3000},
				OutOfNetwork: &CostShare{CoinsuranceBps: 4000, DeductibleApplies: true}},
			{ID: "preventive", Category: "30", Codes: []CodeRange{{From: "G0438", To: "G0439"}},
				InNetwork: CostShare{}},
			{ID: "lab", Category: "5", Codes: []CodeRange{{From: "80047", To: "89398"}},
				InNetwork:    CostShare{CoinsuranceBps: 1000, DeductibleApplies: true},
				OutOfNetwork: &CostShare{CoinsuranceBps: 4000, DeductibleApplies: true}},
			{ID: "advanced-imaging", Category: "62", Codes: []CodeRange{{From: "70010", To: "76499"}}, PriorAuth: true,
				InNetwork:    CostShare{CoinsuranceBps: 2000, DeductibleApplies: true},
				OutOfNetwork: &CostShare{CoinsuranceBps: 4000, DeductibleApplies: true}},
			{ID: "emergency", Category: "86", Codes: []CodeRange{{From: "99281", To: "99285"}},
				InNetwork:    CostShare{CopayCents: 25000},
				OutOfNetwork: &CostShare{CopayCents: 25000}},
			{ID: "physical-therapy", Category: "PT", Codes: []CodeRange{{From: "97010", To: "97799"}}, VisitsPerYear: 20, UnitsPerYear: 60,
				InNetwork: CostShare{CopayCents: 4000}},
			{ID: "surgery", Category: "2", Codes: []CodeRange{{From: "10004", To: "69990"}}, PriorAuth: true,
				InNetwork: CostShare{CoinsuranceBps: 2000, DeductibleApplies: true}},
			{ID: "injectables", Category: "1", Codes: []CodeRange{{From: "J0120", To: "J8499"}},
				InNetwork: CostShare{CoinsuranceBps: 2000, DeductibleApplies: true}},
		},
		Exclusions: []CodeRange{{From: "15780", To: "15793"}, {From: "97810", To: "97814"}},
	}
	for _, m := range mods {
		m(&p)
	}
	return p
}

// benefit returns the benefit id of p for a modifier to change.
func benefit(p *planArgs, id string) *Benefit {
	for i := range p.Benefits {
		if p.Benefits[i].ID == id {
			return &p.Benefits[i]
		}
	}
	panic("no benefit " + id)
}

func newHarness(t testing.TB) *sdktest.Harness {
	t.Helper()
	return sdktest.New(t, sdktest.Build(t, "."), sdktest.WithName("healthplan"))
}

// world is a harness with the silver plan published on 2026-01-01 and the Smith family (subscriber, spouse,
// child) and a single member enrolled for 2026.
func world(t testing.TB, mods ...func(*planArgs)) *sdktest.Harness {
	t.Helper()
	h := newHarness(t)
	h.Call("publishPlan", silverPPO(mods...), sdktest.As(planAdmin), sdktest.At(day("2025-11-01"))).RequireOK(t)
	for _, e := range []enrollArgs{
		{MemberID: subscriber, FamilyID: smithFam, Relationship: "self", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2026-01-01"}},
		{MemberID: spouse, FamilyID: smithFam, Relationship: "spouse", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2026-01-01"}},
		{MemberID: child, FamilyID: smithFam, Relationship: "child", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2026-01-01"}},
		{MemberID: loner, FamilyID: lonerFam, Relationship: "self", PlanID: "acme-silver-ppo", Coverage: Period{Start: "2026-01-01", End: "2026-06-30"}},
	} {
		h.Call("enroll", e, sdktest.As(examiner), sdktest.At(day("2025-12-01"))).RequireOK(t)
	}
	return h
}

// line is a claim line on date with one unit.
func line(code, date string, charge int64) lineArgs {
	return lineArgs{Code: code, ServiceDate: date, Units: 1, ChargeCents: charge}
}

// submit files a claim and returns the adjudicated claim.
func submit(t testing.TB, h *sdktest.Harness, as sdktest.Identity, at string, id, member string, lines ...lineArgs) Claim {
	t.Helper()
	var c Claim
	h.Call("submitClaim", claimArgs{ClaimID: id, MemberID: member, Lines: lines}, sdktest.As(as), sdktest.At(day(at))).JSON(t, &c)
	return c
}

// accums returns the member's and family's accumulators in the silver plan's 2026 year.
func accums(t testing.TB, h *sdktest.Harness, member, family string) (Accumulator, Accumulator) {
	t.Helper()
	var m, f Accumulator
	h.GetJSON(accumKey(member, "acme-silver-ppo", "2026-01-01"), &m)
	h.GetJSON(faccumKey(family, "acme-silver-ppo", "2026-01-01"), &f)
	return m, f
}

// adj is an expected adjustment without its note.
type adj struct {
	Group, Reason string
	Amount        int64
	Units         int
}

func adjs(l Line) []adj {
	out := []adj{}
	for _, a := range l.Adjustments {
		out = append(out, adj{a.Group, a.Reason, a.AmountCents, a.Units})
	}
	return out
}
