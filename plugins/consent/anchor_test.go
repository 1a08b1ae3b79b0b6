package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// A discharge summary as the hospital's document store holds it; the ledger only ever sees its hash.
var (
	dischargeSummary = []byte(`{"resourceType":"DocumentReference","status":"current","type":{"coding":[{"system":"http://loinc.org","code":"18842-5"}]}}`)
	summaryHash      = sha256Hex(dischargeSummary)
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func summaryAnchor() anchorInput {
	return anchorInput{Patient: patientA, ID: "doc-2026-000187", Hash: summaryHash,
		Location: "https://fhir.hospital1.example.org/DocumentReference/doc-2026-000187",
		Class:    Coding{System: sysLOINC, Code: "18842-5"}, ContentType: "application/fhir+json"}
}

func TestAnchor_registerAnchor(t *testing.T) {
	for _, caller := range []sdktest.Identity{drOffDuty, h1Admin, sdktest.NewIdentity("Hospital1MSP", "his-gateway", "client", map[string]string{"role": "provider"})} {
		t.Run(caller.Subject, func(t *testing.T) {
			h := newHarness(t)
			res := h.Call("registerAnchor", summaryAnchor(), sdktest.As(caller))
			var an Anchor
			res.JSON(t, &an)
			in := summaryAnchor()
			want := Anchor{ID: in.ID, Patient: patientA, Hash: summaryHash, Location: in.Location, Class: in.Class,
				ContentType: in.ContentType, Custodian: Reference{Reference: "Organization/Hospital1MSP"}, Registered: t0}
			if !reflect.DeepEqual(an, want) {
				t.Fatalf("registerAnchor = %+v\nwant %+v", an, want)
			}
			var ev anchorEvent
			_ = json.Unmarshal(res.RequireEvent(t, evRecordAnchored), &ev)
			if ev != (anchorEvent{Patient: patientA, ID: in.ID, Hash: summaryHash, Custodian: "Organization/Hospital1MSP"}) {
				t.Errorf("RecordAnchored payload = %+v", ev)
			}
		})
	}
}

func TestAnchor_registerAnchor_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("registerAnchor", summaryAnchor(), sdktest.As(drOnDuty)).RequireOK(t)
	before := keysSnapshot(h)
	mod := func(f func(*anchorInput)) anchorInput { a := summaryAnchor(); a.ID = "doc-2"; f(&a); return a }
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   anchorInput
		want   string
	}{
		{"same id again (replay)", drOnDuty, summaryAnchor(), "already_exists: record doc-2026-000187 is already anchored for this patient; anchors never change"},
		{"patient", alice, mod(func(*anchorInput) {}), `permission_denied: registering a record anchor needs an admin, or a client with role clinician or provider (role attribute is "patient")`},
		{"researcher", researcher, mod(func(*anchorInput) {}), "permission_denied: registering a record anchor needs"},
		{"peer", h1Peer, mod(func(*anchorInput) {}), "permission_denied: registering a record anchor needs"},
		{"hash not hex", drOnDuty, mod(func(a *anchorInput) { a.Hash = "sha256:" + summaryHash[:57] }), "invalid_argument: hash must be a SHA-256 of 64 lowercase hex digits (got 64 characters)"},
		{"hash too short", drOnDuty, mod(func(a *anchorInput) { a.Hash = summaryHash[:40] }), "invalid_argument: hash must be a SHA-256 of 64 lowercase hex digits (got 40 characters)"},
		{"relative location", drOnDuty, mod(func(a *anchorInput) { a.Location = "/DocumentReference/doc-2" }), `invalid_argument: location "/DocumentReference/doc-2" is not an absolute URI (no scheme)`},
		{"credentials in location", drOnDuty, mod(func(a *anchorInput) { a.Location = "https://svc:hunter2@docs.hospital1.example.org/doc-2" }), "invalid_argument: location must not carry credentials (user info before '@')"},
		{"space in location", drOnDuty, mod(func(a *anchorInput) { a.Location = "https://docs.hospital1.example.org/doc 2" }), "invalid_argument: location \"https://docs.hospital1.example.org/doc 2\" contains a space"},
		{"bad class", drOnDuty, mod(func(a *anchorInput) { a.Class = Coding{System: sysLOINC, Code: "18842-4"} }), `invalid_argument: class: "18842-4" is not a LOINC code with a valid check digit`},
		{"bad content type", drOnDuty, mod(func(a *anchorInput) { a.ContentType = "fhir json" }), `invalid_argument: contentType "fhir json" is not a MIME type such as application/fhir+json`},
		{"bad id", drOnDuty, mod(func(a *anchorInput) { a.ID = "" }), "invalid_argument: id is required"},
		{"bad patient", drOnDuty, mod(func(a *anchorInput) { a.Patient = "Doe^Jane" }), "invalid_argument: patient must be a pseudonymous patient id of 64 lowercase hex digits (got 8 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("registerAnchor", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused registrations changed the ledger")
	}
}

func TestAnchor_verifyAnchor(t *testing.T) {
	h := newHarness(t)
	h.Call("registerAnchor", summaryAnchor(), sdktest.As(drOnDuty)).RequireOK(t)
	tampered := append([]byte{}, dischargeSummary...)
	tampered[len(tampered)-3] = '6'
	tests := []struct {
		name   string
		caller sdktest.Identity
		record []byte
		want   bool
	}{
		{"original, by another hospital", drHospital2, dischargeSummary, true},
		{"original, by the patient", alice, dischargeSummary, true},
		{"tampered copy", payer, tampered, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Verification
			res := h.Call("verifyAnchor", verifyArgs{Patient: patientA, ID: "doc-2026-000187", Hash: sha256Hex(tt.record)}, sdktest.As(tt.caller))
			res.JSON(t, &v)
			if v.Verified != tt.want || v.Anchor.Hash != summaryHash || v.Anchor.Custodian.Reference != "Organization/Hospital1MSP" {
				t.Errorf("verifyAnchor = %+v, want verified=%v", v, tt.want)
			}
			if len(res.Writes) != 0 || len(res.Events) != 0 {
				t.Errorf("verifyAnchor wrote %+v and emitted %d events; it is read-only", res.Writes, len(res.Events))
			}
		})
	}
}

func TestAnchor_verifyAnchor_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("registerAnchor", summaryAnchor(), sdktest.As(drOnDuty)).RequireOK(t)
	h.Call("verifyAnchor", verifyArgs{Patient: patientB, ID: "doc-2026-000187", Hash: summaryHash}).RequireError(t, "not_found: record doc-2026-000187 has no anchor for this patient")
	h.Call("verifyAnchor", verifyArgs{Patient: patientA, ID: "doc-1", Hash: summaryHash}).RequireError(t, "not_found: record doc-1 has no anchor for this patient")
	h.Call("verifyAnchor", verifyArgs{Patient: patientA, ID: "doc-2026-000187", Hash: "abc"}).RequireError(t, "invalid_argument: hash must be a SHA-256")
	h.Call("verifyAnchor", verifyArgs{Patient: patientA, ID: "doc 1", Hash: summaryHash}).RequireError(t, `invalid_argument: id "doc 1" may hold only`)
	h.Call("verifyAnchor", verifyArgs{Patient: "", ID: "doc-1", Hash: summaryHash}).RequireError(t, "invalid_argument: patient must be")
}
