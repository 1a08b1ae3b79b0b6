package main

import (
	"bytes"
	"slices"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// supplyChain moves SN0001..SN0003 from Acme to St. Mary's in a case on a pallet, picks and dispenses SN0001,
// and sells the rest of the case on to City Pharmacy. It returns the world.
func supplyChain(t *testing.T) *world {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001", "SN0002"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0003"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccPallet, Children: []ObjectRef{sscc(ssccCase1)}, Location: glnAcmePlant}, acme)
	w.ship("ASN-1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, sscc(ssccPallet))
	w.receive("ASN-1", dist, glnDistDC, sscc(ssccPallet))
	w.ok("disaggregate", disaggregateArgs{Parent: ssccPallet, Location: glnDistDC}, dist)
	w.ship("ASN-2", dist, glnDistDC, "StMarysHospitalMSP", glnStMarysRx, sscc(ssccCase1))
	w.receive("ASN-2", stMarys, glnStMarysRx, sscc(ssccCase1))
	w.ok("disaggregate", disaggregateArgs{Parent: ssccCase1, Children: items("SN0001"), Location: glnStMarysRx}, stMarys)
	w.ok("dispense", dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx}, stMarys)
	w.ship("ASN-3", stMarys, glnStMarysRx, "CityPharmacyMSP", glnCity, sscc(ssccCase1))
	w.receive("ASN-3", city, glnCity, sscc(ssccCase1))
	return w
}

func bizSteps(h HistoryResult) []string {
	var out []string
	for _, e := range h.EPCIS.EPCISBody.EventList {
		out = append(out, e.BizStep)
	}
	return out
}

func owners(h HistoryResult) []string {
	var out []string
	for _, c := range h.CustodyChain {
		out = append(out, c.Owner)
	}
	return out
}

func TestContract_history(t *testing.T) {
	w := supplyChain(t)
	var h HistoryResult
	w.ok("history", historyArgs{GTIN: gtinAcme, Serial: "SN0001"}, stMarys).JSON(t, &h)
	// SN0001's own events plus those of its case and pallet while it was inside them; not SN0003 joining the case,
	// nor the case's later sale to City Pharmacy.
	want := []string{stepCommissioning, stepPacking, stepPacking, stepShipping, stepReceiving, stepUnpacking, stepShipping, stepReceiving, stepUnpacking, stepDispensing}
	if got := bizSteps(h); !slices.Equal(got, want) {
		t.Errorf("SN0001 history = %q\nwant %q", got, want)
	}
	if got := owners(h); !slices.Equal(got, []string{"AcmePharmaMSP", "MedDistMSP", "StMarysHospitalMSP"}) {
		t.Errorf("SN0001 custody chain = %q", got)
	}
	if h.EPC != item("SN0001").epc() || h.Current.Status != statusDispensed || h.Custody.Owner != "StMarysHospitalMSP" || h.Custody.Status != statusDispensed {
		t.Errorf("SN0001 current = %+v, custody %+v", h.Current, h.Custody)
	}
	if h.EPCIS.Type != "EPCISDocument" || h.EPCIS.SchemaVersion != "2.0" || h.EPCIS.Context[0] != "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld" {
		t.Errorf("EPCIS header = %+v", h.EPCIS)
	}
	events := h.EPCIS.EPCISBody.EventList
	for i := 1; i < len(events); i++ {
		if events[i].EventTime.Before(events[i-1].EventTime) {
			t.Errorf("events out of time order at %d", i)
		}
	}
	// SN0002 stayed in the case: it went on to City Pharmacy.
	w.ok("history", historyArgs{GTIN: gtinAcme, Serial: "SN0002"}, city).JSON(t, &h)
	want = []string{stepCommissioning, stepPacking, stepPacking, stepShipping, stepReceiving, stepUnpacking, stepShipping, stepReceiving, stepShipping, stepReceiving}
	if got := bizSteps(h); !slices.Equal(got, want) {
		t.Errorf("SN0002 history = %q\nwant %q", got, want)
	}
	if got := owners(h); !slices.Equal(got, []string{"AcmePharmaMSP", "MedDistMSP", "StMarysHospitalMSP", "CityPharmacyMSP"}) {
		t.Errorf("SN0002 custody chain = %q", got)
	}
	if h.Custody.Container != ssccCase1 || h.Custody.Owner != "CityPharmacyMSP" {
		t.Errorf("SN0002 custody = %+v", h.Custody)
	}
	// The case's own history includes every packing and unpacking of it.
	w.ok("history", historyArgs{SSCC: ssccCase1}, fda).JSON(t, &h)
	want = []string{stepPacking, stepPacking, stepPacking, stepShipping, stepReceiving, stepUnpacking, stepShipping, stepReceiving, stepUnpacking, stepShipping, stepReceiving}
	if got := bizSteps(h); !slices.Equal(got, want) {
		t.Errorf("case history = %q\nwant %q", got, want)
	}
}

func TestContract_history_withInvestigationAndRecall(t *testing.T) {
	w := newWorld(t)
	w.toDist("ASN-1", "SN0001")
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "SN0001", Reason: "x"}, dist)
	w.ok("recall", recallArgs{GTIN: gtinAcme, Lot: lotA, Class: "II", Reason: "y"}, acme)
	var h HistoryResult
	w.ok("history", historyArgs{GTIN: gtinAcme, Serial: "SN0001"}, acme).JSON(t, &h)
	if h.Investigation == nil || h.Investigation.Status != invSuspect || h.Recall == nil || h.Recall.Class != "II" {
		t.Errorf("history investigation %+v, recall %+v", h.Investigation, h.Recall)
	}
}

func TestContract_history_Errors(t *testing.T) {
	w := supplyChain(t)
	tests := []struct {
		name string
		who  sdktest.Identity
		args historyArgs
		want string
	}{
		{"never held it", city, historyArgs{GTIN: gtinAcme, Serial: "SN0001"}, "permission_denied: history: CityPharmacyMSP never had custody of (01)00361414123458(21)SN0001; only its holders, its manufacturer and regulators may read its history"},
		{"another manufacturer", repack, historyArgs{GTIN: gtinAcme, Serial: "SN0001"}, "permission_denied: history: RepackRxMSP never had custody"},
		{"unknown serial", fda, historyArgs{GTIN: gtinAcme, Serial: "SN0404"}, "not_found: unknown_serial: (01)00361414123458(21)SN0404 was never commissioned"},
		{"both kinds", fda, historyArgs{GTIN: gtinAcme, Serial: "SN0001", SSCC: ssccCase1}, "invalid_argument: object names both sscc"},
		{"nothing", fda, historyArgs{}, "invalid_argument: GTIN \"\" must be exactly 14 digits"},
		{"unregistered", rogue, historyArgs{SSCC: ssccCase1}, "permission_denied: history: RogueMSP is not a registered trading partner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("history", tt.args, tt.who, tt.want)
		})
	}
	// Its manufacturer and every holder may read it.
	w.t = t
	for _, who := range []sdktest.Identity{acme, dist, stMarys, fda} {
		w.ok("history", historyArgs{GTIN: gtinAcme, Serial: "SN0001"}, who)
	}
}

// TestContract_deterministic replays the same supply chain on two ledgers: every peer must compute the same
// writes, byte for byte, in the same order.
func TestContract_deterministic(t *testing.T) {
	a, b := supplyChain(t).h.Writes(), supplyChain(t).h.Writes()
	if len(a) != len(b) {
		t.Fatalf("%d writes vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Key != b[i].Key || !bytes.Equal(a[i].Value, b[i].Value) {
			t.Fatalf("write %d differs: %s=%s vs %s=%s", i, a[i].Key, a[i].Value, b[i].Key, b[i].Value)
		}
	}
}
