package main

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestHealthplan_PublishPlan(t *testing.T) {
	h := newHarness(t)
	var v1 PlanVersion
	res := h.Call("publishPlan", silverPPO(), sdktest.As(planAdmin), sdktest.At(day("2025-11-01")))
	res.JSON(t, &v1)
	if v1.Version != 1 || v1.PayerMSPID != acmeMSP || v1.EffectiveFrom != "2026-01-01" || v1.TimelyFilingDays != 180 {
		t.Errorf("version 1 = version %d, payer %s, effective %s, filing %d", v1.Version, v1.PayerMSPID, v1.EffectiveFrom, v1.TimelyFilingDays)
	}
	if want := []string{hospital1MSP, hospital2MSP}; !reflect.DeepEqual(v1.Network, want) {
		t.Errorf("network = %v, want it sorted: %v", v1.Network, want)
	}
	if v1.PublishedBy != idHash(planAdmin) || v1.PublishedBy == "" {
		t.Errorf("publishedBy = %q, want the SHA-256 of the publisher's identity", v1.PublishedBy)
	}
	var ev planEvent
	if err := json.Unmarshal(res.RequireEvent(t, "PlanPublished"), &ev); err != nil || ev.Version != 1 || ev.PlanID != "acme-silver-ppo" {
		t.Errorf("PlanPublished = %+v, %v", ev, err)
	}
	if got := h.Keys(""); !reflect.DeepEqual(got, []string{"plan/acme-silver-ppo/000001", "planmeta/acme-silver-ppo"}) {
		t.Errorf("keys after publish = %q", got)
	}

	// A mid-year amendment (higher office copay from July) and the next plan year.
	amend := silverPPO(func(p *planArgs) {
		p.EffectiveFrom = "2026-07-01"
		benefit(p, "office-visit").InNetwork.CopayCents = 4000
	})
	var v2, v3 PlanVersion
	h.Call("publishPlan", amend, sdktest.As(planAdmin), sdktest.At(day("2026-06-01"))).JSON(t, &v2)
	next := silverPPO(func(p *planArgs) {
		p.Name, p.PlanYear = "Acme Silver PPO 2027", Period{Start: "2027-01-01", End: "2027-12-31"}
	})
	h.Call("publishPlan", next, sdktest.As(planAdmin), sdktest.At(day("2026-10-15"))).JSON(t, &v3)
	if v2.Version != 2 || v3.Version != 3 || v3.EffectiveFrom != "2027-01-01" {
		t.Fatalf("versions = %d (%s), %d (%s)", v2.Version, v2.EffectiveFrom, v3.Version, v3.EffectiveFrom)
	}

	tests := []struct {
		name        string
		args        getPlanArgs
		wantVersion int
	}{
		{"latest", getPlanArgs{PlanID: "acme-silver-ppo"}, 3},
		{"by version", getPlanArgs{PlanID: "acme-silver-ppo", Version: 1}, 1},
		{"in force on plan year start", getPlanArgs{PlanID: "acme-silver-ppo", OnDate: "2026-01-01"}, 1},
		{"in force the day before the amendment", getPlanArgs{PlanID: "acme-silver-ppo", OnDate: "2026-06-30"}, 1},
		{"in force after the amendment", getPlanArgs{PlanID: "acme-silver-ppo", OnDate: "2026-07-01"}, 2},
		{"in force next year", getPlanArgs{PlanID: "acme-silver-ppo", OnDate: "2027-12-31"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v PlanVersion
			// Plans hold no member data: anyone may read them, and reading writes nothing.
			res := h.Call("getPlan", tt.args, sdktest.As(noRole))
			res.JSON(t, &v)
			if v.Version != tt.wantVersion {
				t.Errorf("getPlan(%+v) = version %d, want %d", tt.args, v.Version, tt.wantVersion)
			}
			if len(res.Writes) != 0 || len(res.Events) != 0 {
				t.Errorf("getPlan wrote %d keys and emitted %d events", len(res.Writes), len(res.Events))
			}
		})
	}
	var got PlanVersion
	h.Call("getPlan", getPlanArgs{PlanID: "acme-silver-ppo", Version: 2}).JSON(t, &got)
	if b := got.benefitFor("99213"); b == nil || b.InNetwork.CopayCents != 4000 {
		t.Errorf("version 2 office-visit benefit = %+v, want the $40 copay", b)
	}
}

func TestHealthplan_GetPlan_Errors(t *testing.T) {
	h := world(t)
	tests := []struct {
		name string
		args string
		want string
	}{
		{"unknown plan", `{"planId":"acme-gold-hmo"}`, "not_found: plan acme-gold-hmo does not exist"},
		{"no such version", `{"planId":"acme-silver-ppo","version":4}`, "not_found: plan acme-silver-ppo has no version 4 (latest is 1)"},
		{"nothing in force", `{"planId":"acme-silver-ppo","onDate":"2025-12-31"}`, "not_found: plan acme-silver-ppo has no version in force on 2025-12-31"},
		{"after the plan year", `{"planId":"acme-silver-ppo","onDate":"2027-01-01"}`, "not_found: plan acme-silver-ppo has no version in force on 2027-01-01"},
		{"version and date", `{"planId":"acme-silver-ppo","version":1,"onDate":"2026-02-01"}`, "invalid_argument: give version or onDate, not both"},
		{"negative version", `{"planId":"acme-silver-ppo","version":-1}`, "invalid_argument: version must be positive"},
		{"bad date", `{"planId":"acme-silver-ppo","onDate":"2026-02-30"}`, `invalid_argument: onDate "2026-02-30" is not a date`},
		{"bad plan id", `{"planId":"acme/silver"}`, "invalid_argument: planId \"acme/silver\" may hold only"},
		{"unknown field", `{"planId":"acme-silver-ppo","year":2026}`, `json: unknown field "year"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("getPlan", tt.args).RequireError(t, tt.want)
		})
	}
}

func TestHealthplan_PublishPlan_Errors(t *testing.T) {
	h := world(t) // version 1 exists, published 2025-11-01
	nov := sdktest.At(day("2025-11-02"))
	tests := []struct {
		name   string
		caller sdktest.Identity
		mod    func(*planArgs)
		want   string
	}{
		// Who may publish.
		{"provider", hospital1, nil, `permission_denied: publishing a plan needs a payer identity (attribute role=payer); the caller's role attribute is "provider"`},
		{"no role attribute", noRole, nil, `permission_denied: publishing a plan needs a payer identity`},
		{"payer client, not admin", examiner, nil, `permission_denied: publishing a plan needs a payer admin identity (NodeOU admin); the caller's NodeOU is "client"`},
		{"payer peer", payerPeer, nil, `needs a payer admin identity`},
		{"another payer's plan", bluePayer, func(p *planArgs) { p.EffectiveFrom = "2026-02-01" },
			"permission_denied: plan acme-silver-ppo belongs to AcmeHealthMSP; only that payer may publish its versions"},
		// Versioning.
		{"same effective date", planAdmin, nil,
			"failed_precondition: plan acme-silver-ppo version 1 takes effect 2026-01-01; a new version must take effect later (got 2026-01-01)"},
		{"overlapping plan year", planAdmin, func(p *planArgs) { p.PlanYear = Period{Start: "2026-07-01", End: "2027-06-30"} },
			"failed_precondition: plan year 2026-07-01..2027-06-30 overlaps plan year 2026-01-01..2026-12-31 of version 1"},
		// Validation.
		{"plan id with slash", planAdmin, func(p *planArgs) { p.PlanID = "acme/silver" }, `invalid_argument: planId "acme/silver" may hold only`},
		{"empty name", planAdmin, func(p *planArgs) { p.Name = "" }, "invalid_argument: name must be 1 to 128 bytes (got 0)"},
		{"control character in name", planAdmin, func(p *planArgs) { p.Name = "Silver\nPPO" }, "invalid_argument: name may not hold control characters"},
		{"plan year backwards", planAdmin, func(p *planArgs) { p.PlanID, p.PlanYear = "x", Period{Start: "2026-12-31", End: "2026-01-01"} },
			"invalid_argument: planYear 2026-12-31..2026-01-01 must end on or after its start"},
		{"plan year too long", planAdmin, func(p *planArgs) { p.PlanID, p.PlanYear = "x", Period{Start: "2026-01-01", End: "2027-01-02"} },
			"span at most 366 days"},
		{"plan year without end", planAdmin, func(p *planArgs) { p.PlanID, p.PlanYear.End = "x", "" }, `invalid_argument: planYear.end "" is not a date`},
		{"effective outside year", planAdmin, func(p *planArgs) { p.PlanID, p.EffectiveFrom = "x", "2027-01-01" },
			"invalid_argument: effectiveFrom 2027-01-01 lies outside the plan year 2026-01-01..2026-12-31"},
		{"filing limit", planAdmin, func(p *planArgs) { p.PlanID, p.TimelyFilingDays = "x", 4000 }, "invalid_argument: timelyFilingDays must be 1 to 3650 (got 4000)"},
		{"network twice", planAdmin, func(p *planArgs) { p.PlanID, p.Network = "x", []string{hospital1MSP, hospital1MSP} },
			"invalid_argument: network lists Hospital1MSP twice"},
		{"network bad MSP", planAdmin, func(p *planArgs) { p.PlanID, p.Network = "x", []string{"Hospital 1"} }, `invalid_argument: network[0] "Hospital 1" may hold only`},
		{"family deductible below individual", planAdmin, func(p *planArgs) { p.PlanID, p.InNetwork.DeductibleFamilyCents = "x", 100000 },
			"invalid_argument: inNetwork.deductibleFamilyCents (100000) is less than the individual deductible (150000)"},
		{"negative deductible", planAdmin, func(p *planArgs) { p.PlanID, p.OutOfNetwork.DeductibleIndividualCents = "x", -1 },
			"invalid_argument: outOfNetwork.deductibleIndividualCents must be 0 to 99999999999 cents (got -1)"},
		{"maximum below deductible", planAdmin, func(p *planArgs) { p.PlanID, p.InNetwork.OOPMaxIndividualCents = "x", i64(1000) },
			"invalid_argument: inNetwork.oopMaxIndividualCents (1000) is less than the individual deductible (150000)"},
		{"family maximum below individual", planAdmin, func(p *planArgs) { p.PlanID, p.InNetwork.OOPMaxFamilyCents = "x", i64(500000) },
			"invalid_argument: inNetwork.oopMaxFamilyCents (500000) is less than the individual maximum (600000)"},
		{"fee percent", planAdmin, func(p *planArgs) { p.PlanID, p.OutOfNetwork.FeeSchedulePercentBps = "x", 30001 },
			"invalid_argument: outOfNetwork.feeSchedulePercentBps must be 0 to 30000 basis points"},
		{"fee for a bad code", planAdmin, func(p *planArgs) { p.PlanID, p.FeeSchedule = "x", map[string]int64{"9921": 100} },
			`invalid_argument: feeSchedule code "9921" is not a CPT or HCPCS code`},
		{"zero fee", planAdmin, func(p *planArgs) { p.PlanID, p.FeeSchedule = "x", map[string]int64{"99213": 0} },
			"invalid_argument: feeSchedule[99213] must be 1 to 999999999 cents per unit (got 0)"},
		{"no benefits", planAdmin, func(p *planArgs) { p.PlanID, p.Benefits = "x", nil }, "invalid_argument: benefits must list 1 to 200 benefits (got 0)"},
		{"benefit id twice", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[1].ID = "office-visit" },
			"invalid_argument: benefits[1].id office-visit is used twice"},
		{"bad category", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[0].Category = "office" },
			`invalid_argument: benefits[0].category "office" is not an X12 service type code`},
		{"benefit without codes", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[0].Codes = nil },
			"invalid_argument: benefits[0].codes must list 1 to 100 code ranges (got 0)"},
		{"range backwards", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[0].Codes[0] = CodeRange{From: "99215", To: "99202"} },
			"invalid_argument: benefits[0].codes[0] 99215-99202 is not a range"},
		{"range across code kinds", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[0].Codes[0] = CodeRange{From: "99202", To: "J1100"} },
			"invalid_argument: benefits[0].codes[0] 99202-J1100 is not a range"},
		{"overlapping benefits", planAdmin, func(p *planArgs) {
			p.PlanID = "x"
			p.Benefits[2].Codes = append(p.Benefits[2].Codes, CodeRange{From: "99211"})
		}, "invalid_argument: code ranges 99202-99215 (benefit office-visit) and 99211-99211 (benefit lab) overlap"},
		{"coinsurance above 100%", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[2].InNetwork.CoinsuranceBps = 10001 },
			"invalid_argument: benefits[2].inNetwork.coinsuranceBps must be 0 to 10000 basis points"},
		{"negative copay out of network", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[0].OutOfNetwork.CopayCents = -100 },
			"invalid_argument: benefits[0].outOfNetwork.copayCents must be 0 to 99999999 cents (got -100)"},
		{"negative limit", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Benefits[5].VisitsPerYear = -1 },
			"invalid_argument: benefits[5] limits must be 0 (none) to 9999 visits"},
		{"bad exclusion", planAdmin, func(p *planArgs) { p.PlanID = "x"; p.Exclusions[1].From = "ACUPU" },
			`invalid_argument: exclusions[1].from "ACUPU" is not a CPT or HCPCS code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := silverPPO()
			if tt.mod != nil {
				tt.mod(&p)
			}
			h.Call("publishPlan", p, sdktest.As(tt.caller), nov).RequireError(t, tt.want)
		})
	}
	t.Run("retroactive", func(t *testing.T) {
		p := silverPPO(func(p *planArgs) { p.PlanID = "acme-bronze" })
		h.Call("publishPlan", p, sdktest.As(planAdmin), sdktest.At(day("2026-01-02"))).RequireError(t,
			"invalid_argument: effectiveFrom 2026-01-01 is before today (2026-01-02): plan versions may not be retroactive")
	})
	t.Run("unknown field", func(t *testing.T) {
		h.Call("publishPlan", `{"planId":"x","deductible":100}`, sdktest.As(planAdmin), nov).RequireError(t, `json: unknown field "deductible"`)
	})
	var meta PlanMeta
	if h.GetJSON(planMetaKey("acme-silver-ppo"), &meta); len(meta.Versions) != 1 {
		t.Errorf("refused publications changed the version index: %+v", meta.Versions)
	}
	if keys := h.Keys("plan"); len(keys) != 2 || strings.Contains(strings.Join(keys, ","), "/x") {
		t.Errorf("refused publications left plan keys: %q", keys)
	}
}

// TestHealthplan_PublishPlan_readmeExample keeps the plan the README publishes from the shell identical to the
// fixture the tests use.
func TestHealthplan_PublishPlan_readmeExample(t *testing.T) {
	file, err := os.ReadFile("testdata/silver-ppo-2026.json")
	if err != nil {
		t.Fatal(err)
	}
	var fromFile, fromFixture PlanVersion
	newHarness(t).Call("publishPlan", file, sdktest.As(planAdmin), sdktest.At(day("2025-11-01"))).JSON(t, &fromFile)
	newHarness(t).Call("publishPlan", silverPPO(), sdktest.As(planAdmin), sdktest.At(day("2025-11-01"))).JSON(t, &fromFixture)
	if !reflect.DeepEqual(fromFile, fromFixture) {
		t.Errorf("testdata/silver-ppo-2026.json publishes\n%+v\nthe fixture publishes\n%+v", fromFile, fromFixture)
	}
}
