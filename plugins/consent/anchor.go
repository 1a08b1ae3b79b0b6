package main

import (
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

const evRecordAnchored = "RecordAnchored"

type anchorInput struct {
	Patient     string `json:"patient"`
	ID          string `json:"id"`
	Hash        string `json:"hash"`
	Location    string `json:"location"`
	Class       Coding `json:"class"`
	ContentType string `json:"contentType,omitempty"`
}

type verifyArgs struct {
	Patient string `json:"patient"`
	ID      string `json:"id"`
	Hash    string `json:"hash"`
}

// Verification is the answer of verifyAnchor: whether the presented hash is the anchored one, and the anchor.
type Verification struct {
	Verified bool   `json:"verified"`
	Anchor   Anchor `json:"anchor"`
}

type anchorEvent struct {
	Patient   string `json:"patient"`
	ID        string `json:"id"`
	Hash      string `json:"hash"`
	Custodian string `json:"custodian"`
}

// registerAnchor fixes a record's SHA-256 and location on the ledger, with the caller's organisation as its
// custodian. Anchors never change: a corrected record is a new record with a new anchor, so a registration
// replayed or repeated under the same id is refused. Callers: an admin, or a client with role clinician or
// provider.
func registerAnchor(ctx sdk.Context, a anchorInput) (Anchor, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return Anchor{}, err
	}
	if err := resourceID("id", a.ID, 64); err != nil {
		return Anchor{}, err
	}
	if err := recordHash("hash", a.Hash); err != nil {
		return Anchor{}, err
	}
	if err := absoluteURI("location", a.Location); err != nil {
		return Anchor{}, err
	}
	if err := checkCoding("class", a.Class, classCodes, true); err != nil {
		return Anchor{}, err
	}
	if a.ContentType != "" && !mimeType(a.ContentType) {
		return Anchor{}, invalid("contentType %q is not a MIME type such as application/fhir+json", a.ContentType)
	}
	caller := ctx.Caller()
	if !mayAnchor(caller) {
		role, _ := caller.Attr(attrRole)
		return Anchor{}, denied("registering a record anchor needs an admin, or a client with role clinician or provider (role attribute is %q)", role)
	}
	if _, found := ctx.GetState(anchorKey(a.Patient, a.ID)); found {
		return Anchor{}, exists("record %s is already anchored for this patient; anchors never change", a.ID)
	}
	an := Anchor{ID: a.ID, Patient: a.Patient, Hash: a.Hash, Location: a.Location, Class: a.Class,
		ContentType: a.ContentType, Custodian: Reference{Reference: refOrganization + "/" + caller.MSPID},
		Registered: ctx.TxTime()}
	if err := ctx.PutJSON(anchorKey(a.Patient, a.ID), an); err != nil {
		return Anchor{}, err
	}
	return an, ctx.Emit(evRecordAnchored, anchorEvent{Patient: a.Patient, ID: a.ID, Hash: a.Hash, Custodian: an.Custodian.Reference})
}

// verifyAnchor compares a record's SHA-256 with its anchor. Anyone may ask: the answer reveals nothing the
// asker did not already hold.
func verifyAnchor(ctx sdk.Context, a verifyArgs) (Verification, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return Verification{}, err
	}
	if err := resourceID("id", a.ID, 64); err != nil {
		return Verification{}, err
	}
	if err := recordHash("hash", a.Hash); err != nil {
		return Verification{}, err
	}
	var an Anchor
	found, err := ctx.GetJSON(anchorKey(a.Patient, a.ID), &an)
	if err != nil {
		return Verification{}, err
	}
	if !found {
		return Verification{}, notFound("record %s has no anchor for this patient", a.ID)
	}
	return Verification{Verified: an.Hash == a.Hash, Anchor: an}, nil
}

// mimeType reports whether s looks like type/subtype (RFC 6838 restricted names, parameters not allowed).
func mimeType(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && len(s) <= 127 && mimeName(typ) && mimeName(sub)
}

func mimeName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !mimeNameChar(s[i]) {
			return false
		}
	}
	return true
}

// mimeNameChar reports whether c may appear in an RFC 6838 restricted name.
func mimeNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&^_.+-", c) >= 0
}
