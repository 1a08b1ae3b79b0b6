package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestResearch_registerStudy(t *testing.T) {
	h := newHarness(t)
	in := studyOf("dm2-registry")
	res := h.Call("registerStudy", in, sdktest.As(uniAdmin))
	var s Study
	res.JSON(t, &s)
	want := Study{ResourceType: "ResearchStudy", ID: in.ID, Title: in.Title, Status: studyActive,
		Sponsor: Reference{Reference: "Organization/UniResearchMSP"}, Site: in.Site, Period: in.Period, Purpose: in.Purpose,
		Class: in.Class, EthicsApproval: in.EthicsApproval, Registered: t0}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("registerStudy = %+v\nwant %+v", s, want)
	}
	var stored Study
	if !h.GetJSON(studyKey(in.ID), &stored) || !reflect.DeepEqual(stored, want) {
		t.Errorf("stored study = %+v", stored)
	}
	var ev studyEvent
	_ = json.Unmarshal(res.RequireEvent(t, evStudyRegistered), &ev)
	if ev != (studyEvent{ID: in.ID, Status: studyActive, Sponsor: "Organization/UniResearchMSP"}) {
		t.Errorf("StudyRegistered payload = %+v", ev)
	}
	// getStudy, for any member.
	for _, caller := range []sdktest.Identity{alice, researcher, h1Admin} {
		var got Study
		h.Call("getStudy", studyRef{ID: in.ID}, sdktest.As(caller)).JSON(t, &got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("getStudy as %s = %+v", caller.Subject, got)
		}
	}
}

func TestResearch_registerStudy_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("registerStudy", studyOf("s1"), sdktest.As(uniAdmin)).RequireOK(t)
	before := keysSnapshot(h)
	mod := func(f func(*studyInput)) studyInput { s := studyOf("s2"); f(&s); return s }
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   studyInput
		want   string
	}{
		{"already registered", uniAdmin, studyOf("s1"), "already_exists: study s1 is already registered"},
		{"researcher, not admin", researcher, studyOf("s2"), `permission_denied: registering a study needs an admin of the sponsoring organization (NodeOU is "client")`},
		{"id too long for its opt-in consent", uniAdmin, studyOf(strings.Repeat("s", maxStudyID+1)), "invalid_argument: id \"ssssssssssssssssssss\"... is 56 characters, longer than 55"},
		{"not research", uniAdmin, mod(func(s *studyInput) { s.Purpose = purpose("TREAT") }), "invalid_argument: purpose TREAT is not research (HRESCH or a specialisation of it)"},
		{"unknown purpose", uniAdmin, mod(func(s *studyInput) { s.Purpose = purpose("RESEARCH") }), `invalid_argument: purpose: "RESEARCH" is not a v3 PurposeOfUse code known here`},
		{"no classes", uniAdmin, mod(func(s *studyInput) { s.Class = nil }), "invalid_argument: class needs at least 1 entry"},
		{"bad class", uniAdmin, mod(func(s *studyInput) { s.Class = []Coding{{System: sysLOINC, Code: "4548-3"}} }), `invalid_argument: class[0]: "4548-3" is not a LOINC code with a valid check digit`},
		{"no ethics authority", uniAdmin, mod(func(s *studyInput) { s.EthicsApproval.Authority = "" }), "invalid_argument: ethicsApproval.authority is required"},
		{"bad ethics reference", uniAdmin, mod(func(s *studyInput) { s.EthicsApproval.Reference = "IRB 2026/0142" }), `invalid_argument: ethicsApproval.reference "IRB 2026/0142" may hold only`},
		{"open-ended", uniAdmin, mod(func(s *studyInput) { s.Period.End = time.Time{} }), "invalid_argument: period needs a start and an end (the span of the ethics approval)"},
		{"period reversed", uniAdmin, mod(func(s *studyInput) { s.Period.Start, s.Period.End = s.Period.End, s.Period.Start }), "invalid_argument: period: start 2027-12-31T23:59:59Z is after end 2026-01-01T00:00:00Z"},
		{"already over", uniAdmin, mod(func(s *studyInput) { s.Period.End = t0.Add(-24 * time.Hour) }), "failed_precondition: period ends 2026-03-01T09:30:00Z, before now (2026-03-02T09:30:00Z)"},
		{"site not a reference", uniAdmin, mod(func(s *studyInput) { s.Site = []Reference{{Reference: "Hospital2MSP"}} }), `invalid_argument: site[0] "Hospital2MSP" is not Organization/<mspId>`},
		{"site twice", uniAdmin, mod(func(s *studyInput) { s.Site = append(s.Site, s.Site[0]) }), "invalid_argument: site[1] Organization/Hospital2MSP is listed twice"},
		{"sponsor as site", uniAdmin, mod(func(s *studyInput) { s.Site = []Reference{{Reference: "Organization/UniResearchMSP"}} }), "invalid_argument: site[0] is the sponsor UniResearchMSP itself"},
		{"control character in title", uniAdmin, mod(func(s *studyInput) { s.Title = "HbA1c\nstudy" }), "invalid_argument: title contains a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("registerStudy", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused registrations changed the ledger")
	}
	h.Call("getStudy", studyRef{ID: "nope"}, sdktest.As(alice)).RequireError(t, "not_found: research study nope is not registered")
	h.Call("getStudy", studyRef{ID: "s1"}, sdktest.As(h1Peer)).RequireError(t, `permission_denied: reading a study needs a client or admin identity (NodeOU is "peer")`)
	h.Call("getStudy", studyRef{ID: "s/1"}, sdktest.As(alice)).RequireError(t, `invalid_argument: id "s/1" may hold only`)
}

// TestResearch_participation walks a patient through opting in, being checked, listing, opting out and back in.
func TestResearch_participation(t *testing.T) {
	h := newHarness(t)
	h.Call("registerStudy", studyOf("dm2-registry"), sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("registerStudy", studyOf("ckd-cohort"), sdktest.As(uniAdmin)).RequireOK(t)
	// A base privacy consent: deny except Hospital1 treatment. Research needs the opt-in.
	granted(t, h, consentOf(patientA, "privacy", permitTreatmentBy("Organization/Hospital1MSP")), alice)
	hba1c := checkArgs{Patient: patientA, Action: "access", Purpose: "CLINTRCH", Class: Coding{System: sysLOINC, Code: "4548-4"}, Study: "dm2-registry"}
	decision := func(caller sdktest.Identity, a checkArgs) DecisionResult {
		t.Helper()
		var d DecisionResult
		h.Call("check", a, sdktest.As(caller)).JSON(t, &d)
		return d
	}
	if d := decision(researcher, hba1c); d.Decision != deny || d.DecidedBy.Consent != "privacy" {
		t.Fatalf("check before opt-in = %+v, want the privacy consent's deny", d)
	}

	res := h.Call("optIn", participationArgs{Patient: patientA, Study: "dm2-registry"}, sdktest.As(alice))
	var c Consent
	res.JSON(t, &c)
	if c.ID != "research-dm2-registry" || c.Status != statusActive || c.Meta.VersionID != "1" || c.scope() != scopeResearch ||
		c.Provision.Actor[0].Reference.Reference != "ResearchStudy/dm2-registry" || !reflect.DeepEqual(c.Provision.Class, studyOf("").Class) ||
		!reflect.DeepEqual(c.Organization, []Reference{{Reference: "Organization/UniResearchMSP"}, {Reference: "Organization/Hospital2MSP"}}) {
		t.Fatalf("optIn = %+v", c)
	}
	res.RequireEvent(t, evResearchOptIn)

	tests := []struct {
		name      string
		caller    sdktest.Identity
		args      checkArgs
		decision  string
		provision string
	}{
		{"sponsor researcher", researcher, hba1c, permit, "research-dm2-registry"},
		{"site researcher", siteResearch, hba1c, permit, "research-dm2-registry"},
		{"class outside the study", researcher, func() checkArgs { a := hba1c; a.Class = class("Condition"); return a }(), deny, "privacy"},
		{"same data without naming the study", researcher, func() checkArgs { a := hba1c; a.Study = ""; return a }(), deny, "privacy"},
		{"another study the patient did not join", researcher, func() checkArgs { a := hba1c; a.Study = "ckd-cohort"; return a }(), deny, "privacy"},
		{"disclosure is not covered", researcher, func() checkArgs { a := hba1c; a.Action = "disclose"; return a }(), deny, "privacy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decision(tt.caller, tt.args)
			if d.Decision != tt.decision || d.DecidedBy == nil || d.DecidedBy.Consent != tt.provision {
				t.Errorf("check = %+v, want %s by %s", d, tt.decision, tt.provision)
			}
		})
	}
	var e AuditEntry
	if d := decision(researcher, hba1c); !h.GetJSON(prefixAudit+patientA+"/"+d.AuditID, &e) || e.Study != "dm2-registry" {
		t.Errorf("audit entry of a study check = %+v, want the study recorded", e)
	}

	var ps []Participation
	h.Call("listStudies", patientArgs{Patient: patientA}, sdktest.As(alice)).JSON(t, &ps)
	if len(ps) != 1 || ps[0].Study.ID != "dm2-registry" || ps[0].Status != statusActive || ps[0].Since != t0.Format(time.RFC3339) {
		t.Errorf("listStudies = %+v", ps)
	}

	later := t0.Add(48 * time.Hour)
	res = h.Call("optOut", participationArgs{Patient: patientA, Study: "dm2-registry"}, sdktest.As(alice), sdktest.At(later))
	res.JSON(t, &c)
	if c.Status != statusInactive || c.Meta.VersionID != "2" {
		t.Errorf("optOut = %+v", c)
	}
	res.RequireEvent(t, evResearchOptOut)
	if d := decision(researcher, hba1c); d.Decision != deny {
		t.Errorf("check after opt-out = %+v", d)
	}
	h.Call("listStudies", patientArgs{Patient: patientA}, sdktest.As(alice)).JSON(t, &ps)
	if len(ps) != 1 || ps[0].Status != statusInactive || ps[0].VersionID != "2" {
		t.Errorf("listStudies after opt-out = %+v", ps)
	}

	// Opting in again writes version 3 of the same consent.
	h.Call("optIn", participationArgs{Patient: patientA, Study: "dm2-registry"}, sdktest.As(alice)).JSON(t, &c)
	if c.Status != statusActive || c.Meta.VersionID != "3" {
		t.Errorf("second optIn = %+v", c)
	}
	if d := decision(researcher, hba1c); d.Decision != permit {
		t.Errorf("check after re-opt-in = %+v", d)
	}
	// A patient's explicit "no research" exception overrides the opt-in.
	h.Call("update", updateArgs{consentInput: consentOf(patientA, "privacy", permitTreatmentBy("Organization/Hospital1MSP"), func(in *consentInput) {
		in.Provision.Provision = append(in.Provision.Provision, Provision{Type: deny, Purpose: []Coding{purpose("HRESCH")}})
	}), VersionID: "1"}, sdktest.As(alice)).RequireOK(t)
	if d := decision(researcher, hba1c); d.Decision != deny || d.DecidedBy.Provision != "provision.provision[1]" {
		t.Errorf("check with an explicit research deny = %+v", d)
	}
}

func TestResearch_participation_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("registerStudy", studyOf("s1"), sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("registerStudy", studyOf("closed"), sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("closeStudy", closeArgs{ID: "closed", Status: studyWithdrawn}, sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("optIn", participationArgs{Patient: patientB, Study: "s1"}, sdktest.As(bob)).RequireOK(t)
	before := keysSnapshot(h)
	after2027 := sdktest.At(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		name     string
		function string
		caller   sdktest.Identity
		args     participationArgs
		opts     []sdktest.CallOption
		want     string
	}{
		{"opt in twice (replay)", "optIn", bob, participationArgs{Patient: patientB, Study: "s1"}, nil, "already_exists: the patient has already opted in to study s1 (consent research-s1 version 1)"},
		{"opt in someone else", "optIn", alice, participationArgs{Patient: patientB, Study: "s1"}, nil, "permission_denied: optIn: the caller's patientId attribute does not name this patient"},
		{"researcher opts a patient in", "optIn", researcher, participationArgs{Patient: patientA, Study: "s1"}, nil, `permission_denied: optIn needs the patient (attribute role=patient) or a registered delegate (role=guardian); the caller's role attribute is "researcher"`},
		{"unknown study", "optIn", alice, participationArgs{Patient: patientA, Study: "s9"}, nil, "not_found: research study s9 is not registered"},
		{"withdrawn study", "optIn", alice, participationArgs{Patient: patientA, Study: "closed"}, nil, "failed_precondition: study closed is withdrawn and takes no participants"},
		{"ended study", "optIn", alice, participationArgs{Patient: patientA, Study: "s1"}, []sdktest.CallOption{after2027}, "failed_precondition: study s1 ended 2027-12-31T23:59:59Z"},
		{"bad study id", "optIn", alice, participationArgs{Patient: patientA, Study: ""}, nil, "invalid_argument: study is required"},
		{"opt out never in", "optOut", alice, participationArgs{Patient: patientA, Study: "s1"}, nil, "not_found: the patient never opted in to study s1"},
		{"opt out someone else", "optOut", alice, participationArgs{Patient: patientB, Study: "s1"}, nil, "permission_denied: optOut: the caller's patientId attribute does not name this patient"},
		{"bad patient", "optOut", bob, participationArgs{Patient: "b", Study: "s1"}, nil, "invalid_argument: patient must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call(tt.function, tt.args, append([]sdktest.CallOption{sdktest.As(tt.caller)}, tt.opts...)...).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused opt-ins/outs changed the ledger")
	}
	h.Call("optOut", participationArgs{Patient: patientB, Study: "s1"}, sdktest.As(bob)).RequireOK(t)
	h.Call("optOut", participationArgs{Patient: patientB, Study: "s1"}, sdktest.As(bob)).RequireError(t, "failed_precondition: the patient has already opted out of study s1")
	h.Call("listStudies", patientArgs{Patient: patientB}, sdktest.As(researcher)).RequireError(t, "permission_denied: listStudies needs the patient")
	h.Call("listStudies", patientArgs{Patient: patientB}, sdktest.As(alice)).RequireError(t, "permission_denied: listStudies: the caller's patientId attribute does not name this patient")
	var none []Participation
	h.Call("listStudies", patientArgs{Patient: patientA}, sdktest.As(alice)).JSON(t, &none)
	if none == nil || len(none) != 0 {
		t.Errorf("listStudies without studies = %#v, want []", none)
	}
}

func TestResearch_checkStudy_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("registerStudy", studyOf("s1"), sdktest.As(uniAdmin)).RequireOK(t)
	future := studyOf("future")
	future.Period.Start = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	h.Call("registerStudy", future, sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("registerStudy", studyOf("done"), sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("closeStudy", closeArgs{ID: "done", Status: studyCompleted}, sdktest.As(uniAdmin)).RequireOK(t)
	h.Call("optIn", participationArgs{Patient: patientA, Study: "s1"}, sdktest.As(alice)).RequireOK(t)
	before := keysSnapshot(h)
	a := func(study, purposeCode string) checkArgs {
		return checkArgs{Patient: patientA, Action: "access", Purpose: purposeCode, Class: class("Observation"), Study: study}
	}
	outsider := sdktest.NewIdentity("Hospital3MSP", "res-user-1", "client", map[string]string{"role": "researcher"})
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   checkArgs
		want   string
	}{
		{"not a researcher", drOnDuty, a("s1", "CLINTRCH"), "permission_denied: access for study s1 needs a researcher (attribute role=researcher)"},
		{"researcher of another organization", outsider, a("s1", "CLINTRCH"), "permission_denied: organization Hospital3MSP is neither the sponsor nor a site of study s1"},
		{"not started", researcher, a("future", "CLINTRCH"), "failed_precondition: study future runs from 2026-09-01T00:00:00Z to 2027-12-31T23:59:59Z, not at 2026-03-02T09:30:00Z"},
		{"completed", researcher, a("done", "CLINTRCH"), "failed_precondition: study done is completed"},
		{"purpose not the study's", researcher, a("s1", "TREAT"), "invalid_argument: purpose TREAT is not study s1's purpose CLINTRCH (or a specialisation of it)"},
		{"broader purpose than the study's", researcher, a("s1", "HRESCH"), "invalid_argument: purpose HRESCH is not study s1's purpose CLINTRCH"},
		{"bad study id", researcher, a("s 1", "CLINTRCH"), `invalid_argument: study "s 1" may hold only`},
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

func TestResearch_closeStudy(t *testing.T) {
	h := newHarness(t)
	h.Call("registerStudy", studyOf("s1"), sdktest.As(uniAdmin)).RequireOK(t)
	siteAdmin := sdktest.NewIdentity("Hospital2MSP", "research-office", "admin", nil)
	h.Call("closeStudy", closeArgs{ID: "s1", Status: studyCompleted}, sdktest.As(siteAdmin)).RequireError(t, "permission_denied: closing study s1 needs an admin of its sponsor Organization/UniResearchMSP")
	h.Call("closeStudy", closeArgs{ID: "s1", Status: studyCompleted}, sdktest.As(researcher)).RequireError(t, "permission_denied: closing study s1 needs an admin")
	h.Call("closeStudy", closeArgs{ID: "s1", Status: "paused"}, sdktest.As(uniAdmin)).RequireError(t, `invalid_argument: status "paused" is not one of completed, withdrawn`)
	h.Call("closeStudy", closeArgs{ID: "s9", Status: studyCompleted}, sdktest.As(uniAdmin)).RequireError(t, "not_found: research study s9 is not registered")

	res := h.Call("closeStudy", closeArgs{ID: "s1", Status: studyCompleted}, sdktest.As(uniAdmin))
	var s Study
	res.JSON(t, &s)
	if s.Status != studyCompleted {
		t.Errorf("closeStudy = %+v", s)
	}
	var ev studyEvent
	_ = json.Unmarshal(res.RequireEvent(t, evStudyClosed), &ev)
	if ev.Status != studyCompleted || ev.ID != "s1" {
		t.Errorf("StudyClosed payload = %+v", ev)
	}
	h.Call("closeStudy", closeArgs{ID: "s1", Status: studyWithdrawn}, sdktest.As(uniAdmin)).RequireError(t, "failed_precondition: study s1 is already completed")
}
