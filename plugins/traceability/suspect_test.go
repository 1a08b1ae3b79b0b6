package main

import (
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_recall(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	r := w.ok("recall", recallArgs{GTIN: gtinAcme, Lot: lotA, Class: "II", Reason: "dissolution out of specification"}, acme)
	var rc Recall
	r.JSON(t, &rc)
	if rc.Units != 3 || rc.By.MSPID != "AcmePharmaMSP" || !rc.At.Equal(w.now) || rc.Class != "II" {
		t.Errorf("recall = %+v", rc)
	}
	if p := payload(t, r, "LotRecalled"); p["units"] != 3.0 || p["lot"] != lotA {
		t.Errorf("LotRecalled = %v", p)
	}
	// A regulator may recall any manufacturer's lot.
	w.ok("commission", commissionArgs{GTIN: gtinAcme2, Lot: "LB7705", Expiry: "2027-12-31", Serials: []string{"L0001"}, Location: glnAcmePlant}, acme)
	w.ok("recall", recallArgs{GTIN: gtinAcme2, Lot: "LB7705", Class: "I", Reason: "cross-contamination"}, fda)
	if v := w.verify(fda, verifyArgs{GTIN: gtinAcme2, Serial: "L0001", Purpose: "recall"}); v.Status != verifyRecalled || v.Evidence.Recall == nil || v.Evidence.Recall.Class != "I" {
		t.Errorf("verify a recalled pack = %s %+v", v.Status, v.Evidence.Recall)
	}
}

func TestContract_recall_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	w.ok("recall", recallArgs{GTIN: gtinAcme, Lot: lotA, Class: "III", Reason: "label misprint"}, acme)
	ok := recallArgs{GTIN: gtinAcme, Lot: "LA2602", Class: "II", Reason: "x"}
	mod := func(f func(*recallArgs)) recallArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args recallArgs
		want string
	}{
		{"wholesaler", dist, ok, `permission_denied: recall: role "wholesaler" may not call it (requires manufacturer or regulator)`},
		{"another manufacturer's GTIN", acme, mod(func(a *recallArgs) { a.GTIN = gtinRepack }), "permission_denied: recall: GTIN 00370707555012 is not AcmePharmaMSP's product"},
		{"unknown lot", acme, ok, "not_found: lot LA2602 of GTIN 00361414123458 was never commissioned"},
		{"already recalled", fda, mod(func(a *recallArgs) { a.Lot = lotA }), "already_exists: lot LA2601 of GTIN 00361414123458 is already recalled (class III) by AcmePharmaMSP since"},
		{"bad class", acme, mod(func(a *recallArgs) { a.Class = "2" }), `invalid_argument: class "2" is not an FDA recall class (I, II or III)`},
		{"no reason", acme, mod(func(a *recallArgs) { a.Reason = "" }), "invalid_argument: reason is required"},
		{"bad GTIN", acme, mod(func(a *recallArgs) { a.GTIN = "1" }), "invalid_argument: GTIN \"1\" must be exactly 14 digits"},
		{"bad lot", acme, mod(func(a *recallArgs) { a.Lot = "" }), "invalid_argument: lot is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("recall", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_investigation(t *testing.T) {
	w := newWorld(t)
	w.toDist("ASN-1", "SN0001", "SN0002")
	// The holder opens an investigation and quarantines; the manufacturer clears it; the product moves again.
	r := w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "serial scanned at two sites", Rule: ruleCustodyBreak}, dist)
	var inv Investigation
	r.JSON(t, &inv)
	if inv.Status != invSuspect || inv.Rule != ruleCustodyBreak || !inv.Commissioned || len(inv.Steps) != 1 || inv.Steps[0].By.MSPID != "MedDistMSP" {
		t.Errorf("suspect = %+v", inv)
	}
	if p := payload(t, r, "ProductMarkedSuspect"); p["status"] != invSuspect || p["epc"] != item("SN0001").epc() {
		t.Errorf("ProductMarkedSuspect = %v", p)
	}
	payload(t, w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "moved to quarantine cage Q2"}, dist), "ProductQuarantined")
	if v := w.verify(dist, verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "suspect_investigation"}); v.Status != verifyQuarantined {
		t.Errorf("verify quarantined = %s", v.Status)
	}
	r = w.ok("clear", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "manufacturer verified the product identifier"}, acme)
	r.JSON(t, &inv)
	if inv.Status != invCleared || len(inv.Steps) != 3 {
		t.Errorf("cleared = %+v", inv)
	}
	payload(t, r, "ProductCleared")
	w.ship("ASN-2", dist, glnDistDC, "StMarysHospitalMSP", glnStMarysRx, item("SN0001"))
	// While in transit the receiver may raise a suspicion; a regulator confirms it illegitimate.
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "carton weight off by 12 g"}, stMarys)
	r = w.ok("confirmIllegitimate", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "counterfeit confirmed by lab analysis"}, fda)
	r.JSON(t, &inv)
	if inv.Status != invIllegitimate || len(inv.Steps) != 5 {
		t.Errorf("illegitimate = %+v", inv)
	}
	if p := payload(t, r, "ProductIllegitimate"); p["by"] != "FDAMSP" {
		t.Errorf("ProductIllegitimate = %v", p)
	}
	w.fails("clear", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "x"}, fda, "failed_precondition: (01)00361414123458(21)SN0001 is illegitimate since 2026-03-02T08:")
}

func TestContract_investigation_unknownAndSpentSerials(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("SN0001")
	w.ok("dispense", dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx}, stMarys)
	// A pack whose serial was dispensed elsewhere turns up at another pharmacy: it may report it.
	var inv Investigation
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "offered by a walk-in seller", Rule: ruleDispenseTwice}, city).JSON(t, &inv)
	if inv.Rule != ruleDispenseTwice || !inv.Commissioned {
		t.Errorf("dispensed-serial report = %+v", inv)
	}
	// A serial never commissioned: any partner reports and quarantines it; the rule is unknown_serial.
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "CF7731", Reason: "not found by verification", Rule: ruleCustodyBreak}, city).JSON(t, &inv)
	if inv.Commissioned || inv.Rule != ruleUnknownSerial || inv.EPC != item("CF7731").epc() {
		t.Errorf("unknown-serial report = %+v", inv)
	}
	w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "CF7731", Reason: "held for FDA"}, city)
	w.fails("clear", investigateArgs{GTIN: gtinAcme, Serial: "CF7731", Reason: "x"}, acme,
		"failed_precondition: unknown_serial: (01)00361414123458(21)CF7731 was never commissioned and cannot be cleared; its manufacturer must commission it first")
	w.ok("confirmIllegitimate", investigateArgs{GTIN: gtinAcme, Serial: "CF7731", Reason: "counterfeit"}, acme)
	if v := w.verify(city, verifyArgs{GTIN: gtinAcme, Serial: "CF7731"}); v.Status != verifyUnknownSerial || v.Evidence.Investigation.Status != invIllegitimate {
		t.Errorf("verify reported counterfeit = %s %+v", v.Status, v.Evidence.Investigation)
	}
}

func TestContract_investigation_Errors(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("SN0001", "SN0002", "SN0003")
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0002", Reason: "x"}, stMarys)
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0003", Reason: "x"}, stMarys)
	w.ok("clear", investigateArgs{GTIN: gtinAcme, Serial: "SN0003", Reason: "verified"}, acme)
	ok := investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "x"}
	mod := func(f func(*investigateArgs)) investigateArgs { a := ok; f(&a); return a }
	tests := []struct {
		name, function string
		who            sdktest.Identity
		args           investigateArgs
		want           string
	}{
		{"suspect by a non-holder", "markSuspect", city, ok, "permission_denied: custody_break: markSuspect: (01)00361414123458(21)SN0001 is in the custody of StMarysHospitalMSP; only its holder, its manufacturer or a regulator may do this"},
		{"quarantine by the manufacturer", "quarantine", acme, ok, "permission_denied: custody_break: quarantine: (01)00361414123458(21)SN0001 is in the custody of StMarysHospitalMSP; only its holder or a regulator may do this"},
		{"clear by a wholesaler", "clear", dist, mod(func(a *investigateArgs) { a.Serial = "SN0002" }), `permission_denied: clear: role "wholesaler" may not call it (requires manufacturer or regulator)`},
		{"clear by a dispenser", "clear", stMarys, mod(func(a *investigateArgs) { a.Serial = "SN0002" }), `permission_denied: clear: role "dispenser" may not call it`},
		{"clear another's product", "clear", acme, mod(func(a *investigateArgs) { a.GTIN = gtinRepack }), "permission_denied: clear: GTIN 00370707555012 is not AcmePharmaMSP's product; only its manufacturer or a regulator decides"},
		{"illegitimate by a repackager", "confirmIllegitimate", repack, ok, `permission_denied: confirmIllegitimate: role "repackager" may not call it`},
		{"clear without investigation", "clear", acme, ok, "failed_precondition: (01)00361414123458(21)SN0001 is not under investigation; nothing to clear"},
		{"already suspect", "markSuspect", stMarys, mod(func(a *investigateArgs) { a.Serial = "SN0002" }), "failed_precondition: (01)00361414123458(21)SN0002 is suspect since 2026-03-02T08:"},
		{"illegitimate after clearing", "confirmIllegitimate", fda, mod(func(a *investigateArgs) { a.Serial = "SN0003" }), "failed_precondition: (01)00361414123458(21)SN0003 is cleared since 2026-03-02T08:"},
		{"rule on quarantine", "quarantine", stMarys, mod(func(a *investigateArgs) { a.Rule = ruleUnknownSerial }), "invalid_argument: rule is only given to markSuspect"},
		{"unknown rule", "markSuspect", stMarys, mod(func(a *investigateArgs) { a.Rule = "gut_feeling" }), `invalid_argument: rule "gut_feeling" is not one of custody_break, dispense_twice, duplicate_commission, receive_without_ship, unknown_serial`},
		{"no reason", "markSuspect", stMarys, mod(func(a *investigateArgs) { a.Reason = "" }), "invalid_argument: reason is required"},
		{"bad GTIN", "markSuspect", stMarys, mod(func(a *investigateArgs) { a.GTIN = "00361414123457" }), "invalid_argument: GTIN \"00361414123457\" has check digit 7, want 8"},
		{"bad serial", "quarantine", stMarys, mod(func(a *investigateArgs) { a.Serial = "" }), "invalid_argument: serial is required"},
		{"unregistered", "markSuspect", rogue, ok, "permission_denied: markSuspect: RogueMSP is not a registered trading partner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails(tt.function, tt.args, tt.who, tt.want)
		})
	}
}
