package main

import (
	"encoding/json"

	"github.com/medledger/medledger/plugins/sdk"
)

// record writes the audit entry of this call's access to member's data and returns it. Each call records at
// most one entry per member (the key holds the transaction id).
func record(ctx sdk.Context, member, resource, purpose, outcome string) (AuditEntry, error) {
	c := ctx.Caller()
	role, _ := c.Attr(attrRole)
	at := ctx.TxTime()
	id := timeKey(at) + "/" + ctx.TxID()
	e := AuditEntry{
		AuditID:    id,
		MemberID:   member,
		At:         at,
		MSPID:      c.MSPID,
		CallerHash: callerHash(c),
		CallerRole: role,
		Action:     ctx.Function(),
		Resource:   resource,
		Purpose:    purpose,
		Decision:   "permit",
		Outcome:    outcome,
	}
	return e, ctx.PutJSON(prefixAudit+member+"/"+id, e)
}

// accessEvent is the payload of MemberDataAccessed, emitted by every read that records an audit entry.
type accessEvent struct {
	MemberID string `json:"memberId"`
	Action   string `json:"action"`
	Resource string `json:"resource"`
	Purpose  string `json:"purpose"`
	AuditID  string `json:"auditId"`
}

// recordRead audits a read and emits MemberDataAccessed. Reads write: submit them as transactions when the
// record must persist (a Fabric evaluate runs the same checks but commits nothing).
func recordRead(ctx sdk.Context, member, resource, purpose, outcome string) error {
	e, err := record(ctx, member, resource, purpose, outcome)
	if err != nil {
		return err
	}
	return ctx.Emit("MemberDataAccessed", accessEvent{MemberID: member, Action: e.Action, Resource: resource,
		Purpose: purpose, AuditID: e.AuditID})
}

type auditArgs struct {
	MemberID string `json:"memberId"`
	Purpose  string `json:"purpose"`
	Bookmark string `json:"bookmark,omitempty"`
	PageSize int    `json:"pageSize,omitempty"`
}

// AuditPage is one page of a member's audit trail in time order; pass Bookmark back to continue.
type AuditPage struct {
	Entries  []AuditEntry `json:"entries"`
	Bookmark string       `json:"bookmark,omitempty"`
}

// auditTrail returns a page of the access decisions about a member's data. The member's payer, the member and
// regulators may read it; the read is itself recorded (after the page is taken, so it shows on the next page).
func auditTrail(ctx sdk.Context, a auditArgs) (AuditPage, error) {
	if err := pseudonym("memberId", a.MemberID); err != nil {
		return AuditPage{}, err
	}
	if err := purpose(a.Purpose); err != nil {
		return AuditPage{}, err
	}
	n, err := pageSize(a.PageSize)
	if err != nil {
		return AuditPage{}, err
	}
	m, err := loadMember(ctx, a.MemberID)
	if err != nil {
		return AuditPage{}, err
	}
	if _, err := reader(ctx, m, "the audit trail of a member", "", true); err != nil {
		return AuditPage{}, err
	}
	prefix := prefixAudit + a.MemberID + "/"
	p := ctx.RangePage(prefix, sdk.PrefixEnd(prefix), a.Bookmark, n)
	page := AuditPage{Entries: make([]AuditEntry, 0, len(p.Entries)), Bookmark: p.Bookmark}
	for _, kv := range p.Entries {
		var e AuditEntry
		if err := jsonValue(kv.Key, kv.Value, &e); err != nil {
			return AuditPage{}, err
		}
		page.Entries = append(page.Entries, e)
	}
	return page, recordRead(ctx, a.MemberID, "audit/"+a.MemberID, a.Purpose, "")
}

// jsonValue decodes a value read by a range scan; a value that does not fit is a corrupt ledger.
func jsonValue(key string, v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return internal("state key %q does not hold the expected JSON: %v", key, err)
	}
	return nil
}
