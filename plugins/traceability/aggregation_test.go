package main

import (
	"fmt"
	"slices"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_aggregate(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0003", "SN0001", "SN0002")
	r := w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0002", "SN0001"), Location: glnAcmePlant, LocationExt: "packer-2"}, acme)
	var res eventResult
	r.JSON(t, &res)
	c := w.object(sscc(ssccCase1))
	if c.Kind != kindSSCC || c.Owner != "AcmePharmaMSP" || c.Status != statusActive || c.Disposition != dispContainerClosed ||
		!slices.Equal(c.Children, items("SN0001", "SN0002")) || c.EPC != "https://id.gs1.org/00/003614140000000018" {
		t.Errorf("new case = %+v", c)
	}
	if o := w.object(item("SN0001")); o.Parent != ssccCase1 {
		t.Errorf("packed item parent = %q", o.Parent)
	}
	var ev Event
	w.h.GetJSON(eventKey(res.EventID), &ev)
	if ev.Type != typeAggregation || ev.Action != actionAdd || ev.BizStep != stepPacking || ev.ParentID != c.EPC ||
		!slices.Equal(ev.ChildEPCs, []string{item("SN0002").epc(), item("SN0001").epc()}) {
		t.Errorf("aggregation event = %+v", ev)
	}
	if p := payload(t, r, "ProductsAggregated"); p["children"] != 1.0*2 || p["parent"] != c.EPC {
		t.Errorf("ProductsAggregated = %v", p)
	}
	// More packs into the same case, then the case onto a pallet.
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0003"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccPallet, Children: []ObjectRef{sscc(ssccCase1)}, Location: glnAcmePlant}, acme)
	if c := w.object(sscc(ssccCase1)); len(c.Children) != 3 || c.Parent != ssccPallet {
		t.Errorf("case on pallet = %+v", c)
	}
	// A pack's custody is its outermost container's.
	v := w.verify(acme, verifyArgs{GTIN: gtinAcme, Serial: "SN0003", Purpose: "other"})
	if v.Evidence.Custody == nil || v.Evidence.Custody.Container != ssccPallet || v.Evidence.Custody.Owner != "AcmePharmaMSP" {
		t.Errorf("custody of a pack on a pallet = %+v", v.Evidence.Custody)
	}
}

func TestContract_disaggregate(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001", "SN0002", "SN0003"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccPallet, Children: []ObjectRef{sscc(ssccCase1)}, Location: glnAcmePlant}, acme)
	w.ship("ASN-P1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, sscc(ssccPallet))
	w.receive("ASN-P1", dist, glnDistDC, sscc(ssccPallet))

	// Break the pallet down (all children), then pick one pack out of the case.
	w.ok("disaggregate", disaggregateArgs{Parent: ssccPallet, Location: glnDistDC}, dist)
	if p := w.object(sscc(ssccPallet)); p.Status != statusEmptied || len(p.Children) != 0 || p.Disposition != dispContainerOpen {
		t.Errorf("emptied pallet = %+v", p)
	}
	if c := w.object(sscc(ssccCase1)); c.Parent != "" || c.Owner != "MedDistMSP" || c.Location != glnDistDC || c.Status != statusActive {
		t.Errorf("case after the pallet was broken down = %+v", c)
	}
	r := w.ok("disaggregate", disaggregateArgs{Parent: ssccCase1, Children: items("SN0002"), Location: glnDistDC, LocationExt: "pick-7"}, dist)
	var res eventResult
	r.JSON(t, &res)
	if o := w.object(item("SN0002")); o.Parent != "" || o.Owner != "MedDistMSP" || o.Status != statusActive || o.Location != glnDistDC {
		t.Errorf("picked pack = %+v", o)
	}
	if c := w.object(sscc(ssccCase1)); !slices.Equal(c.Children, items("SN0001", "SN0003")) || c.Status != statusActive {
		t.Errorf("case after a pick = %+v", c)
	}
	var ev Event
	w.h.GetJSON(eventKey(res.EventID), &ev)
	if ev.Type != typeAggregation || ev.Action != actionDelete || ev.BizStep != stepUnpacking || len(ev.ChildEPCs) != 1 {
		t.Errorf("unpacking event = %+v", ev)
	}
	if p := payload(t, r, "ProductsDisaggregated"); p["emptied"] != false || p["children"] != 1.0 {
		t.Errorf("ProductsDisaggregated = %v", p)
	}
	// An emptied SSCC is never reused.
	w.fails("aggregate", aggregateArgs{Parent: ssccPallet, Children: items("SN0002"), Location: glnDistDC}, dist,
		"failed_precondition: container (00)003614140000000032 was emptied at 2026-03-02T08:15:00Z and GS1 forbids reusing an SSCC; it cannot take more children")
}

func TestContract_aggregate_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003", "SN0004", "SN0005", "SN0006")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccPallet, Children: []ObjectRef{sscc(ssccCase1)}, Location: glnAcmePlant}, acme)
	w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "SN0003", Reason: "crushed carton"}, acme)
	w.ship("ASN-T1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, item("SN0004"))
	w.toDist("ASN-D1", "SN0007")
	ok := aggregateArgs{Parent: ssccCase2, Children: items("SN0002"), Location: glnAcmePlant}
	tests := []struct {
		name string
		who  sdktest.Identity
		args aggregateArgs
		want string
	}{
		{"regulator", fda, ok, `permission_denied: aggregate: role "regulator" may not call it (requires manufacturer or repackager or wholesaler or dispenser)`},
		{"unregistered", rogue, ok, "permission_denied: aggregate: RogueMSP is not a registered trading partner"},
		{"bad parent", acme, aggregateArgs{Parent: "003614140000000019", Children: items("SN0002"), Location: glnAcmePlant}, "invalid_argument: parent: SSCC \"003614140000000019\" has check digit 9, want 8"},
		{"no children", acme, aggregateArgs{Parent: ssccCase2, Location: glnAcmePlant}, "invalid_argument: children: at least one object is required"},
		{"child twice", acme, aggregateArgs{Parent: ssccCase2, Children: items("SN0002", "SN0002"), Location: glnAcmePlant}, "invalid_argument: children: (01)00361414123458(21)SN0002 is listed twice"},
		{"child names both", acme, aggregateArgs{Parent: ssccCase2, Children: []ObjectRef{{GTIN: gtinAcme, Serial: "SN0002", SSCC: ssccCase1}}, Location: glnAcmePlant}, "children[0]: object names both sscc"},
		{"unknown child", acme, aggregateArgs{Parent: ssccCase2, Children: items("SN0999"), Location: glnAcmePlant}, "not_found: unknown_serial: (01)00361414123458(21)SN0999 was never commissioned"},
		{"child already packed", acme, aggregateArgs{Parent: ssccCase2, Children: items("SN0001"), Location: glnAcmePlant}, "failed_precondition: (01)00361414123458(21)SN0001 is packed in container (00)003614140000000018; disaggregate it before it can be packed again"},
		{"container into itself", acme, aggregateArgs{Parent: ssccCase1, Children: []ObjectRef{sscc(ssccCase1)}, Location: glnAcmePlant}, "invalid_argument: container (00)003614140000000018 cannot be packed into itself or into a container it holds"},
		{"pallet into its own case", acme, aggregateArgs{Parent: ssccCase1, Children: []ObjectRef{sscc(ssccPallet)}, Location: glnAcmePlant}, "(00)003614140000000032 cannot be packed into itself or into a container it holds"},
		{"quarantined child", acme, aggregateArgs{Parent: ssccCase2, Children: items("SN0003"), Location: glnAcmePlant}, "failed_precondition: (01)00361414123458(21)SN0003 is quarantined since"},
		{"child in transit", acme, aggregateArgs{Parent: ssccCase2, Children: items("SN0004"), Location: glnAcmePlant}, "failed_precondition: (01)00361414123458(21)SN0004 is in transit in shipment ASN-T1; it cannot be packed until received"},
		{"someone else's child", dist, aggregateArgs{Parent: ssccCase3, Children: items("SN0002"), Location: glnDistDC}, "permission_denied: custody_break: (01)00361414123458(21)SN0002 is in the custody of AcmePharmaMSP, not MedDistMSP"},
		{"someone else's parent", dist, aggregateArgs{Parent: ssccPallet, Children: items("SN0007"), Location: glnDistDC}, "permission_denied: custody_break: (00)003614140000000032 is in the custody of AcmePharmaMSP, not MedDistMSP"},
		{"not own site", acme, aggregateArgs{Parent: ssccCase2, Children: items("SN0002"), Location: glnDistDC}, "permission_denied: location 0860000000017 is not a registered site of AcmePharmaMSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("aggregate", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_aggregate_nestingLimit(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	ssccN := func(i int) string { d := fmt.Sprintf("00361414%09d", 100+i); return d + string(gs1CheckDigit(d)) }
	child := item("SN0001")
	for i := range maxNesting {
		w.ok("aggregate", aggregateArgs{Parent: ssccN(i), Children: []ObjectRef{child}, Location: glnAcmePlant}, acme)
		child = sscc(ssccN(i))
	}
	w.fails("aggregate", aggregateArgs{Parent: ssccN(maxNesting), Children: []ObjectRef{child}, Location: glnAcmePlant}, acme,
		"invalid_argument: packing (00)003614140000001077 into (00)003614140000001084 would nest containers 9 deep, at most 8")
}

func TestContract_disaggregate_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccCase2, Children: items("SN0002"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccCase3, Children: items("SN0003"), Location: glnAcmePlant}, acme)
	w.ship("ASN-T1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, sscc(ssccCase2))
	w.ok("disaggregate", disaggregateArgs{Parent: ssccCase3, Location: glnAcmePlant}, acme)
	tests := []struct {
		name string
		who  sdktest.Identity
		args disaggregateArgs
		want string
	}{
		{"regulator", fda, disaggregateArgs{Parent: ssccCase1, Location: glnFDA}, `permission_denied: disaggregate: role "regulator" may not call it`},
		{"unknown container", acme, disaggregateArgs{Parent: "003614140000000056", Location: glnAcmePlant}, "not_found: unknown_serial: (00)003614140000000056 was never commissioned on this ledger"},
		{"bad parent", acme, disaggregateArgs{Parent: "0036141400000000", Location: glnAcmePlant}, "invalid_argument: parent: SSCC \"0036141400000000\" must be exactly 18 digits"},
		{"child not inside", acme, disaggregateArgs{Parent: ssccCase1, Children: items("SN0003"), Location: glnAcmePlant}, "failed_precondition: (01)00361414123458(21)SN0003 is not in container (00)003614140000000018"},
		{"bad child", acme, disaggregateArgs{Parent: ssccCase1, Children: []ObjectRef{{SSCC: "1"}}, Location: glnAcmePlant}, "invalid_argument: children[0]: SSCC \"1\" must be exactly 18 digits"},
		{"not custodian", dist, disaggregateArgs{Parent: ssccCase1, Location: glnDistDC}, "permission_denied: custody_break: (00)003614140000000018 is in the custody of AcmePharmaMSP, not MedDistMSP"},
		{"in transit", dist, disaggregateArgs{Parent: ssccCase2, Location: glnDistDC}, "failed_precondition: (00)003614140000000025 is in transit in shipment ASN-T1; it cannot be unpacked until received"},
		{"emptied", acme, disaggregateArgs{Parent: ssccCase3, Location: glnAcmePlant}, "failed_precondition: container (00)003614140000000049 was emptied"},
		{"not own site", acme, disaggregateArgs{Parent: ssccCase1, Location: glnStMarysRx}, "permission_denied: location 0870000000016 is not a registered site of AcmePharmaMSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("disaggregate", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_sizeLimits(t *testing.T) {
	w := newWorld(t)
	// Seed three full cases as earlier transactions would have left them: building 2,001 packs call by call
	// would take a minute on a loaded machine and test nothing more.
	serials := make([]string, maxUnitsPerShipment+1)
	for i := range serials {
		serials[i] = fmt.Sprintf("B%05d", i)
	}
	for c, case_ := range []string{ssccCase1, ssccCase2, ssccCase3} {
		batch := serials[min(c*maxContainerChildren, len(serials)):min((c+1)*maxContainerChildren, len(serials))]
		box := Object{Kind: kindSSCC, EPC: ssccURI(case_), SSCC: case_, Owner: "AcmePharmaMSP", Status: statusActive,
			Disposition: dispContainerClosed, Location: glnAcmePlant, Children: items(batch...), LastEventTime: t0}
		sortRefs(box.Children)
		w.h.Put(box.key(), box)
		for _, s := range batch {
			w.h.Put(itemKey(gtinAcme, s), Object{Kind: kindSGTIN, EPC: sgtinURI(gtinAcme, s), GTIN: gtinAcme, Serial: s, Lot: lotA, Expiry: expiryA,
				Parent: case_, Owner: "AcmePharmaMSP", Status: statusActive, Disposition: dispActive, Location: glnAcmePlant, LastEventTime: t0})
		}
	}
	// A full case takes no more children.
	w.commission("X00001")
	w.fails("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("X00001"), Location: glnAcmePlant}, acme,
		"failed_precondition: container (00)003614140000000018 would hold 1001 children, at most 1000; nest it in cases")
	// One shipment carries at most maxUnitsPerShipment packs.
	w.fails("ship", shipArgs{ShipmentID: "ASN-BIG", To: "MedDistMSP", ShipTo: glnDistDC, Objects: []ObjectRef{sscc(ssccCase1), sscc(ssccCase2), sscc(ssccCase3)},
		TransactionStatement: true, Location: glnAcmePlant}, acme, "invalid_argument: objects hold more than 2000 packs; split the shipment")
	// Unpacking everything at once is bounded by the per-call object limit.
	w.fails("disaggregate", disaggregateArgs{Parent: ssccCase1, Location: glnAcmePlant}, acme,
		"invalid_argument: container (00)003614140000000018 holds 1000 children, more than the 200 one call may unpack; name them in batches")
	w.ok("disaggregate", disaggregateArgs{Parent: ssccCase1, Children: items(serials[:maxObjectsPerCall]...), Location: glnAcmePlant}, acme)
	// What fits ships: 800 + 1000 packs.
	s := w.ship("ASN-OK", acme, glnAcmePlant, "MedDistMSP", glnDistDC, sscc(ssccCase1), sscc(ssccCase2))
	if s.Units != 1800 || len(s.TransactionInformation.Products) != 1 || s.TransactionInformation.Products[0].Quantity != 1800 {
		t.Errorf("large shipment: %d units, TI %d lines", s.Units, len(s.TransactionInformation.Products))
	}
}
