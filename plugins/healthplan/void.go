package main

import (
	"slices"

	"github.com/medledger/medledger/plugins/sdk"
)

// voidReasons are the reasons a claim may be voided (X12 837 frequency code 8, or a payer recoupment).
var voidReasons = []string{"billingError", "duplicateSubmission", "payerRecoupment", "serviceNotRendered"}

type voidArgs struct {
	ClaimID       string `json:"claimId"`
	ProviderMSPID string `json:"providerMspId,omitempty"`
	Reason        string `json:"reason"`
}

// voidEvent is the payload of ClaimVoided and ClaimReplaced.
type voidEvent struct {
	ClaimID                    string `json:"claimId"`
	ProviderMSPID              string `json:"providerMspId"`
	PayerMSPID                 string `json:"payerMspId"`
	MemberID                   string `json:"memberId"`
	Reason                     string `json:"reason"`
	PaymentCents               int64  `json:"paymentCents"`
	PatientResponsibilityCents int64  `json:"patientResponsibilityCents"`
	ReplacedBy                 string `json:"replacedBy,omitempty"`
	AuditID                    string `json:"auditId"`
}

// voidClaim cancels an active claim (X12 837 frequency code 8) and reverses its adjudication (835 CLP02 = 22):
// the deductible, out-of-pocket and benefit use it added and the authorization units it used are taken back,
// and its services may be billed again. The submitting provider or the member's payer may void.
func voidClaim(ctx sdk.Context, a voidArgs) (Claim, error) {
	if !slices.Contains(voidReasons, a.Reason) {
		return Claim{}, invalid("reason %q must be one of %v", a.Reason, voidReasons)
	}
	c, err := loadClaimRef(ctx, a.ClaimID, a.ProviderMSPID)
	if err != nil {
		return Claim{}, err
	}
	if err := mayReverse(ctx, c, "voiding claim "+c.ClaimID, true); err != nil {
		return Claim{}, err
	}
	b := newBook(ctx)
	if err := reverse(b, c); err != nil {
		return Claim{}, err
	}
	if err := b.flush(); err != nil {
		return Claim{}, err
	}
	markReversed(ctx, c, claimVoided, a.Reason)
	if err := saveClaim(ctx, c); err != nil {
		return Claim{}, err
	}
	e, err := record(ctx, c.MemberID, claimKey(c.ProviderMSPID, c.ClaimID), "HPAYMT", "voided: "+a.Reason)
	if err != nil {
		return Claim{}, err
	}
	return *c, ctx.Emit("ClaimVoided", reversalEvent(c, e.AuditID))
}

type replaceArgs struct {
	ClaimID     string    `json:"claimId"`
	Replacement claimArgs `json:"replacement"`
}

// Replacement is the result of replaceClaim: the original, now reversed, and the adjudicated replacement.
type Replacement struct {
	Original    Claim `json:"original"`
	Replacement Claim `json:"replacement"`
}

// replaceClaim replaces a provider's active claim with a corrected one under a new claim id (X12 837
// frequency code 7): the original is reversed exactly as by voidClaim, then the replacement is adjudicated
// against the ledger as it stands without the original, all in one transaction.
func replaceClaim(ctx sdk.Context, a replaceArgs) (Replacement, error) {
	provider, err := asProvider(ctx, "replacing a claim")
	if err != nil {
		return Replacement{}, err
	}
	orig, err := loadClaimRef(ctx, a.ClaimID, provider)
	if err != nil {
		return Replacement{}, err
	}
	if err := mayReverse(ctx, orig, "replacing claim "+orig.ClaimID, false); err != nil {
		return Replacement{}, err
	}
	if a.Replacement.ClaimID == orig.ClaimID {
		return Replacement{}, invalid("the replacement needs a new claimId, not %s", orig.ClaimID)
	}
	if a.Replacement.MemberID != orig.MemberID {
		return Replacement{}, invalid("the replacement must be for the original claim's member")
	}
	c, m, err := newClaim(ctx, provider, a.Replacement)
	if err != nil {
		return Replacement{}, err
	}
	b := newBook(ctx)
	if err := reverse(b, orig); err != nil {
		return Replacement{}, err
	}
	c.Replaces = orig.ClaimID
	if err := adjudicate(b, m, c, txDate(ctx)); err != nil {
		return Replacement{}, err
	}
	if err := b.flush(); err != nil {
		return Replacement{}, err
	}
	markReversed(ctx, orig, claimReplaced, "replacement")
	orig.ReplacedBy = c.ClaimID
	if err := saveClaim(ctx, orig); err != nil {
		return Replacement{}, err
	}
	if err := saveAdjudicated(ctx, c); err != nil {
		return Replacement{}, err
	}
	ev := reversalEvent(orig, "")
	ev.ReplacedBy = c.ClaimID
	return Replacement{Original: *orig, Replacement: *c}, ctx.Emit("ClaimReplaced", ev)
}

// mayReverse checks that the caller may reverse c (its provider; its payer too when payer) and that c is active.
func mayReverse(ctx sdk.Context, c *Claim, what string, payer bool) error {
	caller := ctx.Caller()
	role, _ := caller.Attr(attrRole)
	byProvider := role == roleProvider && caller.HasRole(ouClient) && caller.MSPID == c.ProviderMSPID
	byPayer := payer && role == rolePayer && caller.HasRole(ouClient, ouAdmin) && caller.MSPID == c.PayerMSPID
	switch {
	case !byProvider && !byPayer && payer:
		return denied("%s needs the submitting provider %s (role=provider) or the payer %s (role=payer)", what, c.ProviderMSPID, c.PayerMSPID)
	case !byProvider && !byPayer:
		return denied("%s needs the submitting provider %s (role=provider)", what, c.ProviderMSPID)
	case c.Status != claimActive:
		return precondition("claim %s is %s; only an active claim can be reversed", c.ClaimID, c.Status)
	}
	return nil
}

// markReversed sets c's status and its 835 reversal: status code 22 with the original amounts negated.
func markReversed(ctx sdk.Context, c *Claim, status, reason string) {
	c.Status = status
	c.Reversal = &Reversal{ClaimStatusCode: clpReversal, Reason: reason, At: ctx.TxTime(), ByMSPID: ctx.Caller().MSPID,
		PaymentCents: -c.PaymentCents, PatientResponsibilityCents: -c.PatientResponsibilityCents}
}

func reversalEvent(c *Claim, auditID string) voidEvent {
	return voidEvent{ClaimID: c.ClaimID, ProviderMSPID: c.ProviderMSPID, PayerMSPID: c.PayerMSPID, MemberID: c.MemberID,
		Reason: c.Reversal.Reason, PaymentCents: c.Reversal.PaymentCents,
		PatientResponsibilityCents: c.Reversal.PatientResponsibilityCents, AuditID: auditID}
}
