package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_commission(t *testing.T) {
	w := newWorld(t)
	args := commissionArgs{GTIN: gtinAcme, Lot: lotA, Expiry: expiryA, Serials: []string{"SN0001", "SN/0002"}, Location: glnAcmePlant, LocationExt: "line-4"}
	r := w.ok("commission", args, acme)
	var res eventResult
	r.JSON(t, &res)
	wantEPCs := []string{"https://id.gs1.org/01/00361414123458/21/SN0001", "https://id.gs1.org/01/00361414123458/21/SN%2F0002"}
	if !slices.Equal(res.EPCs, wantEPCs) {
		t.Errorf("epcs = %q, want %q", res.EPCs, wantEPCs)
	}
	o := w.object(item("SN/0002"))
	if o.Owner != "AcmePharmaMSP" || o.Status != statusActive || o.Lot != lotA || o.Expiry != expiryA || o.Location != glnAcmePlant ||
		o.CreatedEvent != res.EventID || o.LastEvent != res.EventID || !o.CreatedAt.Equal(w.now) {
		t.Errorf("commissioned item = %+v", o)
	}
	var ev Event
	if !w.h.GetJSON(eventKey(res.EventID), &ev) {
		t.Fatalf("event %s not stored", res.EventID)
	}
	if ev.Type != typeObject || ev.Action != actionAdd || ev.BizStep != stepCommissioning || ev.Disposition != dispActive ||
		ev.ReadPoint.ID != "https://id.gs1.org/414/0361414000018/254/line-4" || ev.BizLocation.ID != "https://id.gs1.org/414/0361414000018" ||
		ev.ILMD == nil || ev.ILMD.LotNumber != lotA || ev.ILMD.ItemExpirationDate != expiryA || ev.RecordedBy.MSPID != "AcmePharmaMSP" {
		t.Errorf("commissioning event = %+v", ev)
	}
	if keys := w.h.Keys("hist/item/" + gtinAcme + "/SN%2F0002/"); len(keys) != 1 {
		t.Errorf("history links of SN/0002 = %q, want one", keys)
	}
	if ev := payload(t, r, "ProductsCommissioned"); ev["count"] != 2.0 || ev["lot"] != lotA || ev["eventId"] != res.EventID {
		t.Errorf("ProductsCommissioned = %v", ev)
	}
	// A second batch of the same lot adds to the lot record.
	w.commission("SN0003")
	var l Lot
	if !w.h.GetJSON(lotKey(gtinAcme, lotA), &l) || l.Commissioned != 3 || l.Expiry != expiryA {
		t.Errorf("lot record = %+v, want 3 commissioned", l)
	}
}

func TestContract_commission_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	ok := commissionArgs{GTIN: gtinAcme, Lot: lotA, Expiry: expiryA, Serials: []string{"SN0002"}, Location: glnAcmePlant}
	mod := func(f func(*commissionArgs)) commissionArgs { a := ok; f(&a); return a }
	many := make([]string, maxObjectsPerCall+1)
	for i := range many {
		many[i] = fmt.Sprintf("B%05d", i)
	}
	tests := []struct {
		name string
		who  sdktest.Identity
		args commissionArgs
		want string
	}{
		{"wholesaler", dist, ok, `permission_denied: commission: role "wholesaler" may not call it (requires manufacturer)`},
		{"manufacturer claim from a wholesaler MSP", distAsMfr, ok, "MedDistMSP is not registered as a manufacturer"},
		{"repackager", repack, ok, `role "repackager" may not call it`},
		{"unregistered product", acme, mod(func(a *commissionArgs) { a.GTIN = "00361414999992" }), "not_found: product 00361414999992 is not registered; call registerProduct first"},
		{"someone else's GTIN", acme, mod(func(a *commissionArgs) { a.GTIN = gtinRepack }), "permission_denied: GTIN 00370707555012 belongs to RepackRxMSP, not AcmePharmaMSP"},
		{"bad GTIN", acme, mod(func(a *commissionArgs) { a.GTIN = "0036141412345" }), "invalid_argument: GTIN \"0036141412345\" must be exactly 14 digits"},
		{"bad lot", acme, mod(func(a *commissionArgs) { a.Lot = "LOT 1" }), `invalid_argument: lot "LOT 1" contains ' '`},
		{"bad expiry", acme, mod(func(a *commissionArgs) { a.Expiry = "280630" }), `invalid_argument: expiry "280630" is not a YYYY-MM-DD date`},
		{"expired", acme, mod(func(a *commissionArgs) { a.Expiry = "2026-01-31" }), "invalid_argument: expiry 2026-01-31 is already past"},
		{"lot with another expiry", acme, mod(func(a *commissionArgs) { a.Expiry = "2028-07-31" }), "failed_precondition: lot LA2601 of GTIN 00361414123458 has expiry 2028-06-30; a lot has one expiry date, not 2028-07-31"},
		{"no serials", acme, mod(func(a *commissionArgs) { a.Serials = nil }), "invalid_argument: serials: 0 given, 1 to 200 per call"},
		{"too many serials", acme, mod(func(a *commissionArgs) { a.Serials = many }), "serials: 201 given"},
		{"serial twice", acme, mod(func(a *commissionArgs) { a.Serials = []string{"SN0002", "SN0002"} }), `invalid_argument: serials: "SN0002" is listed twice`},
		{"bad serial", acme, mod(func(a *commissionArgs) { a.Serials = []string{"SN#2"} }), `invalid_argument: serial "SN#2" contains '#'`},
		{"duplicate commission", acme, mod(func(a *commissionArgs) { a.Serials = []string{"SN0002", "SN0001"} }),
			"already_exists: duplicate_commission: (01)00361414123458(21)SN0001 was already commissioned by AcmePharmaMSP at 2026-03-02T08:10:00Z"},
		{"someone else's site", acme, mod(func(a *commissionArgs) { a.Location = glnDistDC }), "permission_denied: location 0860000000017 is not a registered site of AcmePharmaMSP"},
		{"bad location", acme, mod(func(a *commissionArgs) { a.Location = "0361414000019" }), "invalid_argument: location: GLN \"0361414000019\" has check digit 9, want 8"},
		{"bad location extension", acme, mod(func(a *commissionArgs) { a.LocationExt = "dock #1" }), `invalid_argument: location extension "dock #1" contains ' '`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("commission", tt.args, tt.who, tt.want)
		})
	}
	if keys := w.h.Keys("item/"); len(keys) != 1 {
		t.Errorf("refused commissions left items %q", keys)
	}
}

func TestContract_repackage(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002")
	w.ship("ASN-R1", acme, glnAcmePlant, "RepackRxMSP", glnRepack, items("SN0001", "SN0002")...)
	w.receive("ASN-R1", repack, glnRepack, items("SN0001", "SN0002")...)
	args := repackageArgs{Inputs: items("SN0001", "SN0002"), GTIN: gtinRepack, Lot: "RP2603", Expiry: "2028-03-31",
		Serials: []string{"U0001", "U0002", "U0003"}, Location: glnRepack}
	r := w.ok("repackage", args, repack)
	var res eventResult
	r.JSON(t, &res)
	if len(res.EPCs) != 3 || res.EPCs[0] != "https://id.gs1.org/01/00370707555012/21/U0001" {
		t.Errorf("repackage outputs = %q", res.EPCs)
	}
	if in := w.object(item("SN0001")); in.Status != statusRepackaged || in.Disposition != dispInactive {
		t.Errorf("input after repackaging = %+v", in)
	}
	out := w.object(ObjectRef{GTIN: gtinRepack, Serial: "U0002"})
	if out.Owner != "RepackRxMSP" || out.Lot != "RP2603" || !slices.Equal(out.DerivedFrom, []string{item("SN0001").epc(), item("SN0002").epc()}) {
		t.Errorf("output = %+v", out)
	}
	var ev Event
	w.h.GetJSON(eventKey(res.EventID), &ev)
	if ev.Type != typeTransformation || ev.BizStep != stepRepackaging || len(ev.InputEPCList) != 2 || len(ev.OutputEPCList) != 3 || ev.Action != "" {
		t.Errorf("transformation event = %+v", ev)
	}
	if p := payload(t, r, "ProductsRepackaged"); p["outputs"] != 3.0 || p["inputs"] != 2.0 {
		t.Errorf("ProductsRepackaged = %v", p)
	}
	// The inputs' identifiers are spent; the outputs verify as genuine.
	if v := w.verify(repack, verifyArgs{GTIN: gtinAcme, Serial: "SN0001"}); v.Status != verifyDecommissioned {
		t.Errorf("verify repackaged input = %s", v.Status)
	}
	if v := w.verify(repack, verifyArgs{GTIN: gtinRepack, Serial: "U0003", Lot: "RP2603", Expiry: "2028-03-31"}); !v.Verified {
		t.Errorf("verify repackaged output = %s %v", v.Status, v.Flags)
	}
}

func (r ObjectRef) epc() string { return sgtinURI(r.GTIN, r.Serial) }

func TestContract_repackage_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	w.ship("ASN-R1", acme, glnAcmePlant, "RepackRxMSP", glnRepack, items("SN0001", "SN0002")...)
	w.receive("ASN-R1", repack, glnRepack, items("SN0001", "SN0002")...)
	w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "SN0002", Reason: "damaged seal"}, repack)
	ok := repackageArgs{Inputs: items("SN0001"), GTIN: gtinRepack, Lot: "RP2603", Expiry: "2028-03-31", Serials: []string{"U0001"}, Location: glnRepack}
	mod := func(f func(*repackageArgs)) repackageArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args repackageArgs
		want string
	}{
		{"manufacturer", acme, ok, `permission_denied: repackage: role "manufacturer" may not call it (requires repackager)`},
		{"not in custody", repack, mod(func(a *repackageArgs) { a.Inputs = items("SN0003") }), "permission_denied: custody_break: (01)00361414123458(21)SN0003 is in the custody of AcmePharmaMSP, not RepackRxMSP"},
		{"unknown input", repack, mod(func(a *repackageArgs) { a.Inputs = items("SN9999") }), "not_found: unknown_serial: (01)00361414123458(21)SN9999 was never commissioned on this ledger"},
		{"quarantined input", repack, mod(func(a *repackageArgs) { a.Inputs = items("SN0002") }), "failed_precondition: (01)00361414123458(21)SN0002 is quarantined since 2026-03-02T08:13:00Z (damaged seal); it cannot be repackaged"},
		{"container input", repack, mod(func(a *repackageArgs) { a.Inputs = []ObjectRef{sscc(ssccCase1)} }), "invalid_argument: inputs[0]: (00)003614140000000018 is a container"},
		{"later expiry", repack, mod(func(a *repackageArgs) { a.Expiry = "2028-07-31" }), "invalid_argument: expiry 2028-07-31 is later than input (01)00361414123458(21)SN0001's expiry 2028-06-30"},
		{"someone else's output GTIN", repack, mod(func(a *repackageArgs) { a.GTIN = gtinAcme }), "permission_denied: GTIN 00361414123458 belongs to AcmePharmaMSP, not RepackRxMSP"},
		{"no inputs", repack, mod(func(a *repackageArgs) { a.Inputs = nil }), "invalid_argument: inputs: at least one object is required"},
		{"output serial exists", repack, mod(func(a *repackageArgs) { a.GTIN, a.Serials = gtinRepack, []string{"U0001", "U0001"} }), `serials: "U0001" is listed twice`},
		{"bad input", repack, mod(func(a *repackageArgs) { a.Inputs = []ObjectRef{{GTIN: gtinAcme}} }), "invalid_argument: inputs[0]: serial is required"},
		{"not own site", repack, mod(func(a *repackageArgs) { a.Location = glnAcmePlant }), "not a registered site of RepackRxMSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("repackage", tt.args, tt.who, tt.want)
		})
	}
	// Repackaged inputs cannot be repackaged again.
	w.t = t
	w.ok("repackage", ok, repack)
	w.fails("repackage", mod(func(a *repackageArgs) { a.Serials = []string{"U0009"} }), repack,
		"failed_precondition: (01)00361414123458(21)SN0001 was repackaged at 2026-03-02T08:25:00Z; it cannot be repackaged")
	if !strings.HasPrefix(ok.GTIN, "0037") {
		t.Fatal("fixture drift")
	}
}
