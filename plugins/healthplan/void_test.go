package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

func TestHealthplan_VoidClaim(t *testing.T) {
	h := world(t)
	mri := approved(t, h, hospital1, mriRequest("TRN-1", 1), 1)
	scan := line("70553", "2026-03-10", 250000)
	scan.PriorAuthID = mri
	orig := submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99214", "2026-03-10", 18000), line("80053", "2026-03-10", 6000), scan)
	before, _ := accums(t, h, subscriber, smithFam)
	if before.In.DeductibleCents != 121500 {
		t.Fatalf("deductible after the claim = %d", before.In.DeductibleCents)
	}

	var c Claim
	res := h.Call("voidClaim", voidArgs{ClaimID: "CLM-1", Reason: "serviceNotRendered"}, sdktest.As(hospital1), sdktest.At(day("2026-03-20")))
	res.JSON(t, &c)
	if c.Status != claimVoided || c.Reversal == nil || c.Reversal.ClaimStatusCode != clpReversal ||
		c.Reversal.PaymentCents != -orig.PaymentCents || c.Reversal.PatientResponsibilityCents != -orig.PatientResponsibilityCents ||
		c.Reversal.ByMSPID != hospital1MSP {
		t.Errorf("voided claim = status %s, reversal %+v", c.Status, c.Reversal)
	}
	var ev voidEvent
	if err := json.Unmarshal(res.RequireEvent(t, "ClaimVoided"), &ev); err != nil || ev.PaymentCents != -orig.PaymentCents || ev.Reason != "serviceNotRendered" {
		t.Errorf("ClaimVoided = %+v, %v", ev, err)
	}
	m, f := accums(t, h, subscriber, smithFam)
	zero := map[string]Usage{"office-visit": {}, "lab": {}, "advanced-imaging": {}}
	if m.In != (Spend{}) || f.In != (Spend{}) || !reflect.DeepEqual(m.Benefits, zero) {
		t.Errorf("accumulators after the void: member %+v family %+v", m, f)
	}
	var a Authorization
	if h.GetJSON(authKey(mri), &a); a.UnitsUsed != 0 {
		t.Errorf("authorization units used after the void = %d, want 0", a.UnitsUsed)
	}
	if keys := h.Keys(prefixDup); len(keys) != 0 {
		t.Errorf("duplicate-check keys after the void: %q", keys)
	}
	var s ClaimSummary
	if h.GetJSON(mclaimKey(subscriber, hospital1MSP, "CLM-1"), &s); s.Status != claimVoided {
		t.Errorf("member index entry = %+v", s)
	}
	// The services can be billed again, and price as the first time.
	again := submit(t, h, hospital1, "2026-03-21", "CLM-2", subscriber, line("99214", "2026-03-10", 18000), line("80053", "2026-03-10", 6000), scan)
	for i := range again.Lines {
		if !reflect.DeepEqual(adjs(again.Lines[i]), adjs(orig.Lines[i])) {
			t.Errorf("rebilled line %d = %+v, first time %+v", i+1, adjs(again.Lines[i]), adjs(orig.Lines[i]))
		}
	}
	// The payer may void too (recoupment), naming the provider.
	h.Call("voidClaim", voidArgs{ClaimID: "CLM-2", ProviderMSPID: hospital1MSP, Reason: "payerRecoupment"}, sdktest.As(examiner)).RequireOK(t)
	if m, _ := accums(t, h, subscriber, smithFam); m.In != (Spend{}) {
		t.Errorf("accumulators after the payer's void = %+v", m.In)
	}
}

func TestHealthplan_VoidClaim_Errors(t *testing.T) {
	h := world(t)
	submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99213", "2026-03-10", 15000))
	submit(t, h, hospital1, "2026-03-12", "CLM-2", subscriber, line("99213", "2026-03-11", 15000))
	h.Call("voidClaim", voidArgs{ClaimID: "CLM-2", Reason: "billingError"}, sdktest.As(hospital1), sdktest.At(day("2026-03-12"))).RequireOK(t)
	h.Call("publishPlan", silverPPO(func(p *planArgs) { p.PlanID = "blue-hmo" }), sdktest.As(bluePayer), sdktest.At(day("2025-11-01"))).RequireOK(t)
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   voidArgs
		want   string
	}{
		{"another provider", hospital2, voidArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Reason: "billingError"},
			"permission_denied: voiding claim CLM-1 needs the submitting provider Hospital1MSP (role=provider) or the payer AcmeHealthMSP (role=payer)"},
		{"another payer", bluePayer, voidArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Reason: "payerRecoupment"}, "permission_denied: voiding claim CLM-1 needs"},
		{"member", memberSelf, voidArgs{ClaimID: "CLM-1", ProviderMSPID: hospital1MSP, Reason: "billingError"}, "permission_denied"},
		{"provider admin", provAdmin, voidArgs{ClaimID: "CLM-1", Reason: "billingError"}, "permission_denied"},
		{"already voided", hospital1, voidArgs{ClaimID: "CLM-2", Reason: "billingError"}, "failed_precondition: claim CLM-2 is voided; only an active claim can be reversed"},
		{"unknown claim", hospital1, voidArgs{ClaimID: "CLM-3", Reason: "billingError"}, "not_found: provider Hospital1MSP has no claim CLM-3"},
		{"payer without provider", examiner, voidArgs{ClaimID: "CLM-1", Reason: "payerRecoupment"}, "not_found: provider AcmeHealthMSP has no claim CLM-1"},
		{"bad reason", hospital1, voidArgs{ClaimID: "CLM-1", Reason: "oops"}, `invalid_argument: reason "oops" must be one of [billingError duplicateSubmission payerRecoupment serviceNotRendered]`},
		{"bad claim id", hospital1, voidArgs{ClaimID: "", Reason: "billingError"}, "invalid_argument: claimId must be 1 to 38 characters (got 0)"},
		{"bad provider id", examiner, voidArgs{ClaimID: "CLM-1", ProviderMSPID: "Hospital1MSP/x", Reason: "billingError"}, `invalid_argument: providerMspId "Hospital1MSP/x" may hold only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("voidClaim", tt.args, sdktest.As(tt.caller)).RequireError(t, tt.want)
		})
	}
}

func TestHealthplan_ReplaceClaim(t *testing.T) {
	h := world(t)
	// Billed a level-5 visit and a lab that was never drawn; the corrected claim bills level 3 only.
	orig := submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99215", "2026-03-10", 25000), line("80053", "2026-03-10", 6000))
	var r Replacement
	res := h.Call("replaceClaim", replaceArgs{ClaimID: "CLM-1", Replacement: claimArgs{ClaimID: "CLM-1R", MemberID: subscriber,
		Lines: []lineArgs{line("99213", "2026-03-10", 15000)}}}, sdktest.As(hospital1), sdktest.At(day("2026-03-15")))
	res.JSON(t, &r)
	if r.Original.Status != claimReplaced || r.Original.ReplacedBy != "CLM-1R" || r.Original.Reversal.PaymentCents != -orig.PaymentCents ||
		r.Original.Reversal.Reason != "replacement" {
		t.Errorf("original = status %s, replaced by %s, reversal %+v", r.Original.Status, r.Original.ReplacedBy, r.Original.Reversal)
	}
	if r.Replacement.Replaces != "CLM-1" || r.Replacement.Status != claimActive || r.Replacement.PaymentCents != 6500 {
		t.Errorf("replacement = %+v", r.Replacement)
	}
	res.RequireEvent(t, "ClaimReplaced")
	res.RequireEvent(t, "ClaimAdjudicated")
	m, _ := accums(t, h, subscriber, smithFam)
	if m.In != (Spend{OOPCents: 3000}) || m.Benefits["lab"] != (Usage{}) || m.Benefits["office-visit"] != (Usage{Visits: 1, Units: 1}) {
		t.Errorf("accumulators after the replacement = %+v", m)
	}
	var stored Claim
	if h.GetJSON(claimKey(hospital1MSP, "CLM-1"), &stored); stored.Status != claimReplaced {
		t.Errorf("stored original status = %s", stored.Status)
	}
}

func TestHealthplan_ReplaceClaim_Errors(t *testing.T) {
	h := world(t)
	submit(t, h, hospital1, "2026-03-12", "CLM-1", subscriber, line("99213", "2026-03-10", 15000))
	submit(t, h, hospital1, "2026-03-12", "CLM-2", subscriber, line("99213", "2026-03-11", 15000))
	submit(t, h, hospital1, "2026-03-12", "CLM-3", subscriber, line("99213", "2026-03-09", 15000))
	h.Call("replaceClaim", replaceArgs{ClaimID: "CLM-3", Replacement: claimArgs{ClaimID: "CLM-3R", MemberID: subscriber,
		Lines: []lineArgs{line("99212", "2026-03-09", 9000)}}}, sdktest.As(hospital1), sdktest.At(day("2026-03-12"))).RequireOK(t)
	repl := func(id, member string) claimArgs {
		return claimArgs{ClaimID: id, MemberID: member, Lines: []lineArgs{line("99212", "2026-03-10", 9000)}}
	}
	tests := []struct {
		name   string
		caller sdktest.Identity
		args   replaceArgs
		want   string
	}{
		{"payer", examiner, replaceArgs{ClaimID: "CLM-1", Replacement: repl("CLM-1R", subscriber)}, "permission_denied: replacing a claim needs a provider identity"},
		{"another provider", hospital2, replaceArgs{ClaimID: "CLM-1", Replacement: repl("CLM-1R", subscriber)}, "not_found: provider Hospital2MSP has no claim CLM-1"},
		{"unknown original", hospital1, replaceArgs{ClaimID: "CLM-9", Replacement: repl("CLM-9R", subscriber)}, "not_found: provider Hospital1MSP has no claim CLM-9"},
		{"already replaced", hospital1, replaceArgs{ClaimID: "CLM-3", Replacement: repl("CLM-3S", subscriber)}, "failed_precondition: claim CLM-3 is replaced; only an active claim can be reversed"},
		{"same claim id", hospital1, replaceArgs{ClaimID: "CLM-1", Replacement: repl("CLM-1", subscriber)}, "invalid_argument: the replacement needs a new claimId, not CLM-1"},
		{"replacement id in use", hospital1, replaceArgs{ClaimID: "CLM-1", Replacement: repl("CLM-2", subscriber)}, "already_exists: claim CLM-2 of Hospital1MSP was already submitted"},
		{"another member", hospital1, replaceArgs{ClaimID: "CLM-1", Replacement: repl("CLM-1R", spouse)}, "invalid_argument: the replacement must be for the original claim's member"},
		{"invalid replacement", hospital1, replaceArgs{ClaimID: "CLM-1", Replacement: claimArgs{ClaimID: "CLM-1R", MemberID: subscriber}}, "invalid_argument: a claim must have 1 to 50 lines (got 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Call("replaceClaim", tt.args, sdktest.As(tt.caller), sdktest.At(day("2026-03-15"))).RequireError(t, tt.want)
		})
	}
	var c Claim
	if h.GetJSON(claimKey(hospital1MSP, "CLM-1"), &c); c.Status != claimActive {
		t.Errorf("CLM-1 after refused replacements is %s", c.Status)
	}
}

// TestHealthplan_accumulatorInvariant submits and reverses a mix of claims for the family and checks that the
// accumulators are exactly the sum of what the active claims' lines contributed.
func TestHealthplan_accumulatorInvariant(t *testing.T) {
	h := world(t, func(p *planArgs) {
		p.InNetwork.OOPMaxIndividualCents, p.InNetwork.OOPMaxFamilyCents = i64(160000), i64(320000)
	})
	members := []string{subscriber, spouse, child}
	codes := []lineArgs{line("99213", "", 15000), line("80061", "", 90000), line("81479", "", 250000), line("99283", "", 90000)}
	var ids []string
	for i := range 24 {
		l := codes[i%len(codes)]
		l.ServiceDate = addDays("2026-02-01", i)
		provider := []sdktest.Identity{hospital1, clinic9, hospital2}[i%3]
		id := "CLM-" + string(rune('A'+i))
		c := submit(t, h, provider, "2026-03-01", id, members[i%3], l)
		checkBalanced(t, c)
		ids = append(ids, provider.MSPID+"/"+id)
	}
	for i, ref := range ids {
		if i%4 == 1 {
			provider, id, _ := strings.Cut(ref, "/")
			h.Call("voidClaim", voidArgs{ClaimID: id, ProviderMSPID: provider, Reason: "billingError"}, sdktest.As(examiner)).RequireOK(t)
		}
		if i%5 == 2 {
			provider, id, _ := strings.Cut(ref, "/")
			var c Claim
			h.GetJSON(claimKey(provider, id), &c)
			if c.Status == claimActive {
				l := lineArgs{Code: "99212", ServiceDate: c.Lines[0].ServiceDate, Units: 1, ChargeCents: 9000}
				as := map[string]sdktest.Identity{hospital1MSP: hospital1, hospital2MSP: hospital2, clinic9MSP: clinic9}[provider]
				h.Call("replaceClaim", replaceArgs{ClaimID: id, Replacement: claimArgs{ClaimID: id + "R", MemberID: c.MemberID, Lines: []lineArgs{l}}},
					sdktest.As(as), sdktest.At(day("2026-03-02"))).RequireOK(t)
			}
		}
	}
	want := map[string]*Accumulator{}
	get := func(k string) *Accumulator {
		if want[k] == nil {
			want[k] = &Accumulator{}
		}
		return want[k]
	}
	for _, key := range h.Keys(prefixClaim) {
		var c Claim
		h.GetJSON(key, &c)
		if c.Status != claimActive {
			continue
		}
		for _, l := range c.Lines {
			if l.VisitsCounted == 0 {
				continue
			}
			for _, a := range []*Accumulator{get(c.MemberID), get(c.FamilyID)} {
				sp := a.tier(l.Network)
				sp.DeductibleCents += l.DeductibleCents
				sp.OOPCents += l.DeductibleCents + l.CopayCents + l.CoinsuranceCents
			}
		}
	}
	for _, who := range append(members, smithFam) {
		var got Accumulator
		key := accumKey(who, "acme-silver-ppo", "2026-01-01")
		if who == smithFam {
			key = faccumKey(who, "acme-silver-ppo", "2026-01-01")
		}
		h.GetJSON(key, &got)
		w := get(who)
		if got.In != w.In || got.Out != w.Out {
			t.Errorf("%s accumulators = in %+v out %+v; active claims sum to in %+v out %+v", key, got.In, got.Out, w.In, w.Out)
		}
	}
	var fam Accumulator
	h.GetJSON(faccumKey(smithFam, "acme-silver-ppo", "2026-01-01"), &fam)
	if fam.In.OOPCents > 320000 || fam.In.OOPCents == 0 {
		t.Errorf("family in-network out-of-pocket %d: want it moved and within the $3,200 maximum", fam.In.OOPCents)
	}
}
