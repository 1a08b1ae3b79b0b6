package main

import "testing"

// The money arithmetic runs on the host here; the same code runs in the engine in every claim test.

func TestMulBps(t *testing.T) {
	tests := []struct {
		x    int64
		bps  int
		want int64
	}{
		{10000, 2000, 2000},
		{0, 2000, 0},
		{12345, 2000, 2469}, // 2469.0
		{12347, 2000, 2469}, // 2469.4 rounds down
		{12348, 2000, 2470}, // 2469.6 rounds up
		{5, 1000, 1},        // 0.5 rounds half up
		{4, 1000, 0},        // 0.4
		{9_999_999_999, 30000, 29_999_999_997},
		{100, 10000, 100},
	}
	for _, tt := range tests {
		if got := mulBps(tt.x, tt.bps); got != tt.want {
			t.Errorf("mulBps(%d, %d) = %d, want %d", tt.x, tt.bps, got, tt.want)
		}
	}
}

func TestProrate(t *testing.T) {
	tests := []struct {
		charge      int64
		part, units int
		want        int64
	}{
		{1000, 1, 3, 333},
		{1000, 2, 3, 666},
		{1000, 3, 3, 1000},
		{1000, 0, 3, 0},
		{9_999_999_999, 9998, 9999, 9_998_999_898},
	}
	for _, tt := range tests {
		if got := prorate(tt.charge, tt.part, tt.units); got != tt.want {
			t.Errorf("prorate(%d, %d, %d) = %d, want %d", tt.charge, tt.part, tt.units, got, tt.want)
		}
	}
}

func TestAllowedAmount(t *testing.T) {
	in := Tier{FeeSchedulePercentBps: 10000, UnlistedChargePercentBps: 6000}
	out := Tier{FeeSchedulePercentBps: 8000, UnlistedChargePercentBps: 4000}
	tests := []struct {
		name   string
		fee    int64
		hasFee bool
		tier   Tier
		units  int
		charge int64
		want   int64
	}{
		{"fee below charge", 9500, true, in, 1, 18000, 9500},
		{"fee times units", 3200, true, in, 4, 60000, 12800},
		{"charge below fee", 9500, true, in, 1, 8000, 8000},
		{"out-of-network share of fee", 9500, true, out, 1, 18000, 7600},
		{"out-of-network share rounds per unit", 15, true, out, 10, 1000, 120},
		{"no fee: share of charge", 0, false, in, 1, 50000, 30000},
		{"no fee, out of network", 0, false, out, 2, 50001, 20000},
		{"no fee, zero share", 0, false, Tier{}, 1, 50000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allowedAmount(tt.fee, tt.hasFee, tt.tier, tt.units, tt.charge); got != tt.want {
				t.Errorf("allowedAmount = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	dedCoins := CostShare{CoinsuranceBps: 2000, DeductibleApplies: true}
	tests := []struct {
		name           string
		allowed        int64
		cs             CostShare
		remDed, remOOP int64
		want           shares
	}{
		{"copay only", 9500, CostShare{CopayCents: 3000}, 150000, 600000, shares{0, 3000, 0}},
		{"copay above allowed", 2000, CostShare{CopayCents: 3000}, 0, -1, shares{0, 2000, 0}},
		{"deductible takes all", 120000, dedCoins, 150000, 600000, shares{120000, 0, 0}},
		{"deductible then coinsurance", 120000, dedCoins, 30000, 600000, shares{30000, 0, 18000}},
		{"deductible met", 120000, dedCoins, 0, 600000, shares{0, 0, 24000}},
		{"deductible ignored when it does not apply", 120000, CostShare{CoinsuranceBps: 2000}, 150000, -1, shares{0, 0, 24000}},
		{"deductible, copay, coinsurance", 50000, CostShare{CopayCents: 5000, CoinsuranceBps: 1000, DeductibleApplies: true}, 10000, -1,
			shares{10000, 5000, 3500}},
		{"no out-of-pocket maximum", 1_500_000, dedCoins, 150000, -1, shares{150000, 0, 270000}},
		{"cap takes coinsurance first", 1_500_000, dedCoins, 150000, 200000, shares{150000, 0, 50000}},
		{"cap reaches copay", 50000, CostShare{CopayCents: 5000, CoinsuranceBps: 1000, DeductibleApplies: true}, 10000, 12000,
			shares{10000, 2000, 0}},
		{"cap reaches deductible", 120000, dedCoins, 150000, 40000, shares{40000, 0, 0}},
		{"maximum met: member pays nothing", 120000, CostShare{CopayCents: 3000, CoinsuranceBps: 2000, DeductibleApplies: true}, 150000, 0,
			shares{0, 0, 0}},
		{"zero allowed", 0, CostShare{CopayCents: 3000, CoinsuranceBps: 2000, DeductibleApplies: true}, 150000, -1, shares{}},
		{"negative remaining deductible is none", 1000, dedCoins, -5, -1, shares{0, 0, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.allowed, tt.cs, tt.remDed, tt.remOOP)
			if got != tt.want {
				t.Errorf("split(%d, %+v, %d, %d) = %+v, want %+v", tt.allowed, tt.cs, tt.remDed, tt.remOOP, got, tt.want)
			}
			if got.total() > tt.allowed || tt.remOOP >= 0 && got.total() > tt.remOOP {
				t.Errorf("cost share %d exceeds allowed %d or remaining maximum %d", got.total(), tt.allowed, tt.remOOP)
			}
		})
	}
}

func TestCodeClass(t *testing.T) {
	tests := map[string]string{
		"99213": "CPT", "0001U": "CPT-U", "3074F": "CPT-F", "0042T": "CPT-T", "J1100": "HCPCS-J", "G0438": "HCPCS-G",
		"9921": "", "992133": "", "W1234": "", "j1100": "", "9921A": "", "A12B4": "", "": "",
	}
	for code, want := range tests {
		if got := codeClass(code); got != want {
			t.Errorf("codeClass(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestCodeRange_Contains(t *testing.T) {
	r := CodeRange{From: "99202", To: "99215"}
	for code, want := range map[string]bool{"99202": true, "99213": true, "99215": true, "99201": false, "99216": false, "9921F": false} {
		if got := r.contains(code); got != want {
			t.Errorf("%v.contains(%q) = %v, want %v", r, code, got, want)
		}
	}
	// A range of one family never holds codes of another that sort inside it.
	if (CodeRange{From: "0001U", To: "0999U"}).contains("0042T") {
		t.Error("a PLA range holds a Category III code")
	}
	if !(CodeRange{From: "G0438"}).contains("G0438") || (CodeRange{From: "G0438"}).contains("G0439") {
		t.Error("a single-code range does not hold exactly its code")
	}
}

func TestPeriod(t *testing.T) {
	p := Period{Start: "2026-01-01", End: "2026-06-30"}
	open := Period{Start: "2026-07-01"}
	for d, want := range map[string]bool{"2025-12-31": false, "2026-01-01": true, "2026-06-30": true, "2026-07-01": false} {
		if got := p.contains(d); got != want {
			t.Errorf("%v.contains(%s) = %v, want %v", p, d, got, want)
		}
	}
	if !open.contains("2099-01-01") || open.contains("2026-06-30") {
		t.Error("an open period's bounds are wrong")
	}
	if p.overlaps(open) || !open.overlaps(Period{Start: "2030-01-01", End: "2030-01-02"}) || !p.overlaps(Period{Start: "2026-06-30"}) {
		t.Error("overlaps is wrong")
	}
}

func TestUSDAndPct(t *testing.T) {
	for cents, want := range map[int64]string{0: "$0.00", 5: "$0.05", 123456: "$1,234.56", 100000000: "$1,000,000.00", -250: "-$2.50"} {
		if got := usd(cents); got != want {
			t.Errorf("usd(%d) = %q, want %q", cents, got, want)
		}
	}
	for b, want := range map[int]string{2000: "20%", 1250: "12.5%", 0: "0%", 10000: "100%", 8005: "80.05%"} {
		if got := pct(b); got != want {
			t.Errorf("pct(%d) = %q, want %q", b, got, want)
		}
	}
}

func TestMember_CoverageOn(t *testing.T) {
	m := Member{Coverages: []Coverage{
		{PlanID: "a", Period: Period{Start: "2026-01-01", End: "2026-03-31"}},
		{PlanID: "b", Period: Period{Start: "2026-05-01"}},
	}}
	tests := []struct {
		date, plan, carc string
	}{
		{"2025-12-31", "", carcBeforeCoverage},
		{"2026-02-01", "a", ""},
		{"2026-04-15", "", carcLapse},
		{"2030-01-01", "b", ""},
	}
	for _, tt := range tests {
		c, carc := m.coverageOn(tt.date)
		if got := ""; c != nil {
			got = c.PlanID
			if got != tt.plan {
				t.Errorf("coverageOn(%s) = plan %s, want %s", tt.date, got, tt.plan)
			}
		} else if tt.plan != "" || carc != tt.carc {
			t.Errorf("coverageOn(%s) = none, CARC %s; want plan %q, CARC %s", tt.date, carc, tt.plan, tt.carc)
		}
	}
	m.Coverages[1].End = "2026-12-31"
	if _, carc := m.coverageOn("2027-01-01"); carc != carcAfterCoverage {
		t.Errorf("after the last coverage: CARC %s, want %s", carc, carcAfterCoverage)
	}
}

func TestPlanMeta_InForce(t *testing.T) {
	y26 := Period{Start: "2026-01-01", End: "2026-12-31"}
	y27 := Period{Start: "2027-01-01", End: "2027-12-31"}
	m := PlanMeta{Versions: []VersionInfo{
		{Version: 1, EffectiveFrom: "2026-01-01", PlanYear: y26},
		{Version: 2, EffectiveFrom: "2026-07-01", PlanYear: y26},
		{Version: 3, EffectiveFrom: "2027-01-01", PlanYear: y27},
	}}
	for d, want := range map[string]int{"2025-12-31": 0, "2026-01-01": 1, "2026-06-30": 1, "2026-07-01": 2, "2026-12-31": 2, "2027-05-05": 3, "2028-01-01": 0} {
		if got := m.inForce(d); got != want {
			t.Errorf("inForce(%s) = %d, want %d", d, got, want)
		}
	}
}
