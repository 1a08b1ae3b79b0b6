package main

import (
	"fmt"
	"slices"

	"github.com/medledger/medledger/plugins/sdk"
)

type claimArgs struct {
	ClaimID    string     `json:"claimId"`
	MemberID   string     `json:"memberId"`
	Attachment *Anchor    `json:"attachment,omitempty"`
	Lines      []lineArgs `json:"lines"`
}

type lineArgs struct {
	Code        string   `json:"code"`
	Modifiers   []string `json:"modifiers,omitempty"`
	ServiceDate string   `json:"serviceDate"`
	Units       int      `json:"units"`
	ChargeCents int64    `json:"chargeCents"`
	PriorAuthID string   `json:"priorAuthId,omitempty"`
}

// claimEvent is the payload of ClaimAdjudicated.
type claimEvent struct {
	ClaimID                    string `json:"claimId"`
	ProviderMSPID              string `json:"providerMspId"`
	PayerMSPID                 string `json:"payerMspId"`
	MemberID                   string `json:"memberId"`
	ClaimStatusCode            string `json:"claimStatusCode"`
	ChargeCents                int64  `json:"chargeCents"`
	AllowedCents               int64  `json:"allowedCents"`
	PaymentCents               int64  `json:"paymentCents"`
	PatientResponsibilityCents int64  `json:"patientResponsibilityCents"`
	Replaces                   string `json:"replaces,omitempty"`
	AuditID                    string `json:"auditId"`
}

// submitClaim files a provider's claim (X12 837P) for a member and adjudicates it at once; the result is the
// claim with its line-by-line explanation (X12 835, FHIR ExplanationOfBenefit). A claim id may be used once
// per provider: resubmitting it is refused as a replay. Duplicated services under a new id are adjudicated and
// denied line by line (OA-18).
func submitClaim(ctx sdk.Context, a claimArgs) (Claim, error) {
	provider, err := asProvider(ctx, "submitting a claim")
	if err != nil {
		return Claim{}, err
	}
	c, m, err := newClaim(ctx, provider, a)
	if err != nil {
		return Claim{}, err
	}
	b := newBook(ctx)
	if err := adjudicate(b, m, c, txDate(ctx)); err != nil {
		return Claim{}, err
	}
	if err := b.flush(); err != nil {
		return Claim{}, err
	}
	return *c, saveAdjudicated(ctx, c)
}

// newClaim validates a and builds the unadjudicated claim of provider, checking that the claim id is new and
// the member exists.
func newClaim(ctx sdk.Context, provider string, a claimArgs) (*Claim, *Member, error) {
	if err := validateClaim(a, txDate(ctx)); err != nil {
		return nil, nil, err
	}
	var prior Claim
	if found, err := ctx.GetJSON(claimKey(provider, a.ClaimID), &prior); err != nil {
		return nil, nil, err
	} else if found {
		return nil, nil, exists("claim %s of %s was already submitted (status %s); void or replace it instead", a.ClaimID, provider, prior.Status)
	}
	m, err := loadMember(ctx, a.MemberID)
	if err != nil {
		return nil, nil, err
	}
	c := &Claim{ClaimID: a.ClaimID, ProviderMSPID: provider, PayerMSPID: m.PayerMSPID, MemberID: m.MemberID,
		FamilyID: m.FamilyID, Status: claimActive, Attachment: a.Attachment, SubmittedAt: ctx.TxTime(),
		SubmittedBy: callerHash(ctx.Caller())}
	for i, l := range a.Lines {
		c.Lines = append(c.Lines, Line{LineNumber: i + 1, Code: l.Code, Modifiers: l.Modifiers, ServiceDate: l.ServiceDate,
			Units: l.Units, ChargeCents: l.ChargeCents, PriorAuthID: l.PriorAuthID})
	}
	return c, m, nil
}

// saveAdjudicated writes a newly adjudicated claim, its member index entry and audit entry, and emits
// ClaimAdjudicated.
func saveAdjudicated(ctx sdk.Context, c *Claim) error {
	if err := saveClaim(ctx, c); err != nil {
		return err
	}
	outcome := "processed"
	if c.ClaimStatusCode == clpDenied {
		outcome = "denied"
	}
	e, err := record(ctx, c.MemberID, claimKey(c.ProviderMSPID, c.ClaimID), "HPAYMT", outcome)
	if err != nil {
		return err
	}
	return ctx.Emit("ClaimAdjudicated", claimEvent{ClaimID: c.ClaimID, ProviderMSPID: c.ProviderMSPID,
		PayerMSPID: c.PayerMSPID, MemberID: c.MemberID, ClaimStatusCode: c.ClaimStatusCode, ChargeCents: c.ChargeCents,
		AllowedCents: c.AllowedCents, PaymentCents: c.PaymentCents, PatientResponsibilityCents: c.PatientResponsibilityCents,
		Replaces: c.Replaces, AuditID: e.AuditID})
}

// saveClaim writes the claim and its member index entry.
func saveClaim(ctx sdk.Context, c *Claim) error {
	if err := ctx.PutJSON(claimKey(c.ProviderMSPID, c.ClaimID), c); err != nil {
		return err
	}
	first := c.Lines[0].ServiceDate
	for _, l := range c.Lines {
		first = min(first, l.ServiceDate)
	}
	return ctx.PutJSON(mclaimKey(c.MemberID, c.ProviderMSPID, c.ClaimID), ClaimSummary{ClaimID: c.ClaimID,
		ProviderMSPID: c.ProviderMSPID, Status: c.Status, ClaimStatusCode: c.ClaimStatusCode, FirstServiceDate: first,
		ChargeCents: c.ChargeCents, PaymentCents: c.PaymentCents, PatientResponsibilityCents: c.PatientResponsibilityCents})
}

// validateClaim checks every field of a claim; today bounds the service dates.
func validateClaim(a claimArgs, today string) error {
	if err := token("claimId", a.ClaimID, 38); err != nil {
		return err
	}
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return err
	}
	if err := anchor("attachment", a.Attachment); err != nil {
		return err
	}
	if len(a.Lines) == 0 || len(a.Lines) > maxClaimLines {
		return invalid("a claim must have 1 to %d lines (got %d)", maxClaimLines, len(a.Lines))
	}
	for i, l := range a.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if err := procedureCode(f+".code", l.Code); err != nil {
			return err
		}
		if len(l.Modifiers) > maxModifiers {
			return invalid("%s has %d modifiers, more than %d", f, len(l.Modifiers), maxModifiers)
		}
		for j, mod := range l.Modifiers {
			if err := modifier(fmt.Sprintf("%s.modifiers[%d]", f, j), mod); err != nil {
				return err
			}
			if slices.Contains(l.Modifiers[:j], mod) {
				return invalid("%s lists modifier %s twice", f, mod)
			}
		}
		if err := date(f+".serviceDate", l.ServiceDate); err != nil {
			return err
		}
		if l.ServiceDate > today {
			return invalid("%s.serviceDate %s is in the future (today is %s): bill services once rendered", f, l.ServiceDate, today)
		}
		if l.Units < 1 || l.Units > maxUnits {
			return invalid("%s.units must be 1 to %d (got %d)", f, maxUnits, l.Units)
		}
		if l.ChargeCents < 1 || l.ChargeCents > maxChargeCents {
			return invalid("%s.chargeCents must be 1 to %d (got %d)", f, int64(maxChargeCents), l.ChargeCents)
		}
		if l.PriorAuthID != "" {
			if err := authIDFormat(f+".priorAuthId", l.PriorAuthID); err != nil {
				return err
			}
		}
	}
	return nil
}

type claimRefArgs struct {
	ClaimID       string `json:"claimId"`
	ProviderMSPID string `json:"providerMspId,omitempty"`
	Purpose       string `json:"purpose"`
}

// getClaim returns a claim with its adjudication to the provider that submitted it, the member's payer or the
// member, and records the read. A provider may leave providerMspId empty for its own claims.
func getClaim(ctx sdk.Context, a claimRefArgs) (Claim, error) {
	if err := purpose(a.Purpose); err != nil {
		return Claim{}, err
	}
	c, err := loadClaimRef(ctx, a.ClaimID, a.ProviderMSPID)
	if err != nil {
		return Claim{}, err
	}
	m, err := loadMember(ctx, c.MemberID)
	if err != nil {
		return Claim{}, err
	}
	if _, err := reader(ctx, m, "claim "+c.ClaimID, c.ProviderMSPID, false); err != nil {
		return Claim{}, err
	}
	return *c, recordRead(ctx, c.MemberID, claimKey(c.ProviderMSPID, c.ClaimID), a.Purpose, c.Status)
}

// loadClaimRef loads the claim claimID of provider (the caller's own organisation when provider is empty).
func loadClaimRef(ctx sdk.Context, claimID, provider string) (*Claim, error) {
	if err := token("claimId", claimID, 38); err != nil {
		return nil, err
	}
	if provider == "" {
		provider = ctx.Caller().MSPID
	}
	if err := token("providerMspId", provider, 128); err != nil {
		return nil, err
	}
	var c Claim
	found, err := ctx.GetJSON(claimKey(provider, claimID), &c)
	if err == nil && !found {
		err = notFound("provider %s has no claim %s", provider, claimID)
	}
	return &c, err
}

type listClaimsArgs struct {
	MemberID string `json:"memberId"`
	Purpose  string `json:"purpose"`
	Bookmark string `json:"bookmark,omitempty"`
	PageSize int    `json:"pageSize,omitempty"`
}

// ClaimPage is one page of a member's claims, ordered by provider and claim id.
type ClaimPage struct {
	Claims   []ClaimSummary `json:"claims"`
	Bookmark string         `json:"bookmark,omitempty"`
}

// listClaims returns a page of a member's claims: all of them to the member's payer and the member, only its
// own to a provider. The read is recorded.
func listClaims(ctx sdk.Context, a listClaimsArgs) (ClaimPage, error) {
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return ClaimPage{}, err
	}
	if err := purpose(a.Purpose); err != nil {
		return ClaimPage{}, err
	}
	n, err := pageSize(a.PageSize)
	if err != nil {
		return ClaimPage{}, err
	}
	m, err := loadMember(ctx, a.MemberID)
	if err != nil {
		return ClaimPage{}, err
	}
	who, err := reader(ctx, m, "the claims of a member", "*", false)
	if err != nil {
		return ClaimPage{}, err
	}
	prefix := prefixMClaim + a.MemberID + "/"
	if who == partyProvider {
		msp, err := callerMSP(ctx.Caller())
		if err != nil {
			return ClaimPage{}, err
		}
		prefix += msp + "/"
	}
	p := ctx.RangePage(prefix, sdk.PrefixEnd(prefix), a.Bookmark, n)
	page := ClaimPage{Claims: make([]ClaimSummary, 0, len(p.Entries)), Bookmark: p.Bookmark}
	for _, kv := range p.Entries {
		var s ClaimSummary
		if err := jsonValue(kv.Key, kv.Value, &s); err != nil {
			return ClaimPage{}, err
		}
		page.Claims = append(page.Claims, s)
	}
	return page, recordRead(ctx, a.MemberID, prefix, a.Purpose, fmt.Sprintf("%d claims", len(page.Claims)))
}
