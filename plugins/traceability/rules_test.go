package main

import (
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// TestContract_detectionRules shows each counterfeit-detection rule firing on the call it guards, with the rule
// name in the error so systems can react, and the ledger unchanged.
func TestContract_detectionRules(t *testing.T) {
	w := newWorld(t)
	w.toStMarys("SN0001", "SN0002")
	w.ok("dispense", dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx}, stMarys)
	w.commission("SN0003")
	w.ship("ASN-9", acme, glnAcmePlant, "MedDistMSP", glnDistDC, item("SN0003"))
	tests := []struct {
		rule, function string
		who            sdktest.Identity
		args           any
		want           string
	}{
		{ruleUnknownSerial, "dispense", stMarys, dispenseArgs{Items: items("CF0001"), Location: glnStMarysRx},
			"not_found: unknown_serial: (01)00361414123458(21)CF0001 was never commissioned on this ledger"},
		{ruleDuplicateCommission, "commission", acme, commissionArgs{GTIN: gtinAcme, Lot: lotA, Expiry: expiryA, Serials: []string{"SN0002"}, Location: glnAcmePlant},
			"already_exists: duplicate_commission: (01)00361414123458(21)SN0002 was already commissioned by AcmePharmaMSP"},
		{ruleReceiveWithoutShip, "receive", city, receiveArgs{ShipmentID: "ASN-FAKE", Objects: items("SN0002"), Location: glnCity},
			"not_found: receive_without_ship: no shipment ASN-FAKE was ever shipped"},
		{ruleReceiveWithoutShip, "receive", dist, receiveArgs{ShipmentID: "ASN-9", Objects: items("SN0003", "SN0002"), Location: glnDistDC},
			"failed_precondition: receive_without_ship: (01)00361414123458(21)SN0002 is not in shipment ASN-9"},
		{ruleCustodyBreak, "ship", dist, shipArgs{ShipmentID: "ASN-X", To: "CityPharmacyMSP", ShipTo: glnCity, Objects: items("SN0002"), TransactionStatement: true, Location: glnDistDC},
			"permission_denied: custody_break: (01)00361414123458(21)SN0002 is in the custody of StMarysHospitalMSP, not MedDistMSP"},
		{ruleCustodyBreak, "receive", city, receiveArgs{ShipmentID: "ASN-9", Objects: items("SN0003"), Location: glnCity},
			"permission_denied: custody_break: shipment ASN-9 is addressed to MedDistMSP, not CityPharmacyMSP"},
		{ruleDispenseTwice, "dispense", stMarys, dispenseArgs{Items: items("SN0001"), Location: glnStMarysRx},
			"failed_precondition: dispense_twice: (01)00361414123458(21)SN0001 was already dispensed by StMarysHospitalMSP"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.function, func(t *testing.T) {
			w.t = t
			w.fails(tt.function, tt.args, tt.who, tt.want)
		})
	}
}
