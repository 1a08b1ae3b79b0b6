package main

import (
	"slices"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_dispense(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("SN0001", "SN0002")
	r := w.ok("dispense", dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx, LocationExt: "window-1"}, stMarys)
	var res eventResult
	r.JSON(t, &res)
	if o := w.object(item("SN0001")); o.Status != statusDispensed || o.Disposition != dispDispensed || o.Owner != "StMarysHospitalMSP" {
		t.Errorf("dispensed pack = %+v", o)
	}
	var ev Event
	w.h.GetJSON(eventKey(res.EventID), &ev)
	if ev.Type != typeObject || ev.Action != actionObserve || ev.BizStep != stepDispensing || ev.Disposition != dispDispensed ||
		!slices.Equal(ev.EPCList, []string{item("SN0001").epc()}) {
		t.Errorf("dispensing event = %+v", ev)
	}
	if p := payload(t, r, "ProductsDispensed"); p["count"] != 1.0 || p["bizStep"] != stepDispensing || p["by"] != "StMarysHospitalMSP" {
		t.Errorf("ProductsDispensed = %v", p)
	}
	// No patient data reaches the ledger: the writes hold only the pack, its event and its history link.
	for _, wr := range r.Writes {
		if wr.Key != "item/"+gtinAcme+"/SN0001" && wr.Key != eventKey(res.EventID) && len(wr.Value) > 16 {
			t.Errorf("unexpected write %s = %s", wr.Key, wr.Value)
		}
	}
}

func TestContract_dispense_Errors(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("SN0001", "SN0002", "SN0003", "SN0004")
	w.ok("dispense", dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx}, stMarys)
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0003", Reason: "tamper-evident seal broken"}, stMarys)
	w.commission("SN0005", "SN0006", "SN0007")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0005"), Location: glnAcmePlant}, acme)
	w.ship("ASN-C", acme, glnAcmePlant, "StMarysHospitalMSP", glnStMarysRx, sscc(ssccCase1), item("SN0006"))
	w.receive("ASN-C", stMarys, glnStMarysRx, sscc(ssccCase1), item("SN0006"))
	w.ship("ASN-T", acme, glnAcmePlant, "StMarysHospitalMSP", glnStMarysRx, item("SN0007"))
	ok := dispenseArgs{Items: items("SN0002"), Location: glnStMarysRx}
	mod := func(f func(*dispenseArgs)) dispenseArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args dispenseArgs
		want string
	}{
		{"wholesaler", dist, ok, `permission_denied: dispense: role "wholesaler" may not call it (requires dispenser)`},
		{"dispense twice", stMarys, mod(func(a *dispenseArgs) { a.Items = items("SN0002", "SN0001") }),
			"failed_precondition: dispense_twice: (01)00361414123458(21)SN0001 was already dispensed by StMarysHospitalMSP at 2026-03-02T08:"},
		{"dispensed elsewhere", city, dispenseArgs{Items: items("SN0001"), Location: glnCity}, "failed_precondition: dispense_twice: (01)00361414123458(21)SN0001 was already dispensed by StMarysHospitalMSP"},
		{"another pharmacy's pack", city, dispenseArgs{Items: items("SN0002"), Location: glnCity}, "permission_denied: custody_break: (01)00361414123458(21)SN0002 is in the custody of StMarysHospitalMSP, not CityPharmacyMSP"},
		{"unknown serial", stMarys, mod(func(a *dispenseArgs) { a.Items = items("CF0001") }), "not_found: unknown_serial: (01)00361414123458(21)CF0001 was never commissioned on this ledger"},
		{"container", stMarys, mod(func(a *dispenseArgs) { a.Items = []ObjectRef{sscc(ssccCase1)} }), "invalid_argument: items[0]: (00)003614140000000018 is a container; name the packs"},
		{"pack still in its case", stMarys, mod(func(a *dispenseArgs) { a.Items = items("SN0005") }), "failed_precondition: (01)00361414123458(21)SN0005 is packed in container (00)003614140000000018; disaggregate it before it can be dispensed"},
		{"suspect", stMarys, mod(func(a *dispenseArgs) { a.Items = items("SN0003") }), "failed_precondition: (01)00361414123458(21)SN0003 is suspect since 2026-03-02T08:"},
		{"in transit", stMarys, mod(func(a *dispenseArgs) { a.Items = items("SN0007") }), "failed_precondition: (01)00361414123458(21)SN0007 is in transit in shipment ASN-T; it cannot be dispensed until received"},
		{"no items", stMarys, mod(func(a *dispenseArgs) { a.Items = nil }), "invalid_argument: items: at least one object is required"},
		{"not own site", stMarys, mod(func(a *dispenseArgs) { a.Location = glnCity }), "permission_denied: location 0880000000008 is not a registered site of StMarysHospitalMSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("dispense", tt.args, tt.who, tt.want)
		})
	}
	w.t = t
	// Expired and recalled packs are not dispensed.
	w.h.Call("dispense", ok, sdktest.As(stMarys), sdktest.At(time.Date(2028, 7, 1, 0, 0, 0, 0, time.UTC))).
		RequireError(t, "failed_precondition: (01)00361414123458(21)SN0002 expired on 2028-06-30; it cannot be dispensed except back to its manufacturer")
	w.ok("recall", recallArgs{GTIN: gtinAcme, Lot: lotA, Class: "I", Reason: "contamination"}, fda)
	w.fails("dispense", ok, stMarys, "failed_precondition: (01)00361414123458(21)SN0002 belongs to lot LA2601, recalled (class I) by FDAMSP at")
}

func TestContract_decommission(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002")
	tests := []struct {
		serial, reason, disposition string
	}{
		{"SN0001", "damaged", "damaged"},
		{"SN0002", "sample", dispInactive},
	}
	for _, tt := range tests {
		r := w.ok("decommission", decommissionArgs{Items: items(tt.serial), Reason: tt.reason, Location: glnAcmePlant}, acme)
		var res eventResult
		r.JSON(t, &res)
		var ev Event
		w.h.GetJSON(eventKey(res.EventID), &ev)
		if ev.Action != actionDelete || ev.BizStep != stepDecommissioning || ev.Disposition != tt.disposition || ev.Reason != tt.reason {
			t.Errorf("decommissioning event (%s) = %+v", tt.reason, ev)
		}
		if o := w.object(item(tt.serial)); o.Status != statusDecommissioned || o.Disposition != tt.disposition {
			t.Errorf("decommissioned pack = %+v", o)
		}
		payload(t, r, "ProductsDecommissioned")
	}
}

func TestContract_decommission_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	w.ok("decommission", decommissionArgs{Items: items("SN0001"), Reason: "label_error", Location: glnAcmePlant}, acme)
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0002", Reason: "print defect", Rule: ruleDuplicateCommission}, acme)
	ok := decommissionArgs{Items: items("SN0003"), Reason: "damaged", Location: glnAcmePlant}
	mod := func(f func(*decommissionArgs)) decommissionArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args decommissionArgs
		want string
	}{
		{"regulator", fda, ok, `permission_denied: decommission: role "regulator" may not call it`},
		{"bad reason", acme, mod(func(a *decommissionArgs) { a.Reason = "lost" }), `invalid_argument: reason "lost" is not one of damaged, expired, label_error, other, sample, stolen`},
		{"already decommissioned", acme, mod(func(a *decommissionArgs) { a.Items = items("SN0001") }), "failed_precondition: (01)00361414123458(21)SN0001 was decommissioned at 2026-03-02T08:11:00Z; it cannot be decommissioned"},
		{"under investigation", acme, mod(func(a *decommissionArgs) { a.Items = items("SN0002") }), "failed_precondition: (01)00361414123458(21)SN0002 is suspect since 2026-03-02T08:12:00Z (print defect); it cannot be decommissioned"},
		{"not custodian", dist, mod(func(a *decommissionArgs) { a.Location = glnDistDC }), "permission_denied: custody_break: (01)00361414123458(21)SN0003 is in the custody of AcmePharmaMSP, not MedDistMSP"},
		{"container", acme, mod(func(a *decommissionArgs) { a.Items = []ObjectRef{sscc(ssccCase1)} }), "invalid_argument: items[0]: (00)003614140000000018 is a container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("decommission", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_destroy(t *testing.T) {
	w := newWorld(t)
	w.toDist("ASN-1", "SN0001", "SN0002")
	// Illegitimate product may be destroyed (DSCSA disposition), as may ordinary stock.
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "serial printed twice"}, dist)
	w.ok("confirmIllegitimate", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "diverted from a closed-door pharmacy"}, fda)
	r := w.ok("destroy", destroyArgs{Items: items("SN0001", "SN0002"), Reason: "destroyed under FDA supervision, witness report WR-5521", Location: glnDistDC}, dist)
	var res eventResult
	r.JSON(t, &res)
	var ev Event
	w.h.GetJSON(eventKey(res.EventID), &ev)
	if ev.Action != actionDelete || ev.BizStep != stepDestroying || ev.Disposition != dispDestroyed || len(ev.EPCList) != 2 {
		t.Errorf("destroying event = %+v", ev)
	}
	if o := w.object(item("SN0002")); o.Status != statusDestroyed {
		t.Errorf("destroyed pack = %+v", o)
	}
	if p := payload(t, r, "ProductsDestroyed"); p["count"] != 2.0 {
		t.Errorf("ProductsDestroyed = %v", p)
	}
}

func TestContract_destroy_Errors(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("SN0001", "SN0002", "SN0003")
	w.ok("dispense", dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx}, stMarys)
	w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "SN0002", Reason: "awaiting manufacturer verification"}, stMarys)
	ok := destroyArgs{Items: items("SN0003"), Reason: "broken vial", Location: glnStMarysRx}
	mod := func(f func(*destroyArgs)) destroyArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args destroyArgs
		want string
	}{
		{"regulator", fda, ok, `permission_denied: destroy: role "regulator" may not call it`},
		{"no reason", stMarys, mod(func(a *destroyArgs) { a.Reason = "" }), "invalid_argument: reason is required"},
		{"quarantined", stMarys, mod(func(a *destroyArgs) { a.Items = items("SN0002") }), "failed_precondition: (01)00361414123458(21)SN0002 is quarantined since 2026-03-02T08:"},
		{"dispensed", stMarys, mod(func(a *destroyArgs) { a.Items = items("SN0001") }), "failed_precondition: (01)00361414123458(21)SN0001 was dispensed by StMarysHospitalMSP at"},
		{"not custodian", city, mod(func(a *destroyArgs) { a.Location = glnCity }), "permission_denied: custody_break: (01)00361414123458(21)SN0003 is in the custody of StMarysHospitalMSP, not CityPharmacyMSP"},
		{"unknown", stMarys, mod(func(a *destroyArgs) { a.Items = items("SN0404") }), "not_found: unknown_serial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("destroy", tt.args, tt.who, tt.want)
		})
	}
}
