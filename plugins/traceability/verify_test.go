package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_verify(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("G1", "D1", "X1", "C1", "S1", "Q1", "I1")
	w.ok("dispense", dispenseArgs{Items: items("D1"), Location: glnStMarysRx}, stMarys)
	w.ok("destroy", destroyArgs{Items: items("X1"), Reason: "dropped", Location: glnStMarysRx}, stMarys)
	w.ok("decommission", decommissionArgs{Items: items("C1"), Reason: "sample", Location: glnStMarysRx}, stMarys)
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "S1", Reason: "x"}, stMarys)
	w.ok("quarantine", investigateArgs{GTIN: gtinAcme, Serial: "Q1", Reason: "x"}, stMarys)
	w.ok("markSuspect", investigateArgs{GTIN: gtinAcme, Serial: "I1", Reason: "x"}, stMarys)
	w.ok("confirmIllegitimate", investigateArgs{GTIN: gtinAcme, Serial: "I1", Reason: "x"}, fda)
	w.ok("commission", commissionArgs{GTIN: gtinAcme2, Lot: "LB7705", Expiry: "2027-12-31", Serials: []string{"R1"}, Location: glnAcmePlant}, acme)
	w.ok("recall", recallArgs{GTIN: gtinAcme2, Lot: "LB7705", Class: "II", Reason: "x"}, acme)
	tests := []struct {
		name   string
		args   verifyArgs
		status string
		flags  []string
	}{
		{"genuine", verifyArgs{GTIN: gtinAcme, Serial: "G1", Lot: lotA, Expiry: expiryA}, verifyGenuine, []string{}},
		{"genuine scanned", verifyArgs{Barcode: "]d2010036141412345817280630" + "10LA2601\x1d21G1"}, verifyGenuine, []string{}},
		{"unknown serial", verifyArgs{GTIN: gtinAcme, Serial: "CF0001"}, verifyUnknownSerial, []string{verifyUnknownSerial}},
		{"lot mismatch", verifyArgs{Barcode: "(01)00361414123458(17)280630(10)LA2699(21)G1"}, verifyDataMismatch, []string{verifyDataMismatch}},
		{"expiry mismatch", verifyArgs{GTIN: gtinAcme, Serial: "G1", Expiry: "2029-06-30"}, verifyDataMismatch, []string{verifyDataMismatch}},
		{"already dispensed", verifyArgs{GTIN: gtinAcme, Serial: "D1"}, verifyAlreadyDispensed, []string{verifyAlreadyDispensed}},
		{"destroyed", verifyArgs{GTIN: gtinAcme, Serial: "X1"}, verifyDestroyed, []string{verifyDestroyed}},
		{"decommissioned", verifyArgs{GTIN: gtinAcme, Serial: "C1"}, verifyDecommissioned, []string{verifyDecommissioned}},
		{"suspect", verifyArgs{GTIN: gtinAcme, Serial: "S1"}, verifySuspect, []string{verifySuspect}},
		{"quarantined", verifyArgs{GTIN: gtinAcme, Serial: "Q1"}, verifyQuarantined, []string{verifyQuarantined}},
		{"illegitimate", verifyArgs{GTIN: gtinAcme, Serial: "I1", Lot: "LA0000"}, verifyIllegitimate, []string{verifyIllegitimate, verifyDataMismatch}},
		{"recalled", verifyArgs{GTIN: gtinAcme2, Serial: "R1"}, verifyRecalled, []string{verifyRecalled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			v := w.verify(stMarys, tt.args)
			if v.Status != tt.status || !slices.Equal(v.Flags, tt.flags) || v.Verified != (tt.status == verifyGenuine) {
				t.Errorf("verify = %s %q (verified %v), want %s %q", v.Status, v.Flags, v.Verified, tt.status, tt.flags)
			}
		})
	}
	w.t = t
	// The evidence says what the answer rests on.
	v := w.verify(stMarys, verifyArgs{Barcode: "(01)00361414123458(17)280630(10)LA2699(21)G1"})
	if !slices.Equal(v.Evidence.Mismatches, []string{`lot "LA2699" presented, "LA2601" commissioned`}) || v.Evidence.Item.CreatedBy.MSPID != "AcmePharmaMSP" ||
		v.Evidence.Custody.Owner != "StMarysHospitalMSP" || v.Evidence.Product.Name != "Amoxicillin" || v.Evidence.LastEvent.BizStep != stepReceiving {
		t.Errorf("mismatch evidence = %+v", v.Evidence)
	}
	v = w.verify(city, verifyArgs{GTIN: gtinAcme, Serial: "D1"})
	if v.Evidence.LastEvent == nil || v.Evidence.LastEvent.BizStep != stepDispensing || v.Evidence.LastEvent.RecordedBy.MSPID != "StMarysHospitalMSP" {
		t.Errorf("already-dispensed evidence = %+v", v.Evidence.LastEvent)
	}
	// Expiry is judged at the transaction time.
	var late VerifyResult
	w.h.Call("verify", verifyArgs{GTIN: gtinAcme, Serial: "G1", Purpose: "saleable_return"}, sdktest.As(stMarys), sdktest.At(time.Date(2028, 7, 1, 0, 0, 0, 0, time.UTC))).JSON(t, &late)
	if late.Status != verifyExpired {
		t.Errorf("verify after expiry = %s", late.Status)
	}
}

func TestContract_verify_audit(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	r := w.ok("verify", verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "saleable_return"}, fda)
	p := payload(t, r, "ProductVerified")
	if p["status"] != verifyGenuine || p["purpose"] != "saleable_return" || p["by"] != "FDAMSP" {
		t.Errorf("ProductVerified = %v", p)
	}
	keys := w.h.Keys("verification/" + gtinAcme + "/SN0001/")
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "verification/"+gtinAcme+"/SN0001/"+timeKey(w.now)+"/") {
		t.Fatalf("verification records = %q", keys)
	}
	var rec Verification
	w.h.GetJSON(keys[0], &rec)
	if rec.By.MSPID != "FDAMSP" || rec.By.ID != fda.ID || rec.Purpose != "saleable_return" || rec.Status != verifyGenuine || !rec.At.Equal(w.now) {
		t.Errorf("verification record = %+v", rec)
	}
}

func TestContract_verify_Errors(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	tests := []struct {
		name string
		who  sdktest.Identity
		args any
		want string
	}{
		{"unregistered", rogue, verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "receiving"}, "permission_denied: verify: RogueMSP is not a registered trading partner"},
		{"peer", acmePeer, verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "receiving"}, `permission_denied: verify: certificate NodeOU "peer" may not transact`},
		{"no purpose", dist, verifyArgs{GTIN: gtinAcme, Serial: "SN0001"}, `invalid_argument: purpose "" is not one of dispensing, other, receiving, recall, saleable_return, suspect_investigation`},
		{"both forms", dist, verifyArgs{Barcode: "(01)00361414123458(21)SN0001", GTIN: gtinAcme, Purpose: "receiving"}, "invalid_argument: give either barcode or gtin/serial/lot/expiry, not both"},
		{"bad barcode", dist, verifyArgs{Barcode: "(01)00361414123458(21)SN0001(400)PO1", Purpose: "receiving"}, "invalid_argument: barcode \"(01)00361414123458(21)SN0001(400)PO1\": AI (400) is not supported"},
		{"barcode check digit", dist, verifyArgs{Barcode: "(01)00361414123457(21)SN0001", Purpose: "receiving"}, "invalid_argument: GTIN \"00361414123457\" has check digit 7, want 8"},
		{"long barcode", dist, verifyArgs{Barcode: "(01)" + strings.Repeat("0", 200), Purpose: "receiving"}, "invalid_argument: barcode is 204 bytes, at most 200"},
		{"no serial", dist, verifyArgs{GTIN: gtinAcme, Purpose: "receiving"}, "invalid_argument: serial is required"},
		{"bad lot", dist, verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Lot: "L 1", Purpose: "receiving"}, `invalid_argument: lot "L 1" contains ' '`},
		{"bad expiry", dist, verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Expiry: "2028-02-30", Purpose: "receiving"}, `invalid_argument: expiry "2028-02-30" is not a YYYY-MM-DD date`},
		{"misspelt field", dist, `{"gtin":"00361414123458","serialNumber":"SN0001","purpose":"receiving"}`, `json: unknown field "serialNumber"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("verify", tt.args, tt.who, tt.want)
		})
	}
}

// TestContract_corruptState shows that a record which is not the expected JSON fails the call as internal,
// naming the key, instead of being read as empty.
func TestContract_corruptState(t *testing.T) {
	w := newWorld(t)
	w.h.Put(itemKey(gtinAcme, "SN0001"), "not json")
	w.fails("verify", verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "other"}, fda,
		`internal: state key "item/00361414123458/SN0001" does not hold the expected JSON`)
}
