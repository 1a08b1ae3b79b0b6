package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// claimsWorld is world with two claims for the subscriber (Hospital1 and Clinic9) and one for the child.
func claimsWorld(t *testing.T) *sdktest.Harness {
	t.Helper()
	h := world(t)
	submit(t, h, hospital1, "2026-03-10", "CLM-1", subscriber, line("99213", "2026-03-10", 15000))
	submit(t, h, hospital1, "2026-03-11", "CLM-2", subscriber, line("80053", "2026-03-11", 6000))
	submit(t, h, clinic9, "2026-03-12", "C9-77", subscriber, line("99213", "2026-03-05", 15000))
	submit(t, h, hospital1, "2026-03-12", "CLM-3", child, line("G0438", "2026-03-11", 20000))
	return h
}

func TestHealthplan_GetClaim(t *testing.T) {
	h := claimsWorld(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   claimRefArgs
	}{
		{"the provider, own claim by id alone", hospital1, claimRefArgs{ClaimID: "CLM-1", Purpose: "HPAYMT"}},
		{"the payer", examiner, claimRefArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Purpose: "HPAYMT"}},
		{"the member", memberSelf, claimRefArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Purpose: "PATRQT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Claim
			res := h.Call("getClaim", tt.args, sdktest.As(tt.caller))
			res.JSON(t, &c)
			if c.ClaimID != "CLM-1" || c.PaymentCents != 6500 {
				t.Errorf("getClaim = %+v", c)
			}
			var ev accessEvent
			if err := json.Unmarshal(res.RequireEvent(t, "MemberDataAccessed"), &ev); err != nil || ev.Action != "getClaim" ||
				ev.Resource != claimKey(hospital1MSP, "CLM-1") || ev.Purpose != tt.args.Purpose {
				t.Errorf("MemberDataAccessed = %+v, %v", ev, err)
			}
		})
	}
}

func TestHealthplan_GetClaim_Errors(t *testing.T) {
	h := claimsWorld(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   claimRefArgs
		want   string
	}{
		{"another provider", hospital2, claimRefArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Purpose: "TREAT"},
			"permission_denied: claim CLM-1 may be read only by the member's payer (role=payer), the member (role=patient with their patientId), the provider organisation Hospital1MSP; the caller (Hospital2MSP, NodeOU \"client\", role attribute \"provider\") is none of them"},
		{"another member of the family", memberKid, claimRefArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Purpose: "FAMRQT"}, "permission_denied"},
		{"clinician of the provider", clinician, claimRefArgs{ClaimID: "CLM-1", Purpose: "TREAT"}, "permission_denied"},
		{"regulator", regulator, claimRefArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Purpose: "HCOMPL"}, "permission_denied"},
		{"another payer", bluePayer, claimRefArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Purpose: "HPAYMT"}, "permission_denied"},
		{"unknown claim", hospital1, claimRefArgs{ClaimID: "CLM-404", Purpose: "HPAYMT"}, "not_found: provider Hospital1MSP has no claim CLM-404"},
		{"no purpose", hospital1, claimRefArgs{ClaimID: "CLM-1"}, "invalid_argument: purpose"},
		{"bad claim id", hospital1, claimRefArgs{ClaimID: "CLM 1", Purpose: "HPAYMT"}, `invalid_argument: claimId "CLM 1" may hold only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("getClaim", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}

func TestHealthplan_ListClaims(t *testing.T) {
	h := claimsWorld(t)
	ids := func(p ClaimPage) []string {
		out := []string{}
		for _, c := range p.Claims {
			out = append(out, c.ProviderMSPID+"/"+c.ClaimID)
		}
		return out
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		member string
		want   []string
	}{
		{"payer sees all", examiner, subscriber, []string{"Clinic9MSP/C9-77", "Hospital1MSP/CLM-1", "Hospital1MSP/CLM-2"}},
		{"member sees all", memberSelf, subscriber, []string{"Clinic9MSP/C9-77", "Hospital1MSP/CLM-1", "Hospital1MSP/CLM-2"}},
		{"a provider sees its own", hospital1, subscriber, []string{"Hospital1MSP/CLM-1", "Hospital1MSP/CLM-2"}},
		{"a provider without claims sees none", hospital2, subscriber, []string{}},
		{"another member's list", examiner, child, []string{"Hospital1MSP/CLM-3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p ClaimPage
			res := h.Call("listClaims", listClaimsArgs{MemberID: tt.member, Purpose: "HPAYMT"}, sdktest.As(tt.caller))
			res.JSON(t, &p)
			if got := ids(p); !slices.Equal(got, tt.want) || p.Bookmark != "" {
				t.Errorf("listClaims = %q (bookmark %q), want %q", got, p.Bookmark, tt.want)
			}
			res.RequireEvent(t, "MemberDataAccessed")
		})
	}
	// Paging.
	var got []string
	bookmark := ""
	for range 4 {
		var p ClaimPage
		h.Call("listClaims", listClaimsArgs{MemberID: subscriber, Purpose: "HPAYMT", PageSize: 2, Bookmark: bookmark}, sdktest.As(examiner)).JSON(t, &p)
		got = append(got, ids(p)...)
		if bookmark = p.Bookmark; bookmark == "" {
			break
		}
	}
	if want := []string{"Clinic9MSP/C9-77", "Hospital1MSP/CLM-1", "Hospital1MSP/CLM-2"}; !slices.Equal(got, want) {
		t.Errorf("paged listClaims = %q, want %q", got, want)
	}
	// Errors.
	for _, tt := range []struct {
		name   string
		caller sdktest.Identity
		args   listClaimsArgs
		want   string
	}{
		{"clinician", clinician, listClaimsArgs{MemberID: subscriber, Purpose: "TREAT"}, "permission_denied: the claims of a member may be read only by"},
		{"another member", memberKid, listClaimsArgs{MemberID: subscriber, Purpose: "FAMRQT"}, "permission_denied"},
		{"unknown member", examiner, listClaimsArgs{MemberID: stranger, Purpose: "HPAYMT"}, "not_found"},
		{"page too big", examiner, listClaimsArgs{MemberID: subscriber, Purpose: "HPAYMT", PageSize: 101}, "invalid_argument: pageSize must be 0 to 100 (got 101)"},
		{"bad purpose", examiner, listClaimsArgs{MemberID: subscriber, Purpose: "hpaymt"}, "invalid_argument: purpose"},
		{"bad member id", examiner, listClaimsArgs{MemberID: "x", Purpose: "HPAYMT"}, "invalid_argument: memberId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("listClaims", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}

func TestHealthplan_AuditTrail(t *testing.T) {
	h := claimsWorld(t)
	h.Call("getClaim", claimRefArgs{ClaimID: "CLM-1", Purpose: "HPAYMT"}, sdktest.As(hospital1), sdktest.At(day("2026-03-13"))).RequireOK(t)
	var p AuditPage
	h.Call("auditTrail", auditArgs{MemberID: subscriber, Purpose: "PATRQT"}, sdktest.As(memberSelf), sdktest.At(day("2026-03-14"))).JSON(t, &p)
	var actions []string
	for i, e := range p.Entries {
		actions = append(actions, e.Action+" "+e.MSPID+" "+e.Outcome)
		if i > 0 && e.At.Before(p.Entries[i-1].At) {
			t.Errorf("audit entries out of time order at %d", i)
		}
		if e.Decision != "permit" || e.CallerHash == "" || e.Purpose == "" || e.MemberID != subscriber {
			t.Errorf("audit entry %+v lacks who, why or the decision", e)
		}
	}
	want := []string{
		"enroll AcmeHealthMSP enrolled",
		"submitClaim Hospital1MSP processed",
		"submitClaim Hospital1MSP processed",
		"submitClaim Clinic9MSP processed",
		"getClaim Hospital1MSP active",
	}
	if !slices.Equal(actions, want) {
		t.Errorf("audit trail = %q, want %q", actions, want)
	}
	// The read itself was recorded, and regulators and the payer may read the trail, a page at a time.
	var all []AuditEntry
	bookmark := ""
	for range 10 {
		var p AuditPage
		h.Call("auditTrail", auditArgs{MemberID: subscriber, Purpose: "HCOMPL", PageSize: 2, Bookmark: bookmark}, sdktest.As(regulator), sdktest.At(day("2026-03-15"))).JSON(t, &p)
		all = append(all, p.Entries...)
		if bookmark = p.Bookmark; bookmark == "" {
			break
		}
	}
	// Each page read is recorded too, after the page is taken, so later pages show the earlier page reads.
	if len(all) < 7 || all[5].Action != "auditTrail" || all[5].CallerRole != "patient" {
		t.Fatalf("paged trail has %d entries; want the 5 above, the member's read, then the regulator's page reads", len(all))
	}
	for _, e := range all[6:] {
		if e.Action != "auditTrail" || e.CallerRole != "regulator" || e.Purpose != "HCOMPL" {
			t.Errorf("entry after the member's read = %+v, want a regulator's page read", e)
		}
	}
	h.Call("auditTrail", auditArgs{MemberID: subscriber, Purpose: "HOPERAT"}, sdktest.As(examiner)).RequireOK(t)

	for _, tt := range []struct {
		name   string
		caller sdktest.Identity
		args   auditArgs
		want   string
	}{
		{"provider", hospital1, auditArgs{MemberID: subscriber, Purpose: "TREAT"},
			"permission_denied: the audit trail of a member may be read only by the member's payer (role=payer), the member (role=patient with their patientId), a regulator (role=regulator)"},
		{"another member", memberKid, auditArgs{MemberID: subscriber, Purpose: "FAMRQT"}, "permission_denied"},
		{"another payer", bluePayer, auditArgs{MemberID: subscriber, Purpose: "HOPERAT"}, "permission_denied"},
		{"unknown member", regulator, auditArgs{MemberID: stranger, Purpose: "HCOMPL"}, "not_found"},
		{"page size", regulator, auditArgs{MemberID: subscriber, Purpose: "HCOMPL", PageSize: -1}, "invalid_argument: pageSize"},
		{"purpose", regulator, auditArgs{MemberID: subscriber}, "invalid_argument: purpose"},
		{"member id", regulator, auditArgs{MemberID: "x", Purpose: "HCOMPL"}, "invalid_argument: memberId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("auditTrail", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}
