package main

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// Test fixtures: real-shaped pseudonyms (salted SHA-256 as a hospital computes them), Fabric identities with the
// attributes the contract reads, and FHIR consents built from modifier functions.

func pseudonym(mrn string) string {
	sum := sha256.Sum256([]byte("hospital1-salt-2026|" + mrn))
	return hex.EncodeToString(sum[:])
}

var (
	patientA = pseudonym("MRN-00042871")
	patientB = pseudonym("MRN-00042872")

	// t0 is the time of most calls; consents and studies are valid around it.
	t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

	alice        = sdktest.NewIdentity("Hospital1MSP", "portal-user-1042", "client", map[string]string{"role": "patient", "patientId": patientA})
	bob          = sdktest.NewIdentity("Hospital1MSP", "portal-user-1043", "client", map[string]string{"role": "patient", "patientId": patientB})
	guardian     = sdktest.NewIdentity("Hospital1MSP", "portal-user-2001", "client", map[string]string{"role": "guardian"})
	drOnDuty     = sdktest.NewIdentity("Hospital1MSP", "ehr-user-4711", "client", map[string]string{"role": "clinician", "practitionerId": "pr-4711", "onDuty": "true"})
	drOffDuty    = sdktest.NewIdentity("Hospital1MSP", "ehr-user-4712", "client", map[string]string{"role": "clinician", "practitionerId": "pr-4712", "onDuty": "false"})
	drHospital2  = sdktest.NewIdentity("Hospital2MSP", "ehr-user-0815", "client", map[string]string{"role": "clinician", "practitionerId": "pr-4711", "onDuty": "true"})
	nurse        = sdktest.NewIdentity("Hospital1MSP", "ehr-user-5100", "client", map[string]string{"role": "nurse"})
	researcher   = sdktest.NewIdentity("UniResearchMSP", "res-user-77", "client", map[string]string{"role": "researcher"})
	siteResearch = sdktest.NewIdentity("Hospital2MSP", "res-user-12", "client", map[string]string{"role": "researcher"})
	payer        = sdktest.NewIdentity("InsurerMSP", "claims-svc", "client", map[string]string{"role": "payer"})
	regulator    = sdktest.NewIdentity("RegulatorMSP", "auditor-3", "client", map[string]string{"role": "regulator"})
	h1Admin      = sdktest.NewIdentity("Hospital1MSP", "registration-desk", "admin", nil)
	uniAdmin     = sdktest.NewIdentity("UniResearchMSP", "research-office", "admin", nil)
	h1Peer       = sdktest.NewIdentity("Hospital1MSP", "peer0", "peer", nil)
)

// identityHashOf is what a hospital computes off-chain to register a delegate.
func identityHashOf(id sdktest.Identity) string {
	sum := sha256.Sum256([]byte(id.ID))
	return hex.EncodeToString(sum[:])
}

func newHarness(t testing.TB) *sdktest.Harness {
	t.Helper()
	return sdktest.New(t, sdktest.Build(t, "."), sdktest.WithName("consent"), sdktest.WithTime(t0))
}

func cc(system, code string) CodeableConcept {
	return CodeableConcept{Coding: []Coding{{System: system, Code: code}}}
}

func purpose(code string) Coding         { return Coding{System: sysActReason, Code: code} }
func class(code string) Coding           { return Coding{System: sysResourceTypes, Code: code} }
func label(code string) Coding           { return Coding{System: sysActCode, Code: code} }
func action(code string) CodeableConcept { return cc(sysConsentAction, code) }

func actor(ref string) Actor {
	return Actor{Role: cc(sysParticipation, "PRCP"), Reference: Reference{Reference: ref}}
}

// consentOf returns an active patient-privacy consent of patient: base deny, with the given exceptions.
func consentOf(patient, id string, mods ...func(*consentInput)) consentInput {
	in := consentInput{
		ResourceType: "Consent",
		ID:           id,
		Status:       statusActive,
		Scope:        cc(sysConsentScope, scopePrivacy),
		Category:     []CodeableConcept{cc(sysLOINC, "59284-0")},
		Patient:      Reference{Reference: "Patient/" + patient},
		Organization: []Reference{{Reference: "Organization/Hospital1MSP"}},
		Policy:       []Policy{{Authority: "https://www.hhs.gov/hipaa", URI: "https://hospital1.example.org/policies/privacy-2026"}},
		PolicyRule:   &CodeableConcept{Coding: []Coding{{System: sysActCode, Code: "OPTIN"}}},
		Provision:    Provision{Type: deny},
	}
	for _, m := range mods {
		m(&in)
	}
	return in
}

// permitTreatmentBy adds the exception "permit access by ref for treatment".
func permitTreatmentBy(ref string) func(*consentInput) {
	return func(in *consentInput) {
		in.Provision.Provision = append(in.Provision.Provision, Provision{
			Type:    permit,
			Actor:   []Actor{actor(ref)},
			Action:  []CodeableConcept{action("access")},
			Purpose: []Coding{purpose(purposeTreat)},
		})
	}
}

func withProvision(p Provision) func(*consentInput) {
	return func(in *consentInput) { in.Provision = p }
}

func withStatus(s string) func(*consentInput) {
	return func(in *consentInput) { in.Status = s }
}

// granted is what grant stores for in when performed by performer at t.
func granted(t *testing.T, h *sdktest.Harness, in consentInput, by sdktest.Identity) Consent {
	t.Helper()
	var c Consent
	h.Call("grant", in, sdktest.As(by), sdktest.At(t0)).JSON(t, &c)
	return c
}

// studyOf is a real-shaped study: a diabetes registry study sponsored by UniResearchMSP with Hospital2MSP as site.
func studyOf(id string) studyInput {
	return studyInput{
		ID:             id,
		Title:          "HbA1c trajectories in type 2 diabetes",
		Purpose:        purpose("CLINTRCH"),
		Class:          []Coding{class("Observation"), class("MedicationStatement"), {System: sysLOINC, Code: "4548-4"}},
		EthicsApproval: EthicsApproval{Authority: "https://irb.uni-research.example.org", Reference: "IRB-2026-0142"},
		Period:         Period{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 12, 31, 23, 59, 59, 0, time.UTC)},
		Site:           []Reference{{Reference: "Organization/Hospital2MSP"}},
	}
}

// keysSnapshot lists every committed key of the contract, to show that a refused call changed nothing.
func keysSnapshot(h *sdktest.Harness) string {
	out := ""
	for _, k := range h.Keys("") {
		v, _ := h.Get(k)
		out += k + "=" + string(v) + "\n"
	}
	return out
}
