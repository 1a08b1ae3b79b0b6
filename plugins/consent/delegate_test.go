package main

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func guardianOf(patient string, p *Period) delegateInput {
	return delegateInput{Patient: patient, IdentityHash: identityHashOf(guardian), MSPID: guardian.MSPID,
		Relationship: Coding{System: sysRoleCode, Code: "GUARD"}, Period: p}
}

func TestDelegate_registerDelegate(t *testing.T) {
	tests := []struct {
		name   string
		caller sdktest.Identity
		by     string
	}{
		{"by the patient", alice, "Patient/" + patientA},
		{"by a hospital admin", h1Admin, "Organization/Hospital1MSP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			p := &Period{End: time.Date(2034, 5, 17, 0, 0, 0, 0, time.UTC)} // until the ward comes of age
			res := h.Call("registerDelegate", guardianOf(patientA, p), sdktest.As(tt.caller))
			var d Delegate
			res.JSON(t, &d)
			want := Delegate{Patient: patientA, IdentityHash: identityHashOf(guardian), MSPID: "Hospital1MSP",
				Relationship: Coding{System: sysRoleCode, Code: "GUARD"}, Period: p, Registered: t0, RegisteredBy: tt.by}
			if !reflect.DeepEqual(d, want) {
				t.Errorf("registerDelegate = %+v, want %+v", d, want)
			}
			var ev delegateEvent
			_ = json.Unmarshal(res.RequireEvent(t, evDelegateRegistered), &ev)
			if ev.By != tt.by || ev.IdentityHash != d.IdentityHash || ev.Relationship != "GUARD" {
				t.Errorf("DelegateRegistered payload = %+v", ev)
			}
			if _, ok := h.Get(delegateKey(patientA, d.IdentityHash)); !ok {
				t.Error("delegate not stored")
			}
		})
	}
}

// TestDelegate_acting shows a registered guardian doing everything the patient can, within the delegation's period.
func TestDelegate_acting(t *testing.T) {
	h := newHarness(t)
	p := &Period{Start: t0.Add(-time.Hour), End: t0.Add(24 * time.Hour)}
	h.Call("registerDelegate", guardianOf(patientA, p), sdktest.As(h1Admin)).RequireOK(t)
	h.Call("registerStudy", studyOf("s1"), sdktest.As(uniAdmin)).RequireOK(t)

	var c Consent
	h.Call("grant", consentOf(patientA, "c1"), sdktest.As(guardian)).JSON(t, &c)
	if c.Performer[0].Reference != "RelatedPerson/"+identityHashOf(guardian) {
		t.Errorf("performer = %+v, want the guardian's RelatedPerson reference", c.Performer)
	}
	h.Call("update", updateArgs{consentInput: consentOf(patientA, "c1", permitTreatmentBy("Organization/Hospital1MSP")), VersionID: "1"}, sdktest.As(guardian)).RequireOK(t)
	h.Call("get", consentRef{Patient: patientA, ID: "c1"}, sdktest.As(guardian)).RequireOK(t)
	h.Call("list", listArgs{Patient: patientA}, sdktest.As(guardian)).RequireOK(t)
	h.Call("optIn", participationArgs{Patient: patientA, Study: "s1"}, sdktest.As(guardian)).RequireOK(t)
	h.Call("listStudies", patientArgs{Patient: patientA}, sdktest.As(guardian)).RequireOK(t)
	h.Call("optOut", participationArgs{Patient: patientA, Study: "s1"}, sdktest.As(guardian)).RequireOK(t)
	h.Call("auditTrail", auditArgs{Patient: patientA}, sdktest.As(guardian)).RequireOK(t)
	h.Call("listDelegates", patientArgs{Patient: patientA}, sdktest.As(guardian)).RequireOK(t)
	h.Call("revoke", consentRef{Patient: patientA, ID: "c1"}, sdktest.As(guardian)).RequireOK(t)

	// Not for another patient, not outside the period, not from another organisation's certificate.
	h.Call("grant", consentOf(patientB, "c1"), sdktest.As(guardian)).RequireError(t, "permission_denied: grant: the caller is not a registered delegate of this patient")
	h.Call("grant", consentOf(patientA, "c2"), sdktest.As(guardian), sdktest.At(t0.Add(25*time.Hour))).
		RequireError(t, "permission_denied: grant: the caller's delegation for this patient is not in force at 2026-03-03T10:30:00Z (period 2026-03-02T08:30:00Z to 2026-03-03T09:30:00Z)")
	impostor := guardian
	impostor.MSPID = "Hospital2MSP"
	h.Call("grant", consentOf(patientA, "c2"), sdktest.As(impostor)).RequireError(t, "permission_denied: grant: the caller is not a registered delegate of this patient")
	// A delegate may not appoint delegates.
	other := guardianOf(patientA, nil)
	other.IdentityHash = identityHashOf(drOnDuty)
	h.Call("registerDelegate", other, sdktest.As(guardian)).RequireError(t, "permission_denied: registerDelegate needs the patient themselves")
}

func TestDelegate_registerDelegate_Errors(t *testing.T) {
	h := newHarness(t)
	h.Call("registerDelegate", guardianOf(patientA, nil), sdktest.As(alice)).RequireOK(t)
	before := keysSnapshot(h)
	mod := func(f func(*delegateInput)) delegateInput {
		d := guardianOf(patientB, nil)
		f(&d)
		return d
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   delegateInput
		want   string
	}{
		{"already registered (replay)", alice, guardianOf(patientA, nil), "already_exists: this identity is already a delegate of the patient"},
		{"another patient", alice, guardianOf(patientB, nil), "permission_denied: registerDelegate needs the patient themselves (role=patient with their patientId) or an organization admin"},
		{"clinician", drOnDuty, guardianOf(patientB, nil), "permission_denied: registerDelegate needs the patient themselves"},
		{"bad identity hash", bob, mod(func(d *delegateInput) { d.IdentityHash = "x509::CN=guardian" }), "invalid_argument: identityHash must be the SHA-256 of a Fabric identity, 64 lowercase hex digits (got 17 characters)"},
		{"bad msp", bob, mod(func(d *delegateInput) { d.MSPID = "Hospital 1" }), `invalid_argument: mspId "Hospital 1" may hold only letters, digits, '.', '_' and '-'`},
		{"unknown relationship", bob, mod(func(d *delegateInput) { d.Relationship.Code = "FRIEND" }), `invalid_argument: relationship: "FRIEND" is not a code of http://terminology.hl7.org/CodeSystem/v3-RoleCode accepted here (accepted: DPOWATT, FTH, GUARD, HPOWATT, MTH, POWATT, PRN, SPS)`},
		{"relationship system", bob, mod(func(d *delegateInput) { d.Relationship.System = sysActCode }), `invalid_argument: relationship: code system "http://terminology.hl7.org/CodeSystem/v3-ActCode" is not accepted here`},
		{"period reversed", bob, mod(func(d *delegateInput) { d.Period = &Period{Start: t0, End: t0.Add(-time.Second)} }), "invalid_argument: period: start 2026-03-02T09:30:00Z is after end"},
		{"already expired", bob, mod(func(d *delegateInput) { d.Period = &Period{End: t0.Add(-time.Hour)} }), "failed_precondition: period ends 2026-03-02T08:30:00Z, before now (2026-03-02T09:30:00Z)"},
		{"bad patient", bob, mod(func(d *delegateInput) { d.Patient = "MRN-00042872" }), "invalid_argument: patient must be a pseudonymous patient id of 64 lowercase hex digits (got 12 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("registerDelegate", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
	if after := keysSnapshot(h); after != before {
		t.Errorf("refused registrations changed the ledger")
	}
}

func TestDelegate_removeDelegate(t *testing.T) {
	h := newHarness(t)
	h.Call("registerDelegate", guardianOf(patientA, nil), sdktest.As(alice)).RequireOK(t)
	ref := delegateRef{Patient: patientA, IdentityHash: identityHashOf(guardian)}
	h.Call("removeDelegate", ref, sdktest.As(h1Peer)).RequireError(t, "permission_denied: removeDelegate needs the patient themselves")
	h.Call("removeDelegate", ref, sdktest.As(guardian)).RequireError(t, "permission_denied: removeDelegate needs the patient themselves")
	h.Call("removeDelegate", delegateRef{Patient: patientA, IdentityHash: "abc"}, sdktest.As(alice)).RequireError(t, "invalid_argument: identityHash must be the SHA-256")
	h.Call("removeDelegate", delegateRef{Patient: "abc", IdentityHash: ref.IdentityHash}, sdktest.As(alice)).RequireError(t, "invalid_argument: patient must be")

	res := h.Call("removeDelegate", ref, sdktest.As(alice)).RequireOK(t)
	var ev delegateEvent
	_ = json.Unmarshal(res.RequireEvent(t, evDelegateRemoved), &ev)
	if ev.By != "Patient/"+patientA || ev.IdentityHash != ref.IdentityHash {
		t.Errorf("DelegateRemoved payload = %+v", ev)
	}
	if _, ok := h.Get(delegateKey(patientA, ref.IdentityHash)); ok {
		t.Error("delegate still stored after removal")
	}
	h.Call("grant", consentOf(patientA, "c1"), sdktest.As(guardian)).RequireError(t, "permission_denied: grant: the caller is not a registered delegate of this patient")
	h.Call("removeDelegate", ref, sdktest.As(h1Admin)).RequireError(t, "not_found: this identity is not a delegate of the patient")
}

func TestDelegate_listDelegates(t *testing.T) {
	h := newHarness(t)
	h.Call("registerDelegate", guardianOf(patientA, nil), sdktest.As(alice)).RequireOK(t)
	second := guardianOf(patientA, nil)
	second.IdentityHash = identityHashOf(sdktest.NewIdentity("Hospital1MSP", "portal-user-2002", "client", map[string]string{"role": "guardian"}))
	second.Relationship.Code = "HPOWATT"
	h.Call("registerDelegate", second, sdktest.As(alice)).RequireOK(t)
	for _, caller := range []sdktest.Identity{alice, guardian, h1Admin} {
		var ds []Delegate
		h.Call("listDelegates", patientArgs{Patient: patientA}, sdktest.As(caller)).JSON(t, &ds)
		if len(ds) != 2 || ds[0].IdentityHash > ds[1].IdentityHash {
			t.Errorf("listDelegates as %s = %+v, want two in hash order", caller.Subject, ds)
		}
	}
	var none []Delegate
	h.Call("listDelegates", patientArgs{Patient: patientB}, sdktest.As(bob)).JSON(t, &none)
	if none == nil || len(none) != 0 {
		t.Errorf("listDelegates of a patient without delegates = %#v, want []", none)
	}
	h.Call("listDelegates", patientArgs{Patient: patientA}, sdktest.As(drOnDuty)).RequireError(t, "permission_denied: the patient's delegates may be listed by the patient, their delegates and organization admins")
	h.Call("listDelegates", patientArgs{Patient: "x"}, sdktest.As(alice)).RequireError(t, "invalid_argument: patient must be")
}
