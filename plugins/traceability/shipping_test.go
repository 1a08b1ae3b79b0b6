package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_ship(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0003", "SN0001", "SN0002")
	w.ok("commission", commissionArgs{GTIN: gtinAcme2, Lot: "LB7705", Expiry: "2027-12-31", Serials: []string{"L0001"}, Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001", "SN0002"), Location: glnAcmePlant}, acme)
	lis := ObjectRef{GTIN: gtinAcme2, Serial: "L0001"}
	r := w.ok("ship", shipArgs{ShipmentID: "ASN-2026-000187", To: "MedDistMSP", ShipTo: glnDistDC, Objects: []ObjectRef{item("SN0003"), sscc(ssccCase1), lis},
		TransactionDate: "2026-02-27", PurchaseOrder: "PO-88123", TransactionStatement: true, Location: glnAcmePlant, LocationExt: "dock-2"}, acme)
	var s Shipment
	r.JSON(t, &s)
	if s.From != "AcmePharmaMSP" || s.To != "MedDistMSP" || s.Units != 4 || s.Status != shipmentInTransit || s.Return ||
		!slices.Equal(s.Objects, []ObjectRef{sscc(ssccCase1), item("SN0003"), lis}) {
		t.Errorf("shipment = %+v", s)
	}
	ti := s.TransactionInformation
	want := []TILine{
		{GTIN: gtinAcme, NDC: "61414-123-45", Name: "Amoxicillin", Strength: "500 mg", DosageForm: "capsule", ContainerSize: "30 capsules",
			Lot: lotA, Expiry: expiryA, Quantity: 3, Serials: []string{"SN0001", "SN0002", "SN0003"}},
		{GTIN: gtinAcme2, NDC: "6141420010", Name: "Lisinopril", Strength: "10 mg", DosageForm: "tablet", ContainerSize: "90 tablets",
			Lot: "LB7705", Expiry: "2027-12-31", Quantity: 1, Serials: []string{"L0001"}},
	}
	if got, _ := json.Marshal(ti.Products); string(got) != string(must(json.Marshal(want))) {
		t.Errorf("TI products = %s\nwant %s", got, must(json.Marshal(want)))
	}
	if ti.TransactionDate != "2026-02-27" || ti.ShipmentDate != "2026-03-02" || ti.PurchaseOrder != "PO-88123" ||
		ti.Transferor.Name != "Acme Pharma Inc." || ti.Transferor.Address != "1 Industrial Way, Newark, NJ 07102" || ti.Transferor.License != "FEI 3001234567" ||
		ti.Transferee.MSPID != "MedDistMSP" || ti.Transferee.GLN != glnDist {
		t.Errorf("TI = %+v", ti)
	}
	if s.TransactionStatement.Statement != transactionStatementText || s.TransactionStatement.AttestedBy.ID != acme.ID {
		t.Errorf("TS = %+v", s.TransactionStatement)
	}
	// The hash anchors the TI/TS exactly as getShipment returns them.
	var raw map[string]json.RawMessage
	json.Unmarshal(w.ok("getShipment", shipmentArgs{ShipmentID: s.ID}, dist).Output, &raw)
	sum := sha256.Sum256([]byte(`{"transactionInformation":` + string(raw["transactionInformation"]) + `,"transactionStatement":` + string(raw["transactionStatement"]) + `}`))
	if hex.EncodeToString(sum[:]) != s.TIHash {
		t.Errorf("transactionInformationHash %s does not hash the stored TI/TS (%x)", s.TIHash, sum)
	}
	if o := w.object(sscc(ssccCase1)); o.Status != statusInTransit || o.Shipment != s.ID || o.Disposition != dispInTransit {
		t.Errorf("shipped case = %+v", o)
	}
	var ev Event
	w.h.GetJSON(eventKey(s.ShippedEvent), &ev)
	wantBT := []BizTransaction{{Type: "desadv", BizTransaction: "urn:epcglobal:cbv:bt:0361414000001:ASN-2026-000187"}, {Type: "po", BizTransaction: "urn:epcglobal:cbv:bt:0860000000000:PO-88123"}}
	wantSrc := []SourceDest{{Type: "owning_party", Source: "https://id.gs1.org/417/0361414000001"}, {Type: "location", Source: "https://id.gs1.org/414/0361414000018"}}
	wantDst := []SourceDest{{Type: "owning_party", Destination: "https://id.gs1.org/417/0860000000000"}, {Type: "location", Destination: "https://id.gs1.org/414/0860000000017"}}
	if ev.Type != typeObject || ev.Action != actionObserve || ev.BizStep != stepShipping || ev.Disposition != dispInTransit || ev.BizLocation != nil ||
		ev.ReadPoint.ID != "https://id.gs1.org/414/0361414000018/254/dock-2" || ev.TIHash != s.TIHash || len(ev.EPCList) != 3 ||
		!slices.Equal(ev.BizTransactionList, wantBT) || !slices.Equal(ev.SourceList, wantSrc) || !slices.Equal(ev.DestinationList, wantDst) {
		t.Errorf("shipping event = %+v", ev)
	}
	if p := payload(t, r, "ShipmentShipped"); p["units"] != 4.0 || p["to"] != "MedDistMSP" || p["transactionInformationHash"] != s.TIHash {
		t.Errorf("ShipmentShipped = %v", p)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestContract_ship_returns(t *testing.T) {
	w := newWorld(t)
	w.toDist("ASN-1", "SN0001", "SN0002")
	w.ok("recall", recallArgs{GTIN: gtinAcme, Lot: lotA, Class: "II", Reason: "dissolution out of specification"}, acme)
	w.fails("ship", shipArgs{ShipmentID: "ASN-2", To: "StMarysHospitalMSP", ShipTo: glnStMarysRx, Objects: items("SN0001"), TransactionStatement: true, Location: glnDistDC}, dist,
		"failed_precondition: (01)00361414123458(21)SN0001 belongs to lot LA2601, recalled (class II) by AcmePharmaMSP at 2026-03-02T08:13:00Z; it cannot be shipped except back to its manufacturer")
	// Recalled product goes back to its manufacturer, marked as a return.
	s := w.ship("RMA-1", dist, glnDistDC, "AcmePharmaMSP", glnAcmePlant, items("SN0001", "SN0002")...)
	if !s.Return || s.Units != 2 {
		t.Errorf("return shipment = %+v", s)
	}
	w.receive("RMA-1", acme, glnAcmePlant, items("SN0001", "SN0002")...)
}

func TestContract_ship_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003", "SN0004", "SN0005", "SN0006")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccCase2, Children: items("SN0002"), Location: glnAcmePlant}, acme)
	w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "SN0002", Reason: "label mismatch"}, acme)
	w.ship("ASN-1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, item("SN0004"))
	ok := shipArgs{ShipmentID: "ASN-2", To: "MedDistMSP", ShipTo: glnDistDC, Objects: items("SN0003"), TransactionStatement: true, Location: glnAcmePlant}
	mod := func(f func(*shipArgs)) shipArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args shipArgs
		want string
	}{
		{"regulator", fda, ok, `permission_denied: ship: role "regulator" may not call it`},
		{"unregistered", rogue, ok, "permission_denied: ship: RogueMSP is not a registered trading partner"},
		{"bad shipment id", acme, mod(func(a *shipArgs) { a.ShipmentID = "ASN 2" }), `invalid_argument: shipmentId "ASN 2" may hold only`},
		{"replayed shipment id", acme, mod(func(a *shipArgs) { a.ShipmentID = "ASN-1" }), "already_exists: shipment ASN-1 was already recorded by AcmePharmaMSP at 2026-03-02T08:14:00Z"},
		{"to itself", acme, mod(func(a *shipArgs) { a.To = "AcmePharmaMSP" }), "invalid_argument: to: AcmePharmaMSP cannot ship to itself"},
		{"to unregistered", acme, mod(func(a *shipArgs) { a.To = "RogueMSP" }), "not_found: to: RogueMSP is not a registered trading partner; DSCSA allows transactions only with authorized trading partners"},
		{"to a regulator", acme, mod(func(a *shipArgs) { a.To, a.ShipTo = "FDAMSP", glnFDA }), "failed_precondition: to: FDAMSP is registered only as regulator and cannot take ownership of product"},
		{"to someone else's site", acme, mod(func(a *shipArgs) { a.ShipTo = glnStMarysRx }), "invalid_argument: shipTo: 0870000000016 is not a registered site of MedDistMSP"},
		{"bad shipTo", acme, mod(func(a *shipArgs) { a.ShipTo = "0860000000018" }), "invalid_argument: shipTo: GLN \"0860000000018\" has check digit 8, want 7"},
		{"no statement", acme, mod(func(a *shipArgs) { a.TransactionStatement = false }), "invalid_argument: transactionStatement must be true: the seller attests"},
		{"future transaction date", acme, mod(func(a *shipArgs) { a.TransactionDate = "2026-03-03" }), "invalid_argument: transactionDate 2026-03-03 is after the shipment date 2026-03-02"},
		{"bad transaction date", acme, mod(func(a *shipArgs) { a.TransactionDate = "03/01/2026" }), `invalid_argument: transactionDate "03/01/2026" is not a YYYY-MM-DD date`},
		{"bad purchase order", acme, mod(func(a *shipArgs) { a.PurchaseOrder = "PO 1" }), `invalid_argument: purchaseOrder "PO 1" contains ' '`},
		{"no objects", acme, mod(func(a *shipArgs) { a.Objects = nil }), "invalid_argument: objects: at least one object is required"},
		{"unknown serial", acme, mod(func(a *shipArgs) { a.Objects = items("SN0999") }), "not_found: unknown_serial: (01)00361414123458(21)SN0999 was never commissioned"},
		{"not custodian", dist, mod(func(a *shipArgs) { a.To, a.ShipTo, a.Location = "StMarysHospitalMSP", glnStMarysRx, glnDistDC }), "permission_denied: custody_break: (01)00361414123458(21)SN0003 is in the custody of AcmePharmaMSP, not MedDistMSP"},
		{"packed pack", acme, mod(func(a *shipArgs) { a.Objects = items("SN0001") }), "failed_precondition: (01)00361414123458(21)SN0001 is packed in container (00)003614140000000018; disaggregate it before it can be shipped on its own"},
		{"in transit", acme, mod(func(a *shipArgs) { a.Objects = items("SN0004") }), "failed_precondition: (01)00361414123458(21)SN0004 is in transit in shipment ASN-1; it cannot be shipped until received"},
		{"quarantined pack in a case", acme, mod(func(a *shipArgs) { a.Objects = []ObjectRef{sscc(ssccCase2)} }), "failed_precondition: (01)00361414123458(21)SN0002 (inside (00)003614140000000025) is quarantined since"},
		{"unknown container", acme, mod(func(a *shipArgs) { a.Objects = []ObjectRef{sscc("003614140000000056")} }), "not_found: unknown_serial: (00)003614140000000056"},
		{"not own site", acme, mod(func(a *shipArgs) { a.Location = glnDistDC }), "permission_denied: location 0860000000017 is not a registered site of AcmePharmaMSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("ship", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_ship_stateErrors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002")
	// A pallet whose only case was emptied in place holds no packs.
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001"), Location: glnAcmePlant}, acme)
	w.ok("aggregate", aggregateArgs{Parent: ssccPallet, Children: []ObjectRef{sscc(ssccCase1)}, Location: glnAcmePlant}, acme)
	w.ok("disaggregate", disaggregateArgs{Parent: ssccCase1, Location: glnAcmePlant}, acme)
	w.fails("ship", shipArgs{ShipmentID: "ASN-1", To: "MedDistMSP", ShipTo: glnDistDC, Objects: []ObjectRef{sscc(ssccPallet)}, TransactionStatement: true, Location: glnAcmePlant}, acme,
		"failed_precondition: objects hold no packs; an empty container is not a DSCSA transaction")
	// Expired product cannot be sold on.
	w.ship("ASN-2", acme, glnAcmePlant, "MedDistMSP", glnDistDC, item("SN0002"))
	w.receive("ASN-2", dist, glnDistDC, item("SN0002"))
	late := shipArgs{ShipmentID: "ASN-3", To: "StMarysHospitalMSP", ShipTo: glnStMarysRx, Objects: items("SN0002"), TransactionStatement: true, Location: glnDistDC}
	w.h.Call("ship", late, sdktest.As(dist), sdktest.At(time.Date(2028, 7, 1, 0, 0, 0, 0, time.UTC))).
		RequireError(t, "failed_precondition: (01)00361414123458(21)SN0002 expired on 2028-06-30; it cannot be shipped except back to its manufacturer")
	// Events may not go back in time on an object.
	w.h.Call("ship", late, sdktest.As(dist), sdktest.At(t0)).
		RequireError(t, "failed_precondition: transaction time 2026-03-02T08:00:00Z is before the last event of (01)00361414123458(21)SN0002 at 2026-03-02T08:")
}

func TestContract_receive(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002")
	w.ok("aggregate", aggregateArgs{Parent: ssccCase1, Children: items("SN0001"), Location: glnAcmePlant}, acme)
	w.ship("ASN-1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, sscc(ssccCase1), item("SN0002"))
	r := w.ok("receive", receiveArgs{ShipmentID: "ASN-1", Objects: []ObjectRef{item("SN0002"), sscc(ssccCase1)}, Location: glnDistDC, LocationExt: "door-3"}, dist)
	var s Shipment
	r.JSON(t, &s)
	if s.Status != shipmentReceived || s.ReceivedBy == nil || s.ReceivedBy.MSPID != "MedDistMSP" || s.ReceivedAt == nil || !s.ReceivedAt.Equal(w.now) {
		t.Errorf("received shipment = %+v", s)
	}
	for _, ref := range []ObjectRef{item("SN0002"), sscc(ssccCase1)} {
		if o := w.object(ref); o.Owner != "MedDistMSP" || o.Status != statusActive || o.Location != glnDistDC || o.Shipment != "" || o.Disposition != dispInProgress {
			t.Errorf("received %s = %+v", ref, o)
		}
	}
	var ev Event
	w.h.GetJSON(eventKey(s.ReceivedEvent), &ev)
	if ev.BizStep != stepReceiving || ev.Disposition != dispInProgress || ev.BizLocation.ID != "https://id.gs1.org/414/0860000000017" ||
		ev.ReadPoint.ID != "https://id.gs1.org/414/0860000000017/254/door-3" || ev.RecordedBy.MSPID != "MedDistMSP" || ev.TIHash != s.TIHash {
		t.Errorf("receiving event = %+v", ev)
	}
	if p := payload(t, r, "ShipmentReceived"); p["shipmentId"] != "ASN-1" || p["units"] != 2.0 {
		t.Errorf("ShipmentReceived = %v", p)
	}
	// The pack inside the case now belongs to the receiver too.
	if v := w.verify(dist, verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "receiving"}); v.Evidence.Custody.Owner != "MedDistMSP" {
		t.Errorf("custody of the pack in the received case = %+v", v.Evidence.Custody)
	}
}

func TestContract_receive_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001", "SN0002", "SN0003")
	w.ship("ASN-1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, items("SN0001", "SN0002")...)
	w.ship("ASN-9", acme, glnAcmePlant, "RepackRxMSP", glnRepack, items("SN0003")...)
	w.receive("ASN-9", repack, glnRepack, items("SN0003")...)
	ok := receiveArgs{ShipmentID: "ASN-1", Objects: items("SN0001", "SN0002"), Location: glnDistDC}
	mod := func(f func(*receiveArgs)) receiveArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args receiveArgs
		want string
	}{
		{"regulator", fda, ok, `permission_denied: receive: role "regulator" may not call it`},
		{"unknown shipment", dist, mod(func(a *receiveArgs) { a.ShipmentID = "ASN-404" }), "not_found: receive_without_ship: no shipment ASN-404 was ever shipped"},
		{"addressed to another", stMarys, mod(func(a *receiveArgs) { a.Location = glnStMarysRx }), "permission_denied: custody_break: shipment ASN-1 is addressed to MedDistMSP, not StMarysHospitalMSP"},
		{"object not shipped", dist, mod(func(a *receiveArgs) { a.Objects = items("SN0001", "SN0002", "SN0003") }), "failed_precondition: receive_without_ship: (01)00361414123458(21)SN0003 is not in shipment ASN-1 from AcmePharmaMSP"},
		{"counterfeit serial", dist, mod(func(a *receiveArgs) { a.Objects = items("SN0001", "FAKE01") }), "receive_without_ship: (01)00361414123458(21)FAKE01 is not in shipment ASN-1"},
		{"short delivery", dist, mod(func(a *receiveArgs) { a.Objects = items("SN0002") }), "failed_precondition: shipment ASN-1 lists 1 objects not received ((01)00361414123458(21)SN0001); a short delivery is not accepted"},
		{"already received", repack, receiveArgs{ShipmentID: "ASN-9", Objects: items("SN0003"), Location: glnRepack}, "failed_precondition: shipment ASN-9 was already received by RepackRxMSP at"},
		{"not own site", dist, mod(func(a *receiveArgs) { a.Location = glnAcmePlant }), "permission_denied: location 0361414000018 is not a registered site of MedDistMSP"},
		{"no objects", dist, mod(func(a *receiveArgs) { a.Objects = nil }), "invalid_argument: objects: at least one object is required"},
		{"bad shipment id", dist, mod(func(a *receiveArgs) { a.ShipmentID = "" }), "invalid_argument: shipmentId is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("receive", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_getShipment(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	w.ship("ASN-1", acme, glnAcmePlant, "MedDistMSP", glnDistDC, item("SN0001"))
	for _, who := range []sdktest.Identity{acme, dist, fda} {
		var s Shipment
		w.ok("getShipment", shipmentArgs{ShipmentID: "ASN-1"}, who).JSON(t, &s)
		if s.ID != "ASN-1" || s.Units != 1 {
			t.Errorf("getShipment as %s = %+v", who.MSPID, s)
		}
	}
	w.fails("getShipment", shipmentArgs{ShipmentID: "ASN-1"}, stMarys, "permission_denied: getShipment: shipment ASN-1 is visible to AcmePharmaMSP, MedDistMSP and regulators, not StMarysHospitalMSP")
	w.fails("getShipment", shipmentArgs{ShipmentID: "ASN-2"}, dist, "not_found: shipment ASN-2 does not exist")
	w.fails("getShipment", shipmentArgs{ShipmentID: "ASN/1"}, dist, `invalid_argument: shipmentId "ASN/1" may hold only`)
	w.fails("getShipment", shipmentArgs{ShipmentID: "ASN-1"}, rogue, "permission_denied: getShipment: RogueMSP is not a registered trading partner")
}
