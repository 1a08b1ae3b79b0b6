package main

import (
	"encoding/json"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// mriRequest is Hospital1's request for a brain MRI for the subscriber in March 2026.
func mriRequest(requestID string, units int) authRequestArgs {
	return authRequestArgs{RequestID: requestID, MemberID: subscriber, Code: "70553", Units: units,
		ServicePeriod: Period{Start: "2026-03-01", End: "2026-03-31"},
		Attachment:    &Anchor{SHA256: pseudo("clinical-notes"), Location: "https://ehr.hospital1.example/docs/8f3a"}}
}

// approved files req as provider on 2026-02-20 and has the payer approve units of it; it returns the id.
func approved(t testing.TB, h *sdktest.Harness, provider sdktest.Identity, req authRequestArgs, units int) string {
	t.Helper()
	var a Authorization
	h.Call("requestAuthorization", req, sdktest.As(provider), sdktest.At(day("2026-02-20"))).JSON(t, &a)
	h.Call("decideAuthorization", authDecisionArgs{AuthID: a.AuthID, Decision: "approve", ApprovedUnits: units},
		sdktest.As(examiner), sdktest.At(day("2026-02-21"))).RequireOK(t)
	return a.AuthID
}

func TestHealthplan_RequestAuthorization(t *testing.T) {
	h := world(t)
	var a Authorization
	res := h.Call("requestAuthorization", mriRequest("TRN-2026-0001", 1), sdktest.As(hospital1), sdktest.At(day("2026-02-20")))
	res.JSON(t, &a)
	if a.AuthID != authID(hospital1MSP, "TRN-2026-0001") || a.Status != authPending || a.PayerMSPID != acmeMSP || a.ProviderMSPID != hospital1MSP {
		t.Errorf("authorization = %+v", a)
	}
	if authIDFormat("", a.AuthID) != nil {
		t.Errorf("authorization number %q does not have its own format", a.AuthID)
	}
	var ev authEvent
	if err := json.Unmarshal(res.RequireEvent(t, "AuthorizationRequested"), &ev); err != nil || ev.AuthID != a.AuthID || ev.Status != authPending {
		t.Errorf("AuthorizationRequested = %+v, %v", ev, err)
	}
	if _, ok := h.Get(authKey(a.AuthID)); !ok {
		t.Error("the authorization is not on the ledger")
	}
	// The same trace number from another provider is another request.
	h.Call("requestAuthorization", mriRequest("TRN-2026-0001", 1), sdktest.As(hospital2), sdktest.At(day("2026-02-20"))).RequireOK(t)
}

func TestHealthplan_RequestAuthorization_Errors(t *testing.T) {
	h := world(t)
	h.Call("requestAuthorization", mriRequest("TRN-1", 1), sdktest.As(hospital1), sdktest.At(day("2026-02-20"))).RequireOK(t)
	with := func(f func(*authRequestArgs)) authRequestArgs { a := mriRequest("TRN-2", 1); f(&a); return a }
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   authRequestArgs
		want   string
	}{
		{"payer", examiner, mriRequest("TRN-2", 1), "permission_denied: requesting prior authorization needs a provider identity"},
		{"clinician", clinician, mriRequest("TRN-2", 1), `permission_denied: requesting prior authorization needs a provider identity (attribute role=provider); the caller's role attribute is "clinician"`},
		{"provider admin", provAdmin, mriRequest("TRN-2", 1), `permission_denied: requesting prior authorization needs a client identity; the caller's NodeOU is "admin"`},
		{"replay", hospital1, mriRequest("TRN-1", 1), "already_exists: request TRN-1 of Hospital1MSP was already filed as authorization PA"},
		{"request id", hospital1, with(func(a *authRequestArgs) { a.RequestID = "TRN 2" }), `invalid_argument: requestId "TRN 2" may hold only`},
		{"member id", hospital1, with(func(a *authRequestArgs) { a.MemberID = "" }), "invalid_argument: memberId must be a pseudonymous id"},
		{"code", hospital1, with(func(a *authRequestArgs) { a.Code = "MRI" }), `invalid_argument: code "MRI" is not a CPT or HCPCS code`},
		{"no units", hospital1, with(func(a *authRequestArgs) { a.Units = 0 }), "invalid_argument: units must be 1 to 9999 (got 0)"},
		{"period without end", hospital1, with(func(a *authRequestArgs) { a.ServicePeriod.End = "" }), `invalid_argument: servicePeriod.end "" is not a date`},
		{"period too long", hospital1, with(func(a *authRequestArgs) { a.ServicePeriod.End = "2027-03-31" }), "invalid_argument: servicePeriod 2026-03-01..2027-03-31 must end on or after its start and span at most 366 days"},
		{"period over", hospital1, with(func(a *authRequestArgs) { a.ServicePeriod = Period{Start: "2026-01-01", End: "2026-02-19"} }),
			"invalid_argument: servicePeriod ended 2026-02-19, before today (2026-02-20)"},
		{"attachment hash", hospital1, with(func(a *authRequestArgs) { a.Attachment.SHA256 = "abc" }), "invalid_argument: attachment.sha256 must be 64 lowercase hex digits (got 3 characters)"},
		{"attachment without scheme", hospital1, with(func(a *authRequestArgs) { a.Attachment.Location = "ehr/docs/8f3a" }), "invalid_argument: attachment.location must be an absolute URI with a scheme"},
		{"attachment with a space", hospital1, with(func(a *authRequestArgs) { a.Attachment.Location = "https://ehr/John Smith.pdf" }), "invalid_argument: attachment.location must be a URI without spaces"},
		{"unknown member", hospital1, with(func(a *authRequestArgs) { a.MemberID = stranger }), "not_found: no member with this id is enrolled"},
		{"not covered at the start", hospital1, with(func(a *authRequestArgs) {
			a.MemberID, a.ServicePeriod = loner, Period{Start: "2026-07-01", End: "2026-07-31"}
		}), "failed_precondition: the member has no coverage on 2026-07-01, the start of the service period"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("requestAuthorization", tt.args, sdktest.As(tt.caller), sdktest.At(day("2026-02-20"))).RequireError(t, tt.want)
		})
	}
	if keys := h.Keys(prefixAuth); len(keys) != 1 {
		t.Errorf("authorizations after refused requests = %q, want one", keys)
	}
}

func TestHealthplan_DecideAuthorization(t *testing.T) {
	h := world(t)
	tests := []struct {
		name     string
		decision authDecisionArgs
		status   string
		action   string
		units    int
		validity *Period
	}{
		{"approve in full", authDecisionArgs{Decision: "approve"}, authApproved, "A1", 2, &Period{Start: "2026-03-01", End: "2026-03-31"}},
		{"approve fewer units", authDecisionArgs{Decision: "approve", ApprovedUnits: 1}, authPartial, "A2", 1, &Period{Start: "2026-03-01", End: "2026-03-31"}},
		{"approve with a validity", authDecisionArgs{Decision: "approve", Validity: &Period{Start: "2026-02-25", End: "2026-05-31"}},
			authApproved, "A1", 2, &Period{Start: "2026-02-25", End: "2026-05-31"}},
		{"deny", authDecisionArgs{Decision: "deny", DenialReason: "notMedicallyNecessary"}, authDenied, "A3", 0, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req Authorization
			h.Call("requestAuthorization", mriRequest("TRN-"+string(rune('A'+i)), 2), sdktest.As(hospital1), sdktest.At(day("2026-02-20"))).JSON(t, &req)
			d := tt.decision
			d.AuthID = req.AuthID
			var a Authorization
			res := h.Call("decideAuthorization", d, sdktest.As(examiner), sdktest.At(day("2026-02-21")))
			res.JSON(t, &a)
			if a.Status != tt.status || a.ActionCode != tt.action || a.ApprovedUnits != tt.units ||
				(a.Validity == nil) != (tt.validity == nil) || a.Validity != nil && *a.Validity != *tt.validity {
				t.Errorf("decision = status %s, action %s, units %d, validity %v", a.Status, a.ActionCode, a.ApprovedUnits, a.Validity)
			}
			if a.DecidedBy != idHash(examiner) || a.DecidedAt.IsZero() {
				t.Errorf("decidedBy %q at %v", a.DecidedBy, a.DecidedAt)
			}
			var ev authEvent
			if err := json.Unmarshal(res.RequireEvent(t, "AuthorizationDecided"), &ev); err != nil || ev.Status != tt.status {
				t.Errorf("AuthorizationDecided = %+v, %v", ev, err)
			}
		})
	}
}

func TestHealthplan_DecideAuthorization_Errors(t *testing.T) {
	h := world(t)
	h.Call("publishPlan", silverPPO(func(p *planArgs) { p.PlanID = "blue-hmo" }), sdktest.As(bluePayer), sdktest.At(day("2025-11-01"))).RequireOK(t)
	var a, done Authorization
	h.Call("requestAuthorization", mriRequest("TRN-1", 2), sdktest.As(hospital1), sdktest.At(day("2026-02-20"))).JSON(t, &a)
	h.Call("requestAuthorization", mriRequest("TRN-2", 2), sdktest.As(hospital1), sdktest.At(day("2026-02-20"))).JSON(t, &done)
	h.Call("decideAuthorization", authDecisionArgs{AuthID: done.AuthID, Decision: "deny", DenialReason: "notCovered"}, sdktest.As(examiner)).RequireOK(t)
	unknown := authID(hospital1MSP, "TRN-404")
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   authDecisionArgs
		want   string
	}{
		{"provider", hospital1, authDecisionArgs{AuthID: a.AuthID, Decision: "approve"}, "permission_denied: deciding prior authorization needs a payer identity"},
		{"another payer", bluePayer, authDecisionArgs{AuthID: a.AuthID, Decision: "approve"}, "permission_denied: authorization " + a.AuthID + " is for payer AcmeHealthMSP to decide"},
		{"bad id", examiner, authDecisionArgs{AuthID: "AUTH-1", Decision: "approve"}, `invalid_argument: authId "AUTH-1" is not an authorization number`},
		{"unknown", examiner, authDecisionArgs{AuthID: unknown, Decision: "approve"}, "not_found: authorization " + unknown + " does not exist"},
		{"bad decision", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "pend"}, `invalid_argument: decision "pend" must be approve or deny`},
		{"deny without reason", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "deny"}, `invalid_argument: denialReason "" must be one of`},
		{"deny with free text", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "deny", DenialReason: "patient has a history of ..."}, "invalid_argument: denialReason"},
		{"deny with units", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "deny", DenialReason: "notCovered", ApprovedUnits: 1}, "invalid_argument: approvedUnits and validity are only for decision approve"},
		{"approve with reason", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "approve", DenialReason: "notCovered"}, "invalid_argument: denialReason is only for decision deny"},
		{"more units than requested", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "approve", ApprovedUnits: 3}, "invalid_argument: approvedUnits must be 1 to the 2 requested (got 3)"},
		{"negative units", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "approve", ApprovedUnits: -1}, "invalid_argument: approvedUnits must be 1 to the 2 requested (got -1)"},
		{"validity backwards", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "approve", Validity: &Period{Start: "2026-04-01", End: "2026-03-01"}}, "invalid_argument: validity 2026-04-01..2026-03-01 must end on or after its start"},
		{"validity over", examiner, authDecisionArgs{AuthID: a.AuthID, Decision: "approve", Validity: &Period{Start: "2026-01-01", End: "2026-01-31"}}, "invalid_argument: validity ended 2026-01-31, before today (2026-02-21)"},
		{"already decided", examiner, authDecisionArgs{AuthID: done.AuthID, Decision: "approve"}, "failed_precondition: authorization " + done.AuthID + " was already decided (denied)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("decideAuthorization", tt.args, sdktest.As(tt.caller), sdktest.At(day("2026-02-21"))).RequireError(t, tt.want)
		})
	}
	var still Authorization
	if h.GetJSON(authKey(a.AuthID), &still); still.Status != authPending {
		t.Errorf("a refused decision changed the authorization to %s", still.Status)
	}
}

func TestHealthplan_GetAuthorization(t *testing.T) {
	h := world(t)
	id := approved(t, h, hospital1, mriRequest("TRN-1", 1), 1)
	for _, who := range []sdktest.Identity{hospital1, examiner, memberSelf} {
		var a Authorization
		res := h.Call("getAuthorization", getAuthArgs{AuthID: id, Purpose: "COVAUTH"}, sdktest.As(who))
		res.JSON(t, &a)
		if a.AuthID != id || a.Status != authApproved {
			t.Errorf("%s read %+v", who.MSPID, a)
		}
		res.RequireEvent(t, "MemberDataAccessed")
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   getAuthArgs
		want   string
	}{
		{"another provider", hospital2, getAuthArgs{AuthID: id, Purpose: "TREAT"},
			"permission_denied: authorization " + id + " may be read only by the member's payer (role=payer), the member (role=patient with their patientId), the provider organisation Hospital1MSP"},
		{"another member", memberKid, getAuthArgs{AuthID: id, Purpose: "PATRQT"}, "permission_denied"},
		{"regulator", regulator, getAuthArgs{AuthID: id, Purpose: "HCOMPL"}, "permission_denied"},
		{"unknown", hospital1, getAuthArgs{AuthID: authID(hospital1MSP, "nope"), Purpose: "TREAT"}, "not_found"},
		{"bad id", hospital1, getAuthArgs{AuthID: "PA123", Purpose: "TREAT"}, "invalid_argument: authId"},
		{"bad purpose", hospital1, getAuthArgs{AuthID: id, Purpose: "treatment"}, "invalid_argument: purpose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("getAuthorization", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}
