package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// accessLedger is a patient with a privacy consent: Hospital1 may access for treatment, except mental-health data;
// Dr pr-4711 of Hospital1 may also disclose; the insurer may use claims for payment.
func accessLedger(t *testing.T) *sdktest.Harness {
	h := newHarness(t)
	granted(t, h, consentOf(patientA, "privacy-2026", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: permit, Actor: []Actor{actor("Organization/Hospital1MSP")}, Action: []CodeableConcept{action("access")},
			Purpose: []Coding{purpose("TREAT")}, Provision: []Provision{{Type: deny, SecurityLabel: []Coding{label("PSY")}}}},
		{Type: permit, Actor: []Actor{actor("Practitioner/Hospital1MSP/pr-4711")}, Action: []CodeableConcept{action("disclose")}},
		{Type: permit, Actor: []Actor{actor("Organization/InsurerMSP")}, Action: []CodeableConcept{action("use")},
			Purpose: []Coding{purpose("HPAYMT")}, Class: []Coding{class("Claim"), class("ExplanationOfBenefit")}},
	}})), alice)
	return h
}

func TestAccess_check(t *testing.T) {
	h := accessLedger(t)
	obs := class("Observation")
	psy := []Coding{label("PSY")}
	tests := []struct {
		name      string
		caller    sdktest.Identity
		args      checkArgs
		decision  string
		basis     string
		provision string
	}{
		{"hospital1 treatment", drOffDuty, checkArgs{Action: "access", Purpose: "TREAT", Class: obs}, permit, basisSpecific, "provision.provision[0]"},
		{"hospital1 emergency (subsumed)", nurse, checkArgs{Action: "access", Purpose: "ETREAT", Class: obs}, permit, basisSpecific, "provision.provision[0]"},
		{"mental-health data excepted", drOffDuty, checkArgs{Action: "access", Purpose: "TREAT", Class: obs, SecurityLabel: psy}, deny, basisSpecific, "provision.provision[0].provision[0]"},
		{"hospital1 may not disclose", drOffDuty, checkArgs{Action: "disclose", Purpose: "TREAT", Class: obs}, deny, basisBase, "provision"},
		{"named practitioner may disclose", drOnDuty, checkArgs{Action: "disclose", Purpose: "TREAT", Class: obs}, permit, basisSpecific, "provision.provision[1]"},
		{"same practitioner id at hospital2", drHospital2, checkArgs{Action: "disclose", Purpose: "TREAT", Class: obs}, deny, basisBase, "provision"},
		{"hospital2 treatment", drHospital2, checkArgs{Action: "access", Purpose: "TREAT", Class: obs}, deny, basisBase, "provision"},
		{"insurer uses claims", payer, checkArgs{Action: "use", Purpose: "CLMATTCH", Class: class("Claim")}, permit, basisSpecific, "provision.provision[2]"},
		{"insurer wants observations", payer, checkArgs{Action: "use", Purpose: "HPAYMT", Class: obs}, deny, basisBase, "provision"},
		{"insurer marketing", payer, checkArgs{Action: "use", Purpose: "HMARKT", Class: class("Claim")}, deny, basisBase, "provision"},
		{"LOINC document class", drOffDuty, checkArgs{Action: "access", Purpose: "TREAT", Class: Coding{System: sysLOINC, Code: "18842-5"}}, permit, basisSpecific, "provision.provision[0]"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.args.Patient = patientA
			at := t0.Add(time.Duration(i) * time.Minute)
			res := h.Call("check", tt.args, sdktest.As(tt.caller), sdktest.At(at))
			var d DecisionResult
			res.JSON(t, &d)
			if d.Decision != tt.decision || d.Basis != tt.basis || d.DecidedBy == nil || d.DecidedBy.Provision != tt.provision ||
				d.DecidedBy.Consent != "privacy-2026" || d.DecidedBy.VersionID != "1" {
				t.Fatalf("check = %+v, want %s (%s) by %s", d, tt.decision, tt.basis, tt.provision)
			}
			if !strings.HasPrefix(d.AuditID, timeKey(at)+"/") {
				t.Errorf("auditId = %q, want it to start with the tx time", d.AuditID)
			}
			// The decision is in the audit trail, with who asked.
			var e AuditEntry
			if !h.GetJSON(prefixAudit+patientA+"/"+d.AuditID, &e) {
				t.Fatalf("no audit entry %s", d.AuditID)
			}
			role := tt.caller.Attrs["role"]
			want := AuditEntry{ID: d.AuditID, Patient: patientA, Recorded: at, TxID: e.TxID,
				Agent:  Agent{MSPID: tt.caller.MSPID, ID: tt.caller.ID, Role: role, PractitionerID: tt.caller.Attrs["practitionerId"]},
				Action: tt.args.Action, Purpose: tt.args.Purpose, Class: tt.args.Class, SecurityLabel: tt.args.SecurityLabel,
				Decision: d.Decision, Basis: d.Basis, DecidedBy: d.DecidedBy, Reason: d.Reason}
			if !reflect.DeepEqual(e, want) || len(e.TxID) != 64 {
				t.Errorf("audit entry = %+v\nwant %+v", e, want)
			}
			var ev accessEvent
			_ = json.Unmarshal(res.RequireEvent(t, evAccessDecision), &ev)
			if ev.Patient != patientA || ev.AuditID != d.AuditID || ev.Decision != d.Decision || ev.MSPID != tt.caller.MSPID {
				t.Errorf("AccessDecision payload = %+v", ev)
			}
			if len(res.Writes) != 1 {
				t.Errorf("check wrote %d keys, want the one audit entry", len(res.Writes))
			}
		})
	}
	// A patient without consents: deny, no provision.
	var d DecisionResult
	h.Call("check", checkArgs{Patient: patientB, Action: "access", Purpose: "TREAT", Class: obs}, sdktest.As(drOnDuty)).JSON(t, &d)
	if d.Decision != deny || d.Basis != basisNoConsent || d.DecidedBy != nil || d.Reason != "no active consent of the patient covers this request" {
		t.Errorf("check without consents = %+v", d)
	}
}

func TestAccess_check_dataPeriod(t *testing.T) {
	h := newHarness(t)
	y2025 := &Period{Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)}
	granted(t, h, consentOf(patientA, "c1", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: permit, Actor: []Actor{actor("Organization/Hospital2MSP")}, DataPeriod: y2025},
	}})), alice)
	tests := []struct {
		name     string
		data     *Period
		decision string
	}{
		{"data inside", &Period{Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}, permit},
		{"data spilling over", &Period{Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, deny},
		{"data of any time", nil, deny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d DecisionResult
			h.Call("check", checkArgs{Patient: patientA, Action: "access", Purpose: "TREAT", Class: class("Observation"), DataPeriod: tt.data}, sdktest.As(drHospital2)).JSON(t, &d)
			if d.Decision != tt.decision {
				t.Errorf("check = %+v, want %s", d, tt.decision)
			}
		})
	}
}

func TestAccess_check_Errors(t *testing.T) {
	h := accessLedger(t)
	before := keysSnapshot(h)
	ok := checkArgs{Patient: patientA, Action: "access", Purpose: "TREAT", Class: class("Observation")}
	mod := func(f func(*checkArgs)) checkArgs { a := ok; f(&a); return a }
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   any
		want   string
	}{
		{"patient is not staff", alice, ok, "permission_denied: check needs a staff identity of an organization: a client or admin whose role is not patient or guardian"},
		{"guardian is not staff", guardian, ok, "permission_denied: check needs a staff identity"},
		{"peer", h1Peer, ok, "permission_denied: check needs a staff identity"},
		{"bad patient", drOnDuty, mod(func(a *checkArgs) { a.Patient = "Jane Doe" }), "invalid_argument: patient must be a pseudonymous patient id of 64 lowercase hex digits (got 8 characters)"},
		{"unknown action", drOnDuty, mod(func(a *checkArgs) { a.Action = "read" }), `invalid_argument: action "read" is not a consent action (access, collect, correct, disclose, use)`},
		{"unknown purpose", drOnDuty, mod(func(a *checkArgs) { a.Purpose = "CURIOSITY" }), `invalid_argument: purpose "CURIOSITY" is not a v3 PurposeOfUse code known here`},
		{"unknown class", drOnDuty, mod(func(a *checkArgs) { a.Class = class("Observations") }), `invalid_argument: class: "Observations" is not a code of http://hl7.org/fhir/resource-types`},
		{"no class", drOnDuty, mod(func(a *checkArgs) { a.Class = Coding{} }), `invalid_argument: class: code system "" is not accepted here`},
		{"bad label", drOnDuty, mod(func(a *checkArgs) { a.SecurityLabel = []Coding{label("psy")} }), `invalid_argument: securityLabel[0]: "psy" is not a code`},
		{"dataPeriod reversed", drOnDuty, mod(func(a *checkArgs) { a.DataPeriod = &Period{Start: t0, End: t0.Add(-time.Hour)} }), "invalid_argument: dataPeriod: start"},
		{"unknown study", researcher, mod(func(a *checkArgs) { a.Purpose, a.Study = "HRESCH", "nope" }), "not_found: research study nope is not registered"},
		{"caller-supplied actor", drOnDuty, `{"patient":"` + patientA + `","action":"access","purpose":"TREAT","class":{"system":"http://hl7.org/fhir/resource-types","code":"Observation"},"actor":"Organization/Hospital1MSP"}`, `json: unknown field "actor"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("check", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused checks changed the ledger")
	}
}

func TestAccess_breakGlass(t *testing.T) {
	h := accessLedger(t)
	psy := []Coding{label("PSY")}
	tests := []struct {
		name            string
		caller          sdktest.Identity
		args            breakGlassArgs
		decision        string
		consentDecision string
	}{
		{"on duty, overriding a consent deny", drOnDuty, breakGlassArgs{Class: class("Observation"), SecurityLabel: psy}, permit, deny},
		{"on duty at another hospital", drHospital2, breakGlassArgs{Action: "access", Class: class("MedicationStatement")}, permit, deny},
		{"on duty, consents would permit", drOnDuty, breakGlassArgs{Class: class("AllergyIntolerance")}, permit, permit},
		{"off duty: refused and recorded", drOffDuty, breakGlassArgs{Class: class("Observation")}, deny, permit},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.args.Patient = patientA
			at := t0.Add(time.Duration(i) * time.Hour)
			res := h.Call("breakGlass", tt.args, sdktest.As(tt.caller), sdktest.At(at))
			var d DecisionResult
			res.JSON(t, &d)
			if d.Decision != tt.decision || d.Basis != basisBreakGlass || d.ConsentDecision != tt.consentDecision || d.DecidedBy != nil {
				t.Fatalf("breakGlass = %+v, want %s (consents: %s)", d, tt.decision, tt.consentDecision)
			}
			var e, report AuditEntry
			if !h.GetJSON(prefixAudit+patientA+"/"+d.AuditID, &e) || !h.GetJSON(prefixBreakGlass+patientA+"/"+d.AuditID, &report) || !reflect.DeepEqual(e, report) {
				t.Fatalf("audit entry %+v and break-glass report %+v differ or are missing", e, report)
			}
			if !e.BreakGlass || e.Purpose != purposeEmergency || e.Action != "access" || e.Agent.PractitionerID != tt.caller.Attrs["practitionerId"] || !e.Recorded.Equal(at) {
				t.Errorf("audit entry = %+v", e)
			}
			var ev accessEvent
			_ = json.Unmarshal(res.RequireEvent(t, evBreakGlass), &ev)
			if ev.Decision != tt.decision || ev.Purpose != purposeEmergency || ev.PractitionerID != tt.caller.Attrs["practitionerId"] || ev.ConsentDecision != tt.consentDecision {
				t.Errorf("BreakGlassAccess payload = %+v", ev)
			}
		})
	}
}

func TestAccess_breakGlass_Errors(t *testing.T) {
	h := accessLedger(t)
	before := keysSnapshot(h)
	noPID := sdktest.NewIdentity("Hospital1MSP", "ehr-user-9", "client", map[string]string{"role": "clinician", "onDuty": "true"})
	admin := sdktest.NewIdentity("Hospital1MSP", "ehr-admin", "admin", map[string]string{"role": "clinician", "practitionerId": "pr-1", "onDuty": "true"})
	ok := breakGlassArgs{Patient: patientA, Class: class("Observation")}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   any
		want   string
	}{
		{"nurse", nurse, ok, `permission_denied: break-glass needs a clinician (client identity with attribute role=clinician); the caller's role attribute is "nurse"`},
		{"patient", alice, ok, "permission_denied: break-glass needs a clinician"},
		{"admin NodeOU", admin, ok, "permission_denied: break-glass needs a clinician"},
		{"no practitionerId", noPID, ok, "permission_denied: break-glass needs the caller's practitionerId attribute"},
		{"bad patient", drOnDuty, breakGlassArgs{Patient: "0", Class: class("Observation")}, "invalid_argument: patient must be"},
		{"bad class", drOnDuty, breakGlassArgs{Patient: patientA, Class: class("Chart")}, `invalid_argument: class: "Chart" is not a code`},
		{"bad action", drOnDuty, breakGlassArgs{Patient: patientA, Action: "delete", Class: class("Observation")}, `invalid_argument: action "delete" is not a consent action`},
		{"purpose is not an argument", drOnDuty, `{"patient":"` + patientA + `","purpose":"TREAT","class":{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}}`, `json: unknown field "purpose"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("breakGlass", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused break-glass calls changed the ledger")
	}
}

func TestAccess_auditTrail(t *testing.T) {
	h := accessLedger(t)
	obs := class("Observation")
	// Five checks an hour apart, a break-glass in between.
	var ids []string
	for i := range 5 {
		var d DecisionResult
		h.Call("check", checkArgs{Patient: patientA, Action: "access", Purpose: "TREAT", Class: obs}, sdktest.As(drHospital2), sdktest.At(t0.Add(time.Duration(i)*time.Hour))).JSON(t, &d)
		ids = append(ids, d.AuditID)
		if i == 2 {
			h.Call("breakGlass", breakGlassArgs{Patient: patientA, Class: obs}, sdktest.As(drHospital2), sdktest.At(t0.Add(150*time.Minute))).JSON(t, &d)
			ids = append(ids, d.AuditID)
		}
	}
	// Another patient's trail is separate.
	h.Call("check", checkArgs{Patient: patientB, Action: "access", Purpose: "TREAT", Class: obs}, sdktest.As(drHospital2)).RequireOK(t)

	read := func(a auditArgs, caller sdktest.Identity) ([]string, string) {
		t.Helper()
		var p AuditPage
		h.Call("auditTrail", a, sdktest.As(caller)).JSON(t, &p)
		var got []string
		for _, e := range p.Entries {
			got = append(got, e.ID)
		}
		return got, p.Bookmark
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   auditArgs
		want   []string
	}{
		{"patient reads all in time order", alice, auditArgs{Patient: patientA}, ids},
		{"regulator reads all", regulator, auditArgs{Patient: patientA}, ids},
		{"break-glass report", alice, auditArgs{Patient: patientA, BreakGlassOnly: true}, ids[3:4]},
		{"from (inclusive)", alice, auditArgs{Patient: patientA, From: t0.Add(2 * time.Hour)}, ids[2:]},
		{"to (inclusive)", alice, auditArgs{Patient: patientA, To: t0.Add(time.Hour)}, ids[:2]},
		{"window", alice, auditArgs{Patient: patientA, From: t0.Add(2 * time.Hour), To: t0.Add(3 * time.Hour)}, ids[2:5]},
		{"empty window", alice, auditArgs{Patient: patientA, From: t0.Add(-2 * time.Hour), To: t0.Add(-time.Hour)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bm := read(tt.args, tt.caller)
			if !reflect.DeepEqual(got, tt.want) || bm != "" {
				t.Errorf("auditTrail = %q (bookmark %q), want %q", got, bm, tt.want)
			}
		})
	}
	t.Run("paging", func(t *testing.T) {
		var all []string
		a := auditArgs{Patient: patientA, PageSize: 4}
		for range 3 {
			got, bm := read(a, alice)
			all = append(all, got...)
			if bm == "" {
				break
			}
			a.Bookmark = bm
		}
		if !reflect.DeepEqual(all, ids) {
			t.Errorf("paged auditTrail = %q, want %q", all, ids)
		}
	})
}

func TestAccess_auditTrail_Errors(t *testing.T) {
	h := accessLedger(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   auditArgs
		want   string
	}{
		{"clinician", drOnDuty, auditArgs{Patient: patientA}, "permission_denied: the audit trail may be read by the patient, their delegates and regulators (attribute role=regulator)"},
		{"other patient", bob, auditArgs{Patient: patientA}, "permission_denied: the audit trail may be read by"},
		{"admin", h1Admin, auditArgs{Patient: patientA}, "permission_denied: the audit trail may be read by"},
		{"from after to", alice, auditArgs{Patient: patientA, From: t0, To: t0.Add(-time.Second)}, "invalid_argument: from 2026-03-02T09:30:00Z is after to 2026-03-02T09:29:59Z"},
		{"page too big", alice, auditArgs{Patient: patientA, PageSize: 101}, "invalid_argument: pageSize 101 is not between 1 and 100"},
		{"negative page", alice, auditArgs{Patient: patientA, PageSize: -1}, "invalid_argument: pageSize -1 is not between 1 and 100"},
		{"bad patient", alice, auditArgs{Patient: "ABC"}, "invalid_argument: patient must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("auditTrail", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}
