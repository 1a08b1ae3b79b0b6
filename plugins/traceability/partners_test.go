package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestContract_registerPartner(t *testing.T) {
	w := newBareWorld(t)
	var p Partner
	r := w.ok("registerPartner", partners[0], fdaAdmin)
	r.JSON(t, &p)
	if p.MSPID != "FDAMSP" || p.Status != partnerActive || p.RegisteredBy.MSPID != "FDAMSP" || !p.RegisteredAt.Equal(w.now) {
		t.Errorf("genesis registration = %+v", p)
	}
	if ev := payload(t, r, "PartnerRegistered"); ev["mspId"] != "FDAMSP" {
		t.Errorf("PartnerRegistered = %v", ev)
	}
	// After genesis the registered regulator registers the others; lists come back sorted and deduplicated.
	args := partners[2]
	args.Roles = []string{roleWholesaler, roleRepackager, roleWholesaler}
	args.Locations = []string{glnRepack, glnRepack}
	w.ok("registerPartner", args, fdaAdmin).JSON(t, &p)
	if !slices.Equal(p.Roles, []string{roleRepackager, roleWholesaler}) || !slices.Equal(p.Locations, []string{glnRepack}) {
		t.Errorf("roles %q, locations %q; want sorted, deduplicated", p.Roles, p.Locations)
	}
	var got Partner
	w.ok("getPartner", mspArgs{MSPID: "RepackRxMSP"}, rogue).JSON(t, &got)
	if got.Name != "RepackRx LLC" || !slices.Equal(got.CompanyPrefixes, []string{"0370707"}) {
		t.Errorf("getPartner = %+v", got)
	}
}

func TestContract_registerPartner_Errors(t *testing.T) {
	// An empty registry accepts only its regulator's own organisation first.
	bare := newBareWorld(t)
	bare.fails("registerPartner", partners[1], fdaAdmin, "failed_precondition: registerPartner: the registry is empty; the first partner must be the caller's own organisation FDAMSP as a regulator")
	otherAdmin := sdktest.NewIdentity("AcmePharmaMSP", "admin", "admin", attrs(roleRegulator))
	bare.fails("registerPartner", partners[0], otherAdmin, "the first partner must be the caller's own organisation AcmePharmaMSP")

	w := newWorld(t)
	rogueAdmin := sdktest.NewIdentity("RogueMSP", "admin", "admin", attrs(roleRegulator))
	acmeAdmin := sdktest.NewIdentity("AcmePharmaMSP", "admin", "admin", attrs(roleManufacturer))
	newPartner := registerPartnerArgs{MSPID: "NewRxMSP", Name: "New Rx", Address: "1 A St", GLN: glnCity, Roles: []string{roleDispenser}}
	mod := func(f func(*registerPartnerArgs)) registerPartnerArgs { a := newPartner; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args any
		want string
	}{
		{"client regulator", fda, newPartner, "permission_denied: registerPartner: only an admin certificate with role=regulator may register partners"},
		{"admin without regulator role", acmeAdmin, newPartner, "only an admin certificate with role=regulator"},
		{"regulator of an unregistered MSP", rogueAdmin, newPartner, "permission_denied: registerPartner: RogueMSP is not a registered trading partner"},
		{"already registered", fdaAdmin, partners[1], "already_exists: trading partner AcmePharmaMSP is already registered"},
		{"bad msp id", fdaAdmin, mod(func(a *registerPartnerArgs) { a.MSPID = "New/Rx" }), `invalid_argument: mspId "New/Rx" may hold only`},
		{"no name", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Name = "" }), "invalid_argument: name is required"},
		{"control char in address", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Address = "1 A St\n" }), "address contains control character U+000A"},
		{"bad GLN", fdaAdmin, mod(func(a *registerPartnerArgs) { a.GLN = "0880000000007" }), "invalid_argument: gln: GLN \"0880000000007\" has check digit 7, want 8"},
		{"bad location", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Locations = []string{"123"} }), "invalid_argument: locations: GLN \"123\" must be exactly 13 digits"},
		{"no roles", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Roles = nil }), "invalid_argument: roles: at least one of dispenser, manufacturer, regulator, repackager, wholesaler is required"},
		{"unknown role", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Roles = []string{"broker"} }), `roles: "broker" is not one of`},
		{"manufacturer without prefix", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Roles = []string{roleManufacturer} }), "companyPrefixes: a manufacturer or repackager needs its GS1 company prefixes"},
		{"bad prefix", fdaAdmin, mod(func(a *registerPartnerArgs) { a.CompanyPrefixes = []string{"03A"} }), `companyPrefixes: GS1 company prefix "03A" must be 4 to 12 digits`},
		{"too many sites", fdaAdmin, mod(func(a *registerPartnerArgs) { a.Locations = make([]string, 51) }), "invalid_argument: locations: 51 GLNs, at most 50"},
		{"too many prefixes", fdaAdmin, mod(func(a *registerPartnerArgs) { a.CompanyPrefixes = make([]string, 21) }), "invalid_argument: companyPrefixes: 21 prefixes, at most 20"},
		{"long license", fdaAdmin, mod(func(a *registerPartnerArgs) { a.License = strings.Repeat("9", 65) }), "invalid_argument: license is 65 bytes, at most 64"},
		{"unknown field", fdaAdmin, `{"mspId":"X","licence":"1"}`, `json: unknown field "licence"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("registerPartner", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_setPartnerStatus(t *testing.T) {
	w := newWorld(t)
	w.commission("SN0001")
	var p Partner
	r := w.ok("setPartnerStatus", setPartnerStatusArgs{MSPID: "AcmePharmaMSP", Status: partnerSuspended, Reason: "state license lapsed"}, fdaAdmin)
	r.JSON(t, &p)
	if p.Status != partnerSuspended || p.StatusReason != "state license lapsed" {
		t.Errorf("suspended partner = %+v", p)
	}
	if ev := payload(t, r, "PartnerStatusChanged"); ev["status"] != partnerSuspended {
		t.Errorf("PartnerStatusChanged = %v", ev)
	}
	// A suspended partner cannot transact, and nobody can ship to it.
	w.fails("commission", commissionArgs{GTIN: gtinAcme, Lot: lotA, Expiry: expiryA, Serials: []string{"SN0002"}, Location: glnAcmePlant}, acme,
		"permission_denied: commission: trading partner AcmePharmaMSP is suspended: state license lapsed")
	w.ok("setPartnerStatus", setPartnerStatusArgs{MSPID: "AcmePharmaMSP", Status: partnerActive, Reason: "license renewed"}, fdaAdmin)
	w.ok("setPartnerStatus", setPartnerStatusArgs{MSPID: "MedDistMSP", Status: partnerSuspended, Reason: "under investigation"}, fdaAdmin)
	w.fails("ship", shipArgs{ShipmentID: "ASN-1", To: "MedDistMSP", ShipTo: glnDistDC, Objects: items("SN0001"), TransactionStatement: true, Location: glnAcmePlant}, acme,
		"failed_precondition: to: trading partner MedDistMSP is suspended: under investigation")
	w.fails("verify", verifyArgs{GTIN: gtinAcme, Serial: "SN0001", Purpose: "receiving"}, dist, "permission_denied: verify: trading partner MedDistMSP is suspended")
	w.commission("SN0002")
}

func TestContract_setPartnerStatus_Errors(t *testing.T) {
	w := newWorld(t)
	ok := setPartnerStatusArgs{MSPID: "MedDistMSP", Status: partnerSuspended, Reason: "license revoked"}
	tests := []struct {
		name string
		who  sdktest.Identity
		args setPartnerStatusArgs
		want string
	}{
		{"client regulator", fda, ok, "permission_denied: setPartnerStatus: only an admin certificate may change a partner's status"},
		{"manufacturer", acme, ok, `permission_denied: setPartnerStatus: role "manufacturer" may not call it (requires regulator)`},
		{"own organisation", fdaAdmin, setPartnerStatusArgs{MSPID: "FDAMSP", Status: partnerSuspended, Reason: "x"}, "a regulator may not change its own organisation's status"},
		{"unknown partner", fdaAdmin, setPartnerStatusArgs{MSPID: "RogueMSP", Status: partnerSuspended, Reason: "x"}, "not_found: trading partner RogueMSP is not registered"},
		{"bad status", fdaAdmin, setPartnerStatusArgs{MSPID: "MedDistMSP", Status: "revoked", Reason: "x"}, `invalid_argument: status "revoked" is not active or suspended`},
		{"no reason", fdaAdmin, setPartnerStatusArgs{MSPID: "MedDistMSP", Status: partnerSuspended}, "invalid_argument: reason is required"},
		{"unchanged", fdaAdmin, setPartnerStatusArgs{MSPID: "MedDistMSP", Status: partnerActive, Reason: "x"}, "failed_precondition: trading partner MedDistMSP is already active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("setPartnerStatus", tt.args, tt.who, tt.want)
		})
	}
}

func TestContract_getPartner_Errors(t *testing.T) {
	w := newWorld(t)
	w.fails("getPartner", mspArgs{MSPID: "RogueMSP"}, rogue, "not_found: trading partner RogueMSP is not registered")
	w.fails("getPartner", mspArgs{}, rogue, "invalid_argument: mspId is required")
}

func TestContract_registerProduct(t *testing.T) {
	w := newWorld(t)
	var p Product
	if !w.h.GetJSON("product/"+gtinAcme2, &p) || p.NDC != "6141420010" || p.Owner != "AcmePharmaMSP" {
		t.Errorf("product without an explicit NDC = %+v; want the NDC embedded in the GTIN", p)
	}
	args := registerProductArgs{GTIN: "00361414300101", NDC: "61414-300-10", Name: "Metformin", Strength: "500 mg", DosageForm: "tablet", ContainerSize: "100 tablets"}
	r := w.ok("registerProduct", args, acme)
	r.JSON(t, &p)
	if p.NDC != "61414-300-10" || p.RegisteredBy.ID != acme.ID {
		t.Errorf("registerProduct = %+v", p)
	}
	if ev := payload(t, r, "ProductRegistered"); ev["gtin"] != "00361414300101" {
		t.Errorf("ProductRegistered = %v", ev)
	}
}

func TestContract_registerProduct_Errors(t *testing.T) {
	w := newWorld(t)
	ok := registerProductArgs{GTIN: "00361414300101", Name: "Metformin", Strength: "500 mg", DosageForm: "tablet", ContainerSize: "100 tablets"}
	mod := func(f func(*registerProductArgs)) registerProductArgs { a := ok; f(&a); return a }
	tests := []struct {
		name string
		who  sdktest.Identity
		args registerProductArgs
		want string
	}{
		{"wholesaler", dist, ok, `permission_denied: registerProduct: role "wholesaler" may not call it (requires manufacturer or repackager)`},
		{"role the MSP lacks", distAsMfr, ok, "permission_denied: registerProduct: MedDistMSP is not registered as a manufacturer (registered: wholesaler)"},
		{"no role attribute", acmeNoRole, ok, "permission_denied: registerProduct: caller certificate has no role attribute"},
		{"peer certificate", acmePeer, ok, `permission_denied: registerProduct: certificate NodeOU "peer" may not transact`},
		{"unregistered MSP", sdktest.NewIdentity("RogueMSP", "x", "client", attrs(roleManufacturer)), ok, "RogueMSP is not a registered trading partner"},
		{"someone else's GTIN", repack, ok, "permission_denied: GTIN 00361414300101 is not under a GS1 company prefix of RepackRxMSP (0370707)"},
		{"already registered", acme, mod(func(a *registerProductArgs) { a.GTIN = gtinAcme }), "already_exists: product 00361414123458 is already registered by AcmePharmaMSP"},
		{"bad GTIN", acme, mod(func(a *registerProductArgs) { a.GTIN = "00361414300102" }), "invalid_argument: GTIN \"00361414300102\" has check digit 2, want 1"},
		{"NDC mismatch", acme, mod(func(a *registerProductArgs) { a.NDC = "61414-301-10" }), "does not match the NDC 6141430010"},
		{"no strength", acme, mod(func(a *registerProductArgs) { a.Strength = "" }), "invalid_argument: strength is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.fails("registerProduct", tt.args, tt.who, tt.want)
		})
	}
}
