package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/engine"
)

// Real-shaped test data: NDC-based GTIN-14s, GLNs and SSCCs with valid GS1 check digits.
const (
	gtinAcme         = "00361414123458" // NDC 61414-123-45, amoxicillin 500 mg capsules, bottle of 30
	gtinAcme2        = "00361414200104" // NDC 61414-200-10, lisinopril 10 mg tablets, bottle of 90
	gtinRepack       = "00370707555012" // NDC 70707-555-01, amoxicillin 500 mg capsules, unit-of-use 10
	gtinUnregistered = "00355555123019" // a valid GTIN nobody registered

	glnAcme      = "0361414000001" // party GLN of the manufacturer
	glnAcmePlant = "0361414000018" // its packaging plant
	glnRepack    = "0370707000000"
	glnDist      = "0860000000000"
	glnDistDC    = "0860000000017" // the distributor's distribution centre
	glnStMarys   = "0870000000009"
	glnStMarysRx = "0870000000016" // the hospital's inpatient pharmacy
	glnCity      = "0880000000008"
	glnFDA       = "0890000000007"

	ssccCase1  = "003614140000000018"
	ssccCase2  = "003614140000000025"
	ssccPallet = "003614140000000032"
	ssccCase3  = "003614140000000049"

	lotA    = "LA2601"
	expiryA = "2028-06-30"
)

func attrs(role string) map[string]string { return map[string]string{"role": role} }

var (
	fdaAdmin   = sdktest.NewIdentity("FDAMSP", "inspector", "admin", attrs(roleRegulator))
	fda        = sdktest.NewIdentity("FDAMSP", "analyst", "client", attrs(roleRegulator))
	acme       = sdktest.NewIdentity("AcmePharmaMSP", "line4", "client", attrs(roleManufacturer))
	repack     = sdktest.NewIdentity("RepackRxMSP", "repack-op", "client", attrs(roleRepackager))
	dist       = sdktest.NewIdentity("MedDistMSP", "dc-clerk", "client", attrs(roleWholesaler))
	stMarys    = sdktest.NewIdentity("StMarysHospitalMSP", "pharmacist", "client", attrs(roleDispenser))
	city       = sdktest.NewIdentity("CityPharmacyMSP", "pharmacist", "client", attrs(roleDispenser))
	rogue      = sdktest.NewIdentity("RogueMSP", "broker", "client", attrs(roleWholesaler))
	acmeNoRole = sdktest.NewIdentity("AcmePharmaMSP", "intern", "client", nil)
	acmePeer   = sdktest.NewIdentity("AcmePharmaMSP", "peer0", "peer", attrs(roleManufacturer))
	distAsMfr  = sdktest.NewIdentity("MedDistMSP", "dc-clerk", "client", attrs(roleManufacturer))

	t0 = time.Date(2026, time.March, 2, 8, 0, 0, 0, time.UTC)
)

// partners are the consortium's trading partners, registered by the FDA's admin.
var partners = []registerPartnerArgs{
	{MSPID: "FDAMSP", Name: "US FDA Office of Drug Security", Address: "10903 New Hampshire Ave, Silver Spring, MD 20993",
		GLN: glnFDA, Roles: []string{roleRegulator}},
	{MSPID: "AcmePharmaMSP", Name: "Acme Pharma Inc.", Address: "1 Industrial Way, Newark, NJ 07102", GLN: glnAcme,
		Locations: []string{glnAcmePlant}, Roles: []string{roleManufacturer}, CompanyPrefixes: []string{"0361414"}, License: "FEI 3001234567"},
	{MSPID: "RepackRxMSP", Name: "RepackRx LLC", Address: "20 Harbor Rd, Baltimore, MD 21230", GLN: glnRepack,
		Roles: []string{roleRepackager, roleWholesaler}, CompanyPrefixes: []string{"0370707"}, License: "FEI 3007070707"},
	{MSPID: "MedDistMSP", Name: "MedDist Wholesale Corp.", Address: "500 Logistics Pkwy, Columbus, OH 43217", GLN: glnDist,
		Locations: []string{glnDistDC}, Roles: []string{roleWholesaler}, License: "OH WDD 02-1234567"},
	{MSPID: "StMarysHospitalMSP", Name: "St. Mary's Hospital Pharmacy", Address: "77 Mercy St, Columbus, OH 43215", GLN: glnStMarys,
		Locations: []string{glnStMarysRx}, Roles: []string{roleDispenser}, License: "OH TDDD 02-7654321"},
	{MSPID: "CityPharmacyMSP", Name: "City Pharmacy", Address: "12 Main St, Dublin, OH 43017", GLN: glnCity,
		Roles: []string{roleDispenser}},
}

var products = []struct {
	who  sdktest.Identity
	args registerProductArgs
}{
	{acme, registerProductArgs{GTIN: gtinAcme, NDC: "61414-123-45", Name: "Amoxicillin", Strength: "500 mg", DosageForm: "capsule", ContainerSize: "30 capsules"}},
	{acme, registerProductArgs{GTIN: gtinAcme2, Name: "Lisinopril", Strength: "10 mg", DosageForm: "tablet", ContainerSize: "90 tablets"}},
	{repack, registerProductArgs{GTIN: gtinRepack, Name: "Amoxicillin", Strength: "500 mg", DosageForm: "capsule", ContainerSize: "10 capsules"}},
}

// world is a ledger with the contract, a clock that advances one minute per call, and helpers for the steps
// most tests share.
type world struct {
	t   testing.TB
	h   *sdktest.Harness
	now time.Time
}

// deployedGas is the per-call gas limit the traceability contract is deployed with (README "Limits"): a full
// 2,000-pack DSCSA shipment reads every pack, about 0.4 million gas each, so it needs more than the host's default
// of 200 million; the host ceiling of 2 billion leaves room.
const deployedGas = 2_000_000_000

// newBareWorld returns a world with an empty ledger.
func newBareWorld(t testing.TB) *world {
	t.Helper()
	h := sdktest.New(t, sdktest.Build(t, "."), sdktest.WithName("traceability"),
		sdktest.WithLimits(engine.Limits{Gas: deployedGas}))
	return &world{t: t, h: h, now: t0}
}

// newWorld returns a world with every partner and product registered.
func newWorld(t testing.TB) *world {
	t.Helper()
	w := newBareWorld(t)
	for _, p := range partners {
		w.ok("registerPartner", p, fdaAdmin)
	}
	for _, p := range products {
		w.ok("registerProduct", p.args, p.who)
	}
	return w
}

// call runs function as who one minute after the previous call.
func (w *world) call(function string, args any, who sdktest.Identity) *sdktest.Result {
	w.t.Helper()
	w.now = w.now.Add(time.Minute)
	return w.h.Call(function, args, sdktest.As(who), sdktest.At(w.now))
}

// ok runs a call that must succeed.
func (w *world) ok(function string, args any, who sdktest.Identity) *sdktest.Result {
	w.t.Helper()
	return w.call(function, args, who).RequireOK(w.t)
}

// fails runs a call that must fail with want and leaves the ledger height unchanged.
func (w *world) fails(function string, args any, who sdktest.Identity, want string) *sdktest.Result {
	w.t.Helper()
	height := w.h.Height()
	r := w.call(function, args, who).RequireError(w.t, want)
	if w.h.Height() != height {
		w.t.Fatalf("%s failed but the ledger grew from %d to %d blocks", function, height, w.h.Height())
	}
	return r
}

// commission commissions serials of lotA of gtinAcme at Acme's plant.
func (w *world) commission(serials ...string) {
	w.t.Helper()
	w.ok("commission", commissionArgs{GTIN: gtinAcme, Lot: lotA, Expiry: expiryA, Serials: serials, Location: glnAcmePlant}, acme)
}

// ship ships objects from who to (mspID, site) as shipment id.
func (w *world) ship(id string, who sdktest.Identity, from, to, site string, objs ...ObjectRef) Shipment {
	w.t.Helper()
	var s Shipment
	w.ok("ship", shipArgs{ShipmentID: id, To: to, ShipTo: site, Objects: objs, TransactionStatement: true, Location: from}, who).JSON(w.t, &s)
	return s
}

// receive receives shipment id as who at site with exactly objs.
func (w *world) receive(id string, who sdktest.Identity, site string, objs ...ObjectRef) Shipment {
	w.t.Helper()
	var s Shipment
	w.ok("receive", receiveArgs{ShipmentID: id, Objects: objs, Location: site}, who).JSON(w.t, &s)
	return s
}

// toDist commissions serials and moves them from Acme to MedDist's DC.
func (w *world) toDist(id string, serials ...string) {
	w.t.Helper()
	w.commission(serials...)
	refs := items(serials...)
	w.ship(id, acme, glnAcmePlant, "MedDistMSP", glnDistDC, refs...)
	w.receive(id, dist, glnDistDC, refs...)
}

// toStMarys commissions serials and moves them through MedDist to St. Mary's pharmacy.
func (w *world) toStMarys(serials ...string) {
	w.t.Helper()
	w.toDist("ASN-ACME-"+serials[0], serials...)
	refs := items(serials...)
	w.ship("ASN-MD-"+serials[0], dist, glnDistDC, "StMarysHospitalMSP", glnStMarysRx, refs...)
	w.receive("ASN-MD-"+serials[0], stMarys, glnStMarysRx, refs...)
}

// object returns the stored object for ref.
func (w *world) object(ref ObjectRef) Object {
	w.t.Helper()
	var o Object
	if !w.h.GetJSON(ref.key(), &o) {
		w.t.Fatalf("%s is not on the ledger", ref)
	}
	return o
}

// verify verifies a gtinAcme serial for dispensing as who and returns the answer.
func (w *world) verify(who sdktest.Identity, args verifyArgs) VerifyResult {
	w.t.Helper()
	if args.Purpose == "" {
		args.Purpose = "dispensing"
	}
	var v VerifyResult
	w.ok("verify", args, who).JSON(w.t, &v)
	return v
}

func item(serial string) ObjectRef { return ObjectRef{GTIN: gtinAcme, Serial: serial} }

func items(serials ...string) []ObjectRef {
	out := make([]ObjectRef, len(serials))
	for i, s := range serials {
		out[i] = item(s)
	}
	return out
}

func sscc(s string) ObjectRef { return ObjectRef{SSCC: s} }

// payload decodes an event payload.
func payload(t testing.TB, r *sdktest.Result, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.RequireEvent(t, name), &m); err != nil {
		t.Fatalf("event %s payload: %v", name, err)
	}
	return m
}
