// Command traceability is the medledger drug supply-chain contract: GS1-serialised packs (SGTIN: GTIN-14, serial,
// lot, expiry, the US DSCSA product identifier) are commissioned by their manufacturer, packed into and out of
// logistic units (SSCC), shipped and received between authorized trading partners with DSCSA transaction
// information and statement, and dispensed, decommissioned or destroyed; every step is an EPCIS 2.0 event with
// CBV 2.0 bizStep, disposition, readPoint and bizLocation. verify answers whether a pack is genuine and why not;
// history returns its chain of custody; recalls, suspect-product investigations and five counterfeit-detection
// rules (unknown serial, duplicate commission, receive without matching ship, custody break, dispense twice)
// guard every move. See README.md for the function table.
package main

import "github.com/medledger/medledger/plugins/sdk"

func init() {
	// Trading partners and products.
	sdk.Register("registerPartner", registerPartner)
	sdk.Register("setPartnerStatus", setPartnerStatus)
	sdk.Register("getPartner", getPartner)
	sdk.Register("registerProduct", registerProduct)
	// EPCIS events.
	sdk.Register("commission", commission)
	sdk.Register("aggregate", aggregate)
	sdk.Register("disaggregate", disaggregate)
	sdk.Register("ship", ship)
	sdk.Register("receive", receive)
	sdk.Register("dispense", dispense)
	sdk.Register("decommission", decommission)
	sdk.Register("destroy", destroy)
	sdk.Register("repackage", repackage)
	// Queries.
	sdk.Register("verify", verify)
	sdk.Register("history", history)
	sdk.Register("getShipment", getShipment)
	// Recalls and suspect-product handling.
	sdk.Register("recall", recall)
	sdk.Register("markSuspect", markSuspect)
	sdk.Register("quarantine", quarantine)
	sdk.Register("clear", clearSuspect)
	sdk.Register("confirmIllegitimate", confirmIllegitimate)
}

func main() {}
