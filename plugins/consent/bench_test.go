package main

import (
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// BenchmarkTypicalCall measures one check through the real engine (Snapshot isolation) and the harness's commit:
// a clinician asks about a patient who holds a privacy consent with nested exceptions, a treatment consent, a
// research opt-in and a revoked consent, so the call reads four consents, decides and writes one audit entry.
//
//	go test -run '^$' -bench . -count 5 ./plugins/consent/
func BenchmarkTypicalCall(b *testing.B) {
	h := sdktest.New(b, sdktest.Build(b, "."), sdktest.WithName("consent"), sdktest.WithTime(t0))
	must := func(r *sdktest.Result) {
		b.Helper()
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	must(h.Call("registerStudy", studyOf("dm2-registry"), sdktest.As(uniAdmin)))
	must(h.Call("grant", consentOf(patientA, "privacy-2026", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: permit, Actor: []Actor{actor("Organization/Hospital1MSP")}, Action: []CodeableConcept{action("access")},
			Purpose: []Coding{purpose("TREAT")}, Provision: []Provision{{Type: deny, SecurityLabel: []Coding{label("PSY")}}}},
		{Type: permit, Actor: []Actor{actor("Organization/InsurerMSP")}, Purpose: []Coding{purpose("HPAYMT")}, Class: []Coding{class("Claim")}},
	}})), sdktest.As(alice)))
	must(h.Call("grant", consentOf(patientA, "treatment", withProvision(Provision{Type: permit}), func(in *consentInput) {
		in.Scope = cc(sysConsentScope, scopeTreatment)
	}), sdktest.As(alice)))
	must(h.Call("grant", consentOf(patientA, "old"), sdktest.As(alice)))
	must(h.Call("revoke", consentRef{Patient: patientA, ID: "old"}, sdktest.As(alice)))
	must(h.Call("optIn", participationArgs{Patient: patientA, Study: "dm2-registry"}, sdktest.As(alice)))
	args := checkArgs{Patient: patientA, Action: "access", Purpose: "TREAT", Class: class("Observation"),
		SecurityLabel: []Coding{{System: sysConfidentiality, Code: "N"}}}
	// Every iteration reuses one tx id and time, so it rewrites the same audit key: runtime/ledger.Memory scans all
	// its keys for a range read, and a trail growing with b.N would measure that map rather than the contract (a
	// peer's state database seeks).
	txID := sdktest.TxID(strings.Repeat("ab", 32))
	at := sdktest.At(t0.Add(time.Hour))
	var inEngine time.Duration
	for b.Loop() {
		r := h.Call("check", args, sdktest.As(drOnDuty), at, txID)
		if r.Err != nil {
			b.Fatal(r.Err)
		}
		inEngine += r.Duration
	}
	// The engine's own measure of the call (instance reset, guest run, host calls), without the harness's commit.
	b.ReportMetric(float64(inEngine.Nanoseconds())/float64(b.N), "engine-ns/op")
}
