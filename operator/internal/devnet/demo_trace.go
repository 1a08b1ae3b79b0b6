package devnet

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// GS1 identifiers of the traceability story, with valid check digits: a GTIN-14 built on NDC 61414-123-45
// (amoxicillin 500 mg, 30 capsules) under company prefix 0361414, the manufacturer's and the pharmacy's GLNs.
const (
	demoGTIN      = "00361414123458"
	glnMaker      = "0361414000001"
	glnMakerPlant = "0361414000018"
	glnPharmacy   = "0870000000009"
	glnPharmacyRx = "0870000000016"
)

// traceabilityStory: the manufacturer commissions two serialised packs, ships them to hospital 2's pharmacy,
// which receives and dispenses one; a pack with a serial nobody commissioned is scanned and caught.
func traceabilityStory(ctx context.Context, s *story, b backend, h []string, run string) error {
	inspector := actor{Hospital: 0, Name: "drug-safety-officer", Role: "admin", Attrs: map[string]string{"role": "regulator"}, Label: "the regulator's officer"}
	line := actor{Hospital: 0, Name: "packaging-line-4", Role: "client", Attrs: map[string]string{"role": "manufacturer"}, Label: "the packaging line"}
	pharmacist := actor{Hospital: 1, Name: "pharmacist", Role: "client", Attrs: map[string]string{"role": "dispenser"}, Label: "the pharmacist"}

	s.section("2. Drug traceability (GS1 / EPCIS 2.0 / US DSCSA): a pack from the packaging line to the patient")
	s.say("In this devnet %s plays the regulator and the manufacturer, %s the hospital pharmacy.", h[0], h[1])
	partners := []map[string]any{
		{"mspId": h[0], "name": "Medledger Drug Safety Office and Acme Pharma packaging", "address": "1 Industrial Way, Newark, NJ 07102",
			"gln": glnMaker, "locations": []string{glnMakerPlant}, "roles": []string{"regulator", "manufacturer"},
			"companyPrefixes": []string{"0361414"}, "license": "FEI 3001234567"},
		{"mspId": h[1], "name": "Hospital 2 inpatient pharmacy", "address": "77 Mercy St, Columbus, OH 43215",
			"gln": glnPharmacy, "locations": []string{glnPharmacyRx}, "roles": []string{"dispenser"}, "license": "OH TDDD 02-7654321"},
	}
	for _, p := range partners {
		if err := do(ctx, b, h, "traceability", "getPartner", map[string]any{"mspId": p["mspId"]}, inspector, true, nil); err == nil {
			continue // registered by an earlier run
		}
		if err := do(ctx, b, h, "traceability", "registerPartner", p, inspector, false, nil); err != nil {
			return err
		}
		s.step("the regulator registers %s as an authorized trading partner (%s)", p["mspId"], strings.Join(p["roles"].([]string), ", "))
	}
	product := map[string]any{"gtin": demoGTIN, "ndc": "61414-123-45", "name": "Amoxicillin", "strength": "500 mg", "dosageForm": "capsule", "containerSize": "30 capsules"}
	if _, err := b.call(ctx, h, "traceability", "registerProduct", product, line, false); err != nil && !strings.Contains(err.Error(), "already") {
		return fmt.Errorf("demo: traceability.registerProduct: %w", err)
	}
	tag := run[2:] // yymmddThhmmss: keeps serials within GS1's 20 characters
	serials := []string{"S" + tag + "-1", "S" + tag + "-2"}
	lot, expiry := "L"+tag, time.Now().UTC().AddDate(2, 0, 0).Format("2006-01-02")
	var ev struct {
		EventID string   `json:"eventId"`
		EPCs    []string `json:"epcs"`
	}
	if err := do(ctx, b, h, "traceability", "commission", map[string]any{"gtin": demoGTIN, "lot": lot, "expiry": expiry, "serials": serials, "location": glnMakerPlant}, line, false, &ev); err != nil {
		return err
	}
	s.step("the packaging line commissions 2 packs of amoxicillin, lot %s, expiry %s: %s", lot, expiry, strings.Join(ev.EPCs, ", "))
	items := []map[string]string{{"gtin": demoGTIN, "serial": serials[0]}, {"gtin": demoGTIN, "serial": serials[1]}}
	shipment := "ASN-" + tag
	if err := do(ctx, b, h, "traceability", "ship", map[string]any{"shipmentId": shipment, "to": h[1], "shipTo": glnPharmacyRx, "objects": items,
		"transactionStatement": true, "location": glnMakerPlant}, line, false, nil); err != nil {
		return err
	}
	s.step("they ship as %s to %s with DSCSA transaction information and statement", shipment, h[1])
	if err := do(ctx, b, h, "traceability", "receive", map[string]any{"shipmentId": shipment, "objects": items, "location": glnPharmacyRx}, pharmacist, false, nil); err != nil {
		return err
	}
	s.step("the pharmacist receives exactly what was shipped: custody passes to %s", h[1])
	if err := do(ctx, b, h, "traceability", "dispense", map[string]any{"items": items[:1], "location": glnPharmacyRx}, pharmacist, false, nil); err != nil {
		return err
	}
	s.step("pack %s is dispensed to a patient (no patient data on the ledger)", serials[0])
	msg, err := refused(ctx, b, h, "traceability", "dispense", map[string]any{"items": items[:1], "location": glnPharmacyRx}, pharmacist)
	if err != nil {
		return err
	}
	s.step("the same serial turns up again and is refused: %s", firstLine(msg))

	fake := "S" + tag + "-9"
	var v struct {
		Verified bool     `json:"verified"`
		Status   string   `json:"status"`
		Flags    []string `json:"flags"`
	}
	if err := do(ctx, b, h, "traceability", "verify", map[string]any{"gtin": demoGTIN, "serial": fake, "lot": lot, "expiry": expiry, "purpose": "dispensing"}, pharmacist, false, &v); err != nil {
		return err
	}
	s.step("a pack labelled %s (serial %s) is scanned at the pharmacy: verified=%v, status %s: COUNTERFEIT CAUGHT", demoGTIN, fake, v.Verified, v.Status)
	var inv struct {
		Status string `json:"status"`
	}
	if err := do(ctx, b, h, "traceability", "markSuspect", map[string]any{"gtin": demoGTIN, "serial": fake, "reason": "serial not commissioned: scanned at the inpatient pharmacy", "rule": "unknown_serial"}, pharmacist, false, &inv); err != nil {
		return err
	}
	s.step("the pharmacist opens a DSCSA suspect-product investigation: %s", inv.Status)
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 140 {
		s = s[:140] + "…"
	}
	return s
}
