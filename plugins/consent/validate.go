package main

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Bounds on a consent's size, so a check (which walks every provision of every consent of a patient) stays cheap
// and a consent stays far below the host's value limit.
const (
	maxDepth      = 8  // nesting levels of provisions below the root
	maxProvisions = 64 // provisions in one consent, root included
	maxListLen    = 32 // entries in any one list (actors, codings, categories, organizations, policies)
	maxURILen     = 512
	maxTitleLen   = 200
)

// patientID checks a pseudonymous patient id: 64 lowercase hex digits, the salted SHA-256 a hospital computes
// off-chain. The value is not echoed in the error, in case a caller sent a real identifier by mistake.
func patientID(field, id string) error {
	if len(id) != 64 || !isLowerHex(id) {
		return invalid("%s must be a pseudonymous patient id of 64 lowercase hex digits (got %d characters)", field, len(id))
	}
	return nil
}

// identityHash checks a delegate's identity hash: the SHA-256 of their Fabric identity string, 64 lowercase hex.
func identityHash(field, h string) error {
	if len(h) != 64 || !isLowerHex(h) {
		return invalid("%s must be the SHA-256 of a Fabric identity, 64 lowercase hex digits (got %d characters)", field, len(h))
	}
	return nil
}

// recordHash checks a record's SHA-256: 64 lowercase hex digits.
func recordHash(field, h string) error {
	if len(h) != 64 || !isLowerHex(h) {
		return invalid("%s must be a SHA-256 of 64 lowercase hex digits (got %d characters)", field, len(h))
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// resourceID checks a FHIR id: 1–max characters of [A-Za-z0-9-.].
func resourceID(field, id string, max int) error {
	if id == "" {
		return invalid("%s is required", field)
	}
	if len(id) > max {
		return invalid("%s %.20q... is %d characters, longer than %d", field, id, len(id), max)
	}
	for _, c := range id {
		if !isAlnum(c) && c != '-' && c != '.' {
			return invalid("%s %q may hold only letters, digits, '-' and '.' (FHIR id)", field, id)
		}
	}
	return nil
}

// token checks an MSP id or practitioner id: 1–64 characters of [A-Za-z0-9._-].
func token(field, s string) error {
	if s == "" || len(s) > 64 {
		return invalid("%s must be 1 to 64 characters (got %d)", field, len(s))
	}
	for _, c := range s {
		if !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return invalid("%s %q may hold only letters, digits, '.', '_' and '-'", field, s)
		}
	}
	return nil
}

// absoluteURI checks an absolute URI without credentials (a user:password@ part would put a secret on the ledger).
func absoluteURI(field, s string) error {
	if s == "" {
		return invalid("%s is required", field)
	}
	if len(s) > maxURILen {
		return invalid("%s is %d characters, longer than %d", field, len(s), maxURILen)
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f {
			return invalid("%s %q contains a space or control character", field, s)
		}
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return invalid("%s %q is not a URI: %v", field, s, err)
	case u.Scheme == "":
		return invalid("%s %q is not an absolute URI (no scheme)", field, s)
	case u.User != nil:
		return invalid("%s must not carry credentials (user info before '@')", field)
	}
	return nil
}

// text checks short free text (a study title): printable, bounded.
func text(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return invalid("%s must be valid UTF-8 of at most %d characters", field, max)
	}
	for _, c := range s {
		if c < ' ' || c == 0x7f {
			return invalid("%s contains a control character", field)
		}
	}
	return nil
}

// period checks that a period's start is not after its end.
func period(field string, p *Period) error {
	if p != nil && !p.Start.IsZero() && !p.End.IsZero() && p.Start.After(p.End) {
		return invalid("%s: start %s is after end %s", field, p.Start.Format(rfc3339), p.End.Format(rfc3339))
	}
	return nil
}

const rfc3339 = "2006-01-02T15:04:05Z07:00"

// Actor reference kinds. Practitioner ids are only unique within the CA that issues them, so a practitioner
// reference names the organisation too: "Practitioner/<mspId>/<practitionerId>".
const (
	refOrganization = "Organization"
	refPractitioner = "Practitioner"
	refStudy        = "ResearchStudy"
)

// actorRef is a parsed actor reference.
type actorRef struct {
	kind, msp, id string
}

// parseActorRef parses "Organization/<mspId>", "Practitioner/<mspId>/<practitionerId>" or "ResearchStudy/<id>".
func parseActorRef(field, ref string) (actorRef, error) {
	kind, rest, _ := strings.Cut(ref, "/")
	switch kind {
	case refOrganization:
		return actorRef{kind: kind, msp: rest}, token(field+" organization", rest)
	case refPractitioner:
		msp, id, ok := strings.Cut(rest, "/")
		if !ok {
			return actorRef{}, invalid("%s %q: a practitioner reference is Practitioner/<mspId>/<practitionerId>", field, ref)
		}
		if err := token(field+" organization", msp); err != nil {
			return actorRef{}, err
		}
		return actorRef{kind: kind, msp: msp, id: id}, token(field+" practitionerId", id)
	case refStudy:
		return actorRef{kind: kind, id: rest}, resourceID(field+" study id", rest, maxStudyID)
	}
	return actorRef{}, invalid("%s %q is not Organization/<mspId>, Practitioner/<mspId>/<practitionerId> or ResearchStudy/<id>", field, ref)
}

// orgRef parses "Organization/<mspId>" and returns the MSP id.
func orgRef(field, ref string) (string, error) {
	msp, ok := strings.CutPrefix(ref, refOrganization+"/")
	if !ok {
		return "", invalid("%s %q is not Organization/<mspId>", field, ref)
	}
	return msp, token(field, msp)
}

// patientRef parses "Patient/<64 hex>" and returns the patient id.
func patientRef(field, ref string) (string, error) {
	id, ok := strings.CutPrefix(ref, "Patient/")
	if !ok {
		return "", invalid("%s must be a reference Patient/<pseudonymous id>", field)
	}
	return id, patientID(field, id)
}

// listLen checks that a list has at most maxListLen entries (and at least min).
func listLen(field string, n, min int) error {
	if n < min {
		return invalid("%s needs at least %d entr%s", field, min, plural(min, "y", "ies"))
	}
	if n > maxListLen {
		return invalid("%s has %d entries, more than %d", field, n, maxListLen)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// concept checks a CodeableConcept whose codings must all come from systems (see checkCoding).
func concept(field string, c CodeableConcept, systems map[string]map[string]bool, allowLOINC bool) error {
	if err := listLen(field+".coding", len(c.Coding), 1); err != nil {
		return err
	}
	for i, cd := range c.Coding {
		if err := checkCoding(fmt.Sprintf("%s.coding[%d]", field, i), cd, systems, allowLOINC); err != nil {
			return err
		}
	}
	return nil
}

// codings checks a list of Codings against systems.
func codings(field string, cs []Coding, systems map[string]map[string]bool, allowLOINC bool) error {
	if err := listLen(field, len(cs), 0); err != nil {
		return err
	}
	for i, cd := range cs {
		if err := checkCoding(fmt.Sprintf("%s[%d]", field, i), cd, systems, allowLOINC); err != nil {
			return err
		}
	}
	return nil
}

// purposeCoding checks a v3 PurposeOfUse coding.
func purposeCoding(field string, c Coding) error {
	if c.System != sysActReason {
		return invalid("%s: code system %q is not %s", field, c.System, sysActReason)
	}
	if _, ok := purposeParent[c.Code]; !ok {
		return invalid("%s: %q is not a v3 PurposeOfUse code known here (known: %s)", field, c.Code, strings.Join(sortedKeys(purposeParent), ", "))
	}
	return nil
}
