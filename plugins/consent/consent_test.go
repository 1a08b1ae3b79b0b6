package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestConsent_grant(t *testing.T) {
	h := newHarness(t)
	in := consentOf(patientA, "c-2026-0001", permitTreatmentBy("Organization/Hospital1MSP"))
	res := h.Call("grant", in, sdktest.As(alice))
	var c Consent
	res.JSON(t, &c)
	want := Consent{ResourceType: "Consent", ID: in.ID, Meta: Meta{VersionID: "1", LastUpdated: t0, Source: "urn:medledger:msp:Hospital1MSP"},
		Status: statusActive, Scope: in.Scope, Category: in.Category, Patient: in.Patient, DateTime: t0,
		Performer: []Reference{{Reference: "Patient/" + patientA}}, Organization: in.Organization, Policy: in.Policy,
		PolicyRule: in.PolicyRule, Provision: in.Provision}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("grant returned\n%+v\nwant\n%+v", c, want)
	}
	var cur, v1 Consent
	if !h.GetJSON(consentKey(patientA, in.ID), &cur) || !reflect.DeepEqual(cur, want) {
		t.Errorf("stored consent = %+v", cur)
	}
	if !h.GetJSON(historyKey(patientA, in.ID, 1), &v1) || !reflect.DeepEqual(v1, want) {
		t.Errorf("history version 1 = %+v", v1)
	}
	var ev consentEvent
	if err := json.Unmarshal(res.RequireEvent(t, evConsentGranted), &ev); err != nil {
		t.Fatal(err)
	}
	if ev != (consentEvent{Patient: patientA, ID: in.ID, VersionID: "1", Status: statusActive, Scope: scopePrivacy, Performer: "Patient/" + patientA}) {
		t.Errorf("ConsentGranted payload = %+v", ev)
	}

	// A draft, a rejected consent, and the same id for another patient are all fine.
	granted(t, h, consentOf(patientA, "c-draft", withStatus(statusDraft)), alice)
	granted(t, h, consentOf(patientA, "c-rejected", withStatus(statusRejected)), alice)
	granted(t, h, consentOf(patientB, in.ID), bob)
	// Real-shaped category codings from the other accepted systems.
	granted(t, h, consentOf(patientA, "c-cats", func(in *consentInput) {
		in.Category = []CodeableConcept{cc(sysConsentCategory, "npp"), {Coding: []Coding{{System: sysActCode, Code: "IDSCL"}, {System: sysLOINC, Code: "64292-6"}}}}
		in.Policy, in.PolicyRule = nil, &CodeableConcept{Coding: []Coding{{System: sysActCode, Code: "OPTOUT"}}}
	}), alice)
}

func TestConsent_grant_Errors(t *testing.T) {
	h := newHarness(t)
	granted(t, h, consentOf(patientA, "c1"), alice)
	h.Call("registerStudy", studyOf("dm2-registry"), sdktest.As(uniAdmin)).RequireOK(t)
	before := keysSnapshot(h)

	mod := func(mods ...func(*consentInput)) consentInput { return consentOf(patientA, "c2", mods...) }
	deep := Provision{Type: deny}
	for range maxDepth + 1 {
		deep = Provision{Type: permit, Provision: []Provision{deep}}
	}
	// 32 exceptions (the list limit) of two exceptions each: 97 provisions, the 65th is provision[21].
	wide := Provision{Type: deny}
	for range maxListLen {
		wide.Provision = append(wide.Provision, Provision{Type: permit, Provision: []Provision{{Type: deny}, {Type: deny}}})
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   any
		want   string
	}{
		{"duplicate id (replay)", alice, consentOf(patientA, "c1"), "already_exists: consent c1 already exists for this patient (use update)"},
		{"someone else's patient", bob, mod(), "permission_denied: grant: the caller's patientId attribute does not name this patient"},
		{"clinician", drOnDuty, mod(), `permission_denied: grant needs the patient (attribute role=patient) or a registered delegate (role=guardian); the caller's role attribute is "clinician"`},
		{"unregistered guardian", guardian, mod(), "permission_denied: grant: the caller is not a registered delegate of this patient"},
		{"admin", h1Admin, mod(), `permission_denied: grant needs a client identity of the patient or their delegate (NodeOU is "admin")`},
		{"malformed patient", alice, mod(func(in *consentInput) { in.Patient.Reference = "Patient/Jane-Doe-1970" }), "invalid_argument: patient must be a pseudonymous patient id of 64 lowercase hex digits (got 13 characters)"},
		{"uppercase patient hex", alice, mod(func(in *consentInput) { in.Patient.Reference = "Patient/" + strings.ToUpper(patientA) }), "invalid_argument: patient must be a pseudonymous patient id"},
		{"patient not a reference", alice, mod(func(in *consentInput) { in.Patient.Reference = patientA }), "invalid_argument: patient must be a reference Patient/<pseudonymous id>"},
		{"bad id", alice, mod(func(in *consentInput) { in.ID = "c 1" }), `invalid_argument: id "c 1" may hold only letters, digits, '-' and '.' (FHIR id)`},
		{"reserved id", alice, consentOf(patientA, "research-dm2-registry"), `invalid_argument: id "research-dm2-registry": ids starting with "research-" are reserved for research opt-in (use optIn)`},
		{"wrong resourceType", alice, mod(func(in *consentInput) { in.ResourceType = "Patient" }), `invalid_argument: resourceType is "Patient", want Consent`},
		{"unknown status", alice, mod(withStatus("approved")), `invalid_argument: status "approved" is not a FHIR ConsentState`},
		{"created inactive", alice, mod(withStatus(statusInactive)), `invalid_argument: a new consent's status must be one of active, draft, proposed, rejected, not "inactive"`},
		{"unknown scope", alice, mod(func(in *consentInput) { in.Scope = cc(sysConsentScope, "privacy") }), `invalid_argument: scope.coding[0]: "privacy" is not a code of http://terminology.hl7.org/CodeSystem/consentscope accepted here (accepted: adr, patient-privacy, research, treatment)`},
		{"two scopes", alice, mod(func(in *consentInput) {
			in.Scope.Coding = append(in.Scope.Coding, Coding{System: sysConsentScope, Code: scopeTreatment})
		}), "invalid_argument: scope needs exactly one coding"},
		{"no category", alice, mod(func(in *consentInput) { in.Category = nil }), "invalid_argument: category needs at least 1 entry"},
		{"LOINC check digit", alice, mod(func(in *consentInput) { in.Category = []CodeableConcept{cc(sysLOINC, "59284-1")} }), `invalid_argument: category[0].coding[0]: "59284-1" is not a LOINC code with a valid check digit`},
		{"unknown category system", alice, mod(func(in *consentInput) { in.Category = []CodeableConcept{cc("http://snomed.info/sct", "371537001")} }), `invalid_argument: category[0].coding[0]: code system "http://snomed.info/sct" is not accepted here`},
		{"organization not a reference", alice, mod(func(in *consentInput) { in.Organization = []Reference{{Reference: "Hospital1MSP"}} }), `invalid_argument: organization[0] "Hospital1MSP" is not Organization/<mspId>`},
		{"no policy (ppc-1)", alice, mod(func(in *consentInput) { in.Policy, in.PolicyRule = nil, nil }), "invalid_argument: a consent needs a policy or a policyRule (FHIR invariant ppc-1)"},
		{"relative policy uri", alice, mod(func(in *consentInput) { in.Policy = []Policy{{URI: "policies/privacy"}} }), `invalid_argument: policy[0].uri "policies/privacy" is not an absolute URI (no scheme)`},
		{"credentials in policy uri", alice, mod(func(in *consentInput) { in.Policy = []Policy{{URI: "https://svc:s3cret@hospital1.example.org/p"}} }), "invalid_argument: policy[0].uri must not carry credentials"},
		{"empty policy", alice, mod(func(in *consentInput) { in.Policy = []Policy{{}} }), "invalid_argument: policy[0] needs an authority or a uri"},
		{"bad policyRule", alice, mod(func(in *consentInput) {
			in.PolicyRule = &CodeableConcept{Coding: []Coding{{System: sysActCode, Code: "OPTMAYBE"}}}
		}), `invalid_argument: policyRule.coding[0]: "OPTMAYBE" is not a code`},
		{"provision without type", alice, mod(withProvision(Provision{})), `invalid_argument: provision.type "" is not permit or deny`},
		{"nested provision without type", alice, mod(withProvision(Provision{Type: deny, Provision: []Provision{{Type: deny}, {Type: "allow"}}})), `invalid_argument: provision.provision[1].type "allow" is not permit or deny`},
		{"purpose typo", alice, mod(withProvision(Provision{Type: deny, Provision: []Provision{{Type: permit, Purpose: []Coding{purpose("TRAET")}}}})), `invalid_argument: provision.provision[0].purpose[0]: "TRAET" is not a v3 PurposeOfUse code known here`},
		{"purpose system", alice, mod(withProvision(Provision{Type: deny, Purpose: []Coding{{System: sysActCode, Code: "TREAT"}}})), `invalid_argument: provision.purpose[0]: code system "http://terminology.hl7.org/CodeSystem/v3-ActCode" is not http://terminology.hl7.org/CodeSystem/v3-ActReason`},
		{"unknown action", alice, mod(withProvision(Provision{Type: deny, Action: []CodeableConcept{action("delete")}})), `invalid_argument: provision.action[0].coding[0]: "delete" is not a code of http://terminology.hl7.org/CodeSystem/consentaction accepted here (accepted: access, collect, correct, disclose, use)`},
		{"unknown class", alice, mod(withProvision(Provision{Type: deny, Class: []Coding{class("Observations")}})), `invalid_argument: provision.class[0]: "Observations" is not a code of http://hl7.org/fhir/resource-types accepted here`},
		{"unknown security label", alice, mod(withProvision(Provision{Type: deny, SecurityLabel: []Coding{label("SECRET")}})), `invalid_argument: provision.securityLabel[0]: "SECRET" is not a code of`},
		{"actor role", alice, mod(withProvision(Provision{Type: deny, Actor: []Actor{{Role: cc(sysParticipation, "BOSS"), Reference: Reference{Reference: "Organization/Hospital1MSP"}}}})), `invalid_argument: provision.actor[0].role.coding[0]: "BOSS" is not a code`},
		{"actor reference kind", alice, mod(permitTreatmentBy("Patient/" + patientB)), `invalid_argument: provision.provision[0].actor[0].reference "Patient/` + patientB + `" is not Organization/<mspId>`},
		{"practitioner without organization", alice, mod(permitTreatmentBy("Practitioner/pr-4711")), `invalid_argument: provision.provision[0].actor[0].reference "Practitioner/pr-4711": a practitioner reference is Practitioner/<mspId>/<practitionerId>`},
		{"unknown study actor", alice, mod(permitTreatmentBy("ResearchStudy/no-such-study")), `not_found: provision.provision[0].actor[0].reference: research study "no-such-study" is not registered`},
		{"period reversed", alice, mod(withProvision(Provision{Type: deny, Period: &Period{Start: t0, End: t0.Add(-time.Hour)}})), "invalid_argument: provision.period: start 2026-03-02T09:30:00Z is after end 2026-03-02T08:30:00Z"},
		{"dataPeriod reversed", alice, mod(withProvision(Provision{Type: deny, DataPeriod: &Period{Start: t0, End: t0.Add(-time.Hour)}})), "invalid_argument: provision.dataPeriod: start"},
		{"too deep", alice, mod(withProvision(deep)), "invalid_argument: provision" + strings.Repeat(".provision[0]", maxDepth+1) + ": provisions may nest at most 8 levels"},
		{"too many provisions", alice, mod(withProvision(wide)), "invalid_argument: provision.provision[21]: a consent may hold at most 64 provisions"},
		{"unknown field", alice, `{"id":"c2","status":"active","dateTime":"2026-01-01T00:00:00Z"}`, `invalid_argument: cannot decode arguments of "grant": json: unknown field "dateTime"`},
		{"bad time", alice, `{"id":"c2","provision":{"type":"deny","period":{"start":"2026-13-01"}}}`, `invalid_argument: cannot decode arguments of "grant"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("grant", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused grants changed the ledger:\n%s\nwant\n%s", after, before)
	}
}

func TestConsent_update(t *testing.T) {
	h := newHarness(t)
	in := consentOf(patientA, "c1", withStatus(statusDraft))
	granted(t, h, in, alice)

	// draft → active, with a new exception; then active → active with another one.
	in.Status = statusActive
	permitTreatmentBy("Organization/Hospital1MSP")(&in)
	var c Consent
	res := h.Call("update", updateArgs{consentInput: in, VersionID: "1"}, sdktest.As(alice), sdktest.At(t0.Add(time.Hour)))
	res.JSON(t, &c)
	if c.Meta.VersionID != "2" || c.Status != statusActive || !c.DateTime.Equal(t0.Add(time.Hour)) || len(c.Provision.Provision) != 1 {
		t.Fatalf("update returned %+v", c)
	}
	var ev consentEvent
	_ = json.Unmarshal(res.RequireEvent(t, evConsentUpdated), &ev)
	if ev.PreviousStatus != statusDraft || ev.Status != statusActive || ev.VersionID != "2" {
		t.Errorf("ConsentUpdated payload = %+v", ev)
	}
	permitTreatmentBy("Organization/Hospital2MSP")(&in)
	h.Call("update", updateArgs{consentInput: in, VersionID: "2"}, sdktest.As(alice)).JSON(t, &c)
	if c.Meta.VersionID != "3" || len(c.Provision.Provision) != 2 {
		t.Fatalf("second update returned %+v", c)
	}
	// Every version stays readable.
	for v, want := range map[int]string{1: statusDraft, 2: statusActive, 3: statusActive} {
		var old Consent
		if !h.GetJSON(historyKey(patientA, "c1", v), &old) || old.Status != want || old.Meta.VersionID != string(rune('0'+v)) {
			t.Errorf("history version %d = %+v", v, old)
		}
	}
	// active → entered-in-error is allowed (and final).
	in.Status = statusEnteredInError
	h.Call("update", updateArgs{consentInput: in, VersionID: "3"}, sdktest.As(alice)).JSON(t, &c)
	if c.Status != statusEnteredInError {
		t.Errorf("status = %s", c.Status)
	}
}

func TestConsent_update_Errors(t *testing.T) {
	h := newHarness(t)
	in := consentOf(patientA, "c1")
	granted(t, h, in, alice)
	final := consentOf(patientA, "c-rej", withStatus(statusRejected))
	granted(t, h, final, alice)
	h.Call("registerStudy", studyOf("s1"), sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("optIn", participationArgs{Patient: patientA, Study: "s1"}, sdktest.As(alice)).RequireOK(t)
	h.Call("update", updateArgs{consentInput: in, VersionID: "1"}, sdktest.As(alice)).RequireOK(t)
	before := keysSnapshot(h)

	draft := in
	draft.Status = statusDraft
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   any
		want   string
	}{
		{"replayed update (stale version)", alice, updateArgs{consentInput: in, VersionID: "1"}, "failed_precondition: consent c1 is at version 2; this update was made from version 1"},
		{"version zero", alice, updateArgs{consentInput: in, VersionID: "0"}, `invalid_argument: versionId "0" is not a version this contract writes`},
		{"version with a leading zero", alice, updateArgs{consentInput: in, VersionID: "02"}, `invalid_argument: versionId "02" is not a version`},
		{"missing version", alice, updateArgs{consentInput: in}, `invalid_argument: versionId "" is not a version`},
		{"unknown consent", alice, updateArgs{consentInput: consentOf(patientA, "c9"), VersionID: "1"}, "not_found: consent c9 does not exist for this patient"},
		{"active back to draft", alice, updateArgs{consentInput: draft, VersionID: "2"}, "failed_precondition: consent c1 is active and cannot become draft (allowed: active, entered-in-error, inactive)"},
		{"final status", alice, updateArgs{consentInput: final, VersionID: "1"}, "failed_precondition: consent c-rej is rejected, which is final; grant a new consent instead"},
		{"research consent", alice, updateArgs{consentInput: consentOf(patientA, "research-s1"), VersionID: "1"}, "invalid_argument: consent research-s1 is a research opt-in; use optIn and optOut"},
		{"other patient", bob, updateArgs{consentInput: in, VersionID: "2"}, "permission_denied: update: the caller's patientId attribute does not name this patient"},
		{"hospital admin", h1Admin, updateArgs{consentInput: in, VersionID: "2"}, "permission_denied: update needs a client identity"},
		{"invalid content", alice, updateArgs{consentInput: consentOf(patientA, "c1", withProvision(Provision{Type: "maybe"})), VersionID: "2"}, `invalid_argument: provision.type "maybe" is not permit or deny`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("update", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused updates changed the ledger")
	}
}

func TestConsent_revoke(t *testing.T) {
	h := newHarness(t)
	granted(t, h, consentOf(patientA, "c1", permitTreatmentBy("Organization/Hospital1MSP")), alice)
	var c Consent
	res := h.Call("revoke", consentRef{Patient: patientA, ID: "c1", VersionID: "1"}, sdktest.As(alice), sdktest.At(t0.Add(time.Hour)))
	res.JSON(t, &c)
	if c.Status != statusInactive || c.Meta.VersionID != "2" || !c.Meta.LastUpdated.Equal(t0.Add(time.Hour)) || !c.DateTime.Equal(t0) {
		t.Errorf("revoke returned %+v", c)
	}
	var ev consentEvent
	_ = json.Unmarshal(res.RequireEvent(t, evConsentRevoked), &ev)
	if ev.Status != statusInactive || ev.PreviousStatus != statusActive {
		t.Errorf("ConsentRevoked payload = %+v", ev)
	}
	// The revoked consent no longer permits.
	var d DecisionResult
	h.Call("check", checkArgs{Patient: patientA, Action: "access", Purpose: "TREAT", Class: class("Observation")}, sdktest.As(drOnDuty)).JSON(t, &d)
	if d.Decision != deny || d.Basis != basisNoConsent {
		t.Errorf("check after revoke = %+v", d)
	}
	// Revoking without a version works too.
	granted(t, h, consentOf(patientA, "c2"), alice)
	h.Call("revoke", consentRef{Patient: patientA, ID: "c2"}, sdktest.As(alice)).RequireOK(t)
}

func TestConsent_revoke_Errors(t *testing.T) {
	h := newHarness(t)
	granted(t, h, consentOf(patientA, "c1"), alice)
	granted(t, h, consentOf(patientA, "c-draft", withStatus(statusDraft)), alice)
	h.Call("update", updateArgs{consentInput: consentOf(patientA, "c1"), VersionID: "1"}, sdktest.As(alice)).RequireOK(t)
	before := keysSnapshot(h)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   consentRef
		want   string
	}{
		{"stale version", alice, consentRef{Patient: patientA, ID: "c1", VersionID: "1"}, "failed_precondition: consent c1 is at version 2; this revocation was made from version 1"},
		{"not active", alice, consentRef{Patient: patientA, ID: "c-draft"}, "failed_precondition: consent c-draft is draft; only an active consent can be revoked"},
		{"unknown", alice, consentRef{Patient: patientA, ID: "nope"}, "not_found: consent nope does not exist for this patient"},
		{"clinician", drOnDuty, consentRef{Patient: patientA, ID: "c1"}, "permission_denied: revoke needs the patient"},
		{"other patient", bob, consentRef{Patient: patientA, ID: "c1"}, "permission_denied: revoke: the caller's patientId attribute does not name this patient"},
		{"bad patient", alice, consentRef{Patient: "42", ID: "c1"}, "invalid_argument: patient must be a pseudonymous patient id of 64 lowercase hex digits (got 2 characters)"},
		{"bad version", alice, consentRef{Patient: patientA, ID: "c1", VersionID: "v2"}, `invalid_argument: versionId "v2" is not a version`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("revoke", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused revocations changed the ledger")
	}
	// Revoking twice: the second is a replay and fails.
	h.Call("revoke", consentRef{Patient: patientA, ID: "c1"}, sdktest.As(alice)).RequireOK(t)
	h.Call("revoke", consentRef{Patient: patientA, ID: "c1"}, sdktest.As(alice)).RequireError(t, "failed_precondition: consent c1 is inactive; only an active consent can be revoked")
}

func TestConsent_get(t *testing.T) {
	h := newHarness(t)
	in := consentOf(patientA, "c1")
	granted(t, h, in, alice)
	h.Call("revoke", consentRef{Patient: patientA, ID: "c1"}, sdktest.As(alice)).RequireOK(t)
	tests := []struct {
		name    string
		caller  sdktest.Identity
		version string
		status  string
	}{
		{"patient, current", alice, "", statusInactive},
		{"patient, version 1", alice, "1", statusActive},
		{"member of a named organization", drOffDuty, "", statusInactive},
		{"admin of a named organization", h1Admin, "2", statusInactive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Consent
			h.Call("get", consentRef{Patient: patientA, ID: "c1", VersionID: tt.version}, sdktest.As(tt.caller)).JSON(t, &c)
			if c.ID != "c1" || c.Status != tt.status {
				t.Errorf("get = %+v, want status %s", c, tt.status)
			}
		})
	}
}

func TestConsent_get_Errors(t *testing.T) {
	h := newHarness(t)
	granted(t, h, consentOf(patientA, "c1"), alice)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   consentRef
		want   string
	}{
		{"organization not named", drHospital2, consentRef{Patient: patientA, ID: "c1"}, "permission_denied: consent c1 may be read by the patient, their delegates and staff of the organizations it names"},
		{"peer of a named organization", h1Peer, consentRef{Patient: patientA, ID: "c1"}, "permission_denied"},
		{"other patient at a named organization", bob, consentRef{Patient: patientA, ID: "c1"}, "permission_denied: consent c1 may be read by"},
		{"unknown", alice, consentRef{Patient: patientA, ID: "c2"}, "not_found: consent c2 does not exist for this patient"},
		{"unknown version", alice, consentRef{Patient: patientA, ID: "c1", VersionID: "7"}, "not_found: consent c1 has no version 7 for this patient"},
		{"bad id", alice, consentRef{Patient: patientA, ID: strings.Repeat("c", 65)}, "invalid_argument: id \"cccccccccccccccccccc\"... is 65 characters, longer than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("get", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	h.Put(consentKey(patientA, "broken"), "{not json")
	h.Call("get", consentRef{Patient: patientA, ID: "broken"}, sdktest.As(alice)).RequireError(t, `internal: state key "`+consentKey(patientA, "broken")+`" does not hold the expected JSON`)
}

func TestConsent_list(t *testing.T) {
	h := newHarness(t)
	granted(t, h, consentOf(patientA, "c2"), alice)
	granted(t, h, consentOf(patientA, "c1", func(in *consentInput) {
		in.Organization = append(in.Organization, Reference{Reference: "Organization/Hospital2MSP"})
	}), alice)
	granted(t, h, consentOf(patientA, "c3", withStatus(statusDraft)), alice)
	granted(t, h, consentOf(patientB, "c1"), bob)
	ids := func(cs []Consent) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   listArgs
		want   string
	}{
		{"patient sees all, in id order", alice, listArgs{Patient: patientA}, "c1,c2,c3"},
		{"filtered by status", alice, listArgs{Patient: patientA, Status: statusDraft}, "c3"},
		{"named organization sees its consents", drOffDuty, listArgs{Patient: patientA}, "c1,c2,c3"},
		{"other organization sees only consents naming it", drHospital2, listArgs{Patient: patientA}, "c1"},
		{"unrelated organization sees none", payer, listArgs{Patient: patientA}, ""},
		{"no consents", alice, listArgs{Patient: patientA, Status: statusRejected}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs []Consent
			h.Call("list", tt.args, sdktest.As(tt.caller)).JSON(t, &cs)
			if got := ids(cs); got != tt.want {
				t.Errorf("list = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConsent_list_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("list", listArgs{Patient: patientA}, sdktest.As(h1Peer)).RequireError(t, "permission_denied: listing consents needs the patient, a delegate, or staff of an organization")
	h.Call("list", listArgs{Patient: patientA}, sdktest.As(bob)).RequireError(t, "permission_denied: listing consents needs the patient, a delegate, or staff")
	h.Call("list", listArgs{Patient: patientA, Status: "revoked"}, sdktest.As(alice)).RequireError(t, `invalid_argument: status "revoked" is not a FHIR ConsentState`)
	h.Call("list", listArgs{Patient: ""}, sdktest.As(alice)).RequireError(t, "invalid_argument: patient must be a pseudonymous patient id")
}
