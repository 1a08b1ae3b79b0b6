package main

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/medledger/medledger/plugins/sdk"
)

// denialReasons are the reasons a payer may give for not certifying a request; codes, never free text, so
// no clinical detail reaches the ledger.
var denialReasons = []string{"experimental", "insufficientInformation", "notCovered", "notMedicallyNecessary", "outOfNetwork"}

type authRequestArgs struct {
	RequestID     string  `json:"requestId"`
	MemberID      string  `json:"memberId"`
	Code          string  `json:"code"`
	Units         int     `json:"units"`
	ServicePeriod Period  `json:"servicePeriod"`
	Attachment    *Anchor `json:"attachment,omitempty"`
}

// authEvent is the payload of AuthorizationRequested and AuthorizationDecided.
type authEvent struct {
	AuthID        string  `json:"authId"`
	MemberID      string  `json:"memberId"`
	ProviderMSPID string  `json:"providerMspId"`
	PayerMSPID    string  `json:"payerMspId"`
	Code          string  `json:"code"`
	Status        string  `json:"status"`
	Units         int     `json:"units"`
	ApprovedUnits int     `json:"approvedUnits"`
	Validity      *Period `json:"validity,omitempty"`
	AuditID       string  `json:"auditId"`
}

// authID derives the authorization number from the requesting organisation and its trace number, so the
// provider knows it before the call and a replayed request finds its first submission.
func authID(provider, requestID string) string {
	sum := sha256.Sum256([]byte(provider + "\x00" + requestID))
	return "PA" + hex.EncodeToString(sum[:10])
}

// authIDFormat checks an authorization number: "PA" and 20 lowercase hex digits.
func authIDFormat(field, id string) error {
	if len(id) != 22 || id[:2] != "PA" || !isLowerHex(id[2:]) {
		return invalid("%s %q is not an authorization number (PA and 20 lowercase hex digits)", field, id)
	}
	return nil
}

// requestAuthorization files a provider's prior authorization request (X12 278 request) for a member covered
// on the first day of the requested service period. The request stays pending until the payer decides.
func requestAuthorization(ctx sdk.Context, a authRequestArgs) (Authorization, error) {
	provider, err := asProvider(ctx, "requesting prior authorization")
	if err != nil {
		return Authorization{}, err
	}
	if err := token("requestId", a.RequestID, 50); err != nil {
		return Authorization{}, err
	}
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return Authorization{}, err
	}
	if err := procedureCode("code", a.Code); err != nil {
		return Authorization{}, err
	}
	if a.Units < 1 || a.Units > maxUnits {
		return Authorization{}, invalid("units must be 1 to %d (got %d)", maxUnits, a.Units)
	}
	if err := boundedPeriod("servicePeriod", a.ServicePeriod); err != nil {
		return Authorization{}, err
	}
	if today := txDate(ctx); a.ServicePeriod.End < today {
		return Authorization{}, invalid("servicePeriod ended %s, before today (%s)", a.ServicePeriod.End, today)
	}
	if err := anchor("attachment", a.Attachment); err != nil {
		return Authorization{}, err
	}
	id := authID(provider, a.RequestID)
	if _, dup := ctx.GetState(authKey(id)); dup {
		return Authorization{}, exists("request %s of %s was already filed as authorization %s", a.RequestID, provider, id)
	}
	m, err := loadMember(ctx, a.MemberID)
	if err != nil {
		return Authorization{}, err
	}
	if cov, _ := m.coverageOn(a.ServicePeriod.Start); cov == nil {
		return Authorization{}, precondition("the member has no coverage on %s, the start of the service period", a.ServicePeriod.Start)
	}
	auth := Authorization{AuthID: id, RequestID: a.RequestID, ProviderMSPID: provider, PayerMSPID: m.PayerMSPID,
		MemberID: m.MemberID, Code: a.Code, Units: a.Units, ServicePeriod: a.ServicePeriod, Attachment: a.Attachment,
		Status: authPending, RequestedAt: ctx.TxTime()}
	if err := ctx.PutJSON(authKey(id), auth); err != nil {
		return Authorization{}, err
	}
	return auth, authRecorded(ctx, "AuthorizationRequested", &auth, "COVAUTH", "pending")
}

type authDecisionArgs struct {
	AuthID        string  `json:"authId"`
	Decision      string  `json:"decision"` // approve, deny
	ApprovedUnits int     `json:"approvedUnits,omitempty"`
	Validity      *Period `json:"validity,omitempty"`
	DenialReason  string  `json:"denialReason,omitempty"`
}

// decideAuthorization records the payer's decision on a pending request (X12 278 response, HCR01): approve
// all units (A1) or fewer (A2) for a validity period (default: the requested service period), or deny (A3)
// with a reason code.
func decideAuthorization(ctx sdk.Context, a authDecisionArgs) (Authorization, error) {
	payer, err := asPayer(ctx, "deciding prior authorization", false)
	if err != nil {
		return Authorization{}, err
	}
	if err := authIDFormat("authId", a.AuthID); err != nil {
		return Authorization{}, err
	}
	switch a.Decision {
	case "approve":
		if a.DenialReason != "" {
			return Authorization{}, invalid("denialReason is only for decision deny")
		}
	case "deny":
		if a.ApprovedUnits != 0 || a.Validity != nil {
			return Authorization{}, invalid("approvedUnits and validity are only for decision approve")
		}
		if !slices.Contains(denialReasons, a.DenialReason) {
			return Authorization{}, invalid("denialReason %q must be one of %v", a.DenialReason, denialReasons)
		}
	default:
		return Authorization{}, invalid("decision %q must be approve or deny", a.Decision)
	}
	var auth Authorization
	found, err := ctx.GetJSON(authKey(a.AuthID), &auth)
	switch {
	case err != nil:
		return Authorization{}, err
	case !found:
		return Authorization{}, notFound("authorization %s does not exist", a.AuthID)
	case auth.PayerMSPID != payer:
		return Authorization{}, denied("authorization %s is for payer %s to decide", a.AuthID, auth.PayerMSPID)
	case auth.Status != authPending:
		return Authorization{}, precondition("authorization %s was already decided (%s)", a.AuthID, auth.Status)
	}
	if a.Decision == "deny" {
		auth.Status, auth.ActionCode, auth.DenialReason = authDenied, "A3", a.DenialReason
	} else {
		units, validity := a.ApprovedUnits, auth.ServicePeriod
		if units == 0 {
			units = auth.Units
		}
		if units < 1 || units > auth.Units {
			return Authorization{}, invalid("approvedUnits must be 1 to the %d requested (got %d)", auth.Units, units)
		}
		if a.Validity != nil {
			if err := boundedPeriod("validity", *a.Validity); err != nil {
				return Authorization{}, err
			}
			validity = *a.Validity
		}
		if today := txDate(ctx); validity.End < today {
			return Authorization{}, invalid("validity ended %s, before today (%s)", validity.End, today)
		}
		auth.Status, auth.ActionCode, auth.ApprovedUnits, auth.Validity = authApproved, "A1", units, &validity
		if units < auth.Units {
			auth.Status, auth.ActionCode = authPartial, "A2"
		}
	}
	auth.DecidedAt, auth.DecidedBy = ctx.TxTime(), callerHash(ctx.Caller())
	if err := ctx.PutJSON(authKey(auth.AuthID), auth); err != nil {
		return Authorization{}, err
	}
	return auth, authRecorded(ctx, "AuthorizationDecided", &auth, "COVAUTH", auth.Status)
}

type getAuthArgs struct {
	AuthID  string `json:"authId"`
	Purpose string `json:"purpose"`
}

// getAuthorization returns an authorization to its requesting provider, the member's payer or the member,
// and records the read.
func getAuthorization(ctx sdk.Context, a getAuthArgs) (Authorization, error) {
	if err := authIDFormat("authId", a.AuthID); err != nil {
		return Authorization{}, err
	}
	if err := purpose(a.Purpose); err != nil {
		return Authorization{}, err
	}
	var auth Authorization
	found, err := ctx.GetJSON(authKey(a.AuthID), &auth)
	if err == nil && !found {
		err = notFound("authorization %s does not exist", a.AuthID)
	}
	if err != nil {
		return Authorization{}, err
	}
	m, err := loadMember(ctx, auth.MemberID)
	if err != nil {
		return Authorization{}, err
	}
	if _, err := reader(ctx, m, "authorization "+a.AuthID, auth.ProviderMSPID, false); err != nil {
		return Authorization{}, err
	}
	return auth, recordRead(ctx, auth.MemberID, authKey(auth.AuthID), a.Purpose, auth.Status)
}

// authRecorded audits a change to auth and emits event.
func authRecorded(ctx sdk.Context, event string, auth *Authorization, purpose, outcome string) error {
	e, err := record(ctx, auth.MemberID, authKey(auth.AuthID), purpose, outcome)
	if err != nil {
		return err
	}
	return ctx.Emit(event, authEvent{AuthID: auth.AuthID, MemberID: auth.MemberID, ProviderMSPID: auth.ProviderMSPID,
		PayerMSPID: auth.PayerMSPID, Code: auth.Code, Status: auth.Status, Units: auth.Units,
		ApprovedUnits: auth.ApprovedUnits, Validity: auth.Validity, AuditID: e.AuditID})
}

// boundedPeriod checks a period with both ends, end on or after start, at most a year long.
func boundedPeriod(field string, p Period) error {
	if err := date(field+".start", p.Start); err != nil {
		return err
	}
	if err := date(field+".end", p.End); err != nil {
		return err
	}
	if n := daysBetween(p.Start, p.End); n < 0 || n >= maxPeriodDays {
		return invalid("%s %s..%s must end on or after its start and span at most %d days", field, p.Start, p.End, maxPeriodDays)
	}
	return nil
}

// anchor checks an optional document anchor: a SHA-256 and a URI with a scheme, without spaces.
func anchor(field string, a *Anchor) error {
	if a == nil {
		return nil
	}
	if len(a.SHA256) != 64 || !isLowerHex(a.SHA256) {
		return invalid("%s.sha256 must be 64 lowercase hex digits (got %d characters)", field, len(a.SHA256))
	}
	if len(a.Location) == 0 || len(a.Location) > maxLocationLen {
		return invalid("%s.location must be 1 to %d bytes (got %d)", field, maxLocationLen, len(a.Location))
	}
	colon := -1
	for i := range len(a.Location) {
		c := a.Location[i]
		if c <= ' ' || c >= 0x7f {
			return invalid("%s.location must be a URI without spaces or control characters", field)
		}
		if c == ':' && colon < 0 {
			colon = i
		}
	}
	if colon < 1 || !isScheme(a.Location[:colon]) {
		return invalid("%s.location must be an absolute URI with a scheme (e.g. https:, s3:, urn:)", field)
	}
	return nil
}

func isScheme(s string) bool {
	for i := range len(s) {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || (c < '0' || c > '9') && c != '+' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}
