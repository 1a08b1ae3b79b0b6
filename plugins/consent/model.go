package main

import (
	"fmt"
	"time"
)

// The ledger layout. Patient ids are fixed-length hex, so "consent/<patient>/" never prefixes another patient's
// keys, and every per-patient listing is one range scan. Numbers are zero-padded so byte order is numeric order.
//
//	consent/<patient>/<id>                     current Consent
//	history/<patient>/<id>/<version:010>       every version of a Consent, for decisions that cite a version
//	delegate/<patient>/<identityHash>          Delegate
//	study/<id>                                 ResearchStudy
//	anchor/<patient>/<id>                      Anchor
//	audit/<patient>/<nanos:019>/<txId>         AuditEntry, in time order
//	breakglass/<patient>/<nanos:019>/<txId>    AuditEntry of a break-glass request (the patient's report)
const (
	prefixConsent    = "consent/"
	prefixHistory    = "history/"
	prefixDelegate   = "delegate/"
	prefixStudy      = "study/"
	prefixAnchor     = "anchor/"
	prefixAudit      = "audit/"
	prefixBreakGlass = "breakglass/"
)

func consentKey(patient, id string) string { return prefixConsent + patient + "/" + id }
func delegateKey(patient, h string) string { return prefixDelegate + patient + "/" + h }
func studyKey(id string) string            { return prefixStudy + id }
func anchorKey(patient, id string) string  { return prefixAnchor + patient + "/" + id }
func historyKey(patient, id string, version int) string {
	return fmt.Sprintf("%s%s/%s/%010d", prefixHistory, patient, id, version)
}

// timeKey renders t as 19 zero-padded digits of Unix nanoseconds, which sort like the times they encode.
func timeKey(t time.Time) string {
	n := t.UnixNano()
	if n < 0 {
		n = 0
	}
	return fmt.Sprintf("%019d", n)
}

// Coding is a FHIR Coding: a code from a code system. Display text is left out on purpose: codes carry the
// meaning, and free text is where PHI creeps in.
type Coding struct {
	System string `json:"system"`
	Code   string `json:"code"`
}

// CodeableConcept is a FHIR CodeableConcept without text (see Coding).
type CodeableConcept struct {
	Coding []Coding `json:"coding"`
}

// has reports whether the concept holds a coding with system and code.
func (c CodeableConcept) has(system, code string) bool {
	for _, cd := range c.Coding {
		if cd.System == system && cd.Code == code {
			return true
		}
	}
	return false
}

// Reference is a FHIR literal reference, e.g. "Patient/<hex>", "Organization/Hospital1MSP".
type Reference struct {
	Reference string `json:"reference"`
}

// Period is a FHIR Period: both ends inclusive, either may be open.
type Period struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// contains reports whether t lies in p.
func (p Period) contains(t time.Time) bool {
	return (p.Start.IsZero() || !t.Before(p.Start)) && (p.End.IsZero() || !t.After(p.End))
}

// covers reports whether every instant of q lies in p (an open end of q lies in p only if p is open there too).
func (p Period) covers(q Period) bool {
	startOK := p.Start.IsZero() || (!q.Start.IsZero() && !q.Start.Before(p.Start))
	endOK := p.End.IsZero() || (!q.End.IsZero() && !q.End.After(p.End))
	return startOK && endOK
}

// overlaps reports whether p and q share an instant.
func (p Period) overlaps(q Period) bool {
	return (p.End.IsZero() || q.Start.IsZero() || !q.Start.After(p.End)) &&
		(q.End.IsZero() || p.Start.IsZero() || !p.Start.After(q.End))
}

// Meta is FHIR resource metadata: the version (a decimal string, "1" on creation) and when it was written.
// Source names the organisation whose member wrote the version ("urn:medledger:msp:<mspId>").
type Meta struct {
	VersionID   string    `json:"versionId"`
	LastUpdated time.Time `json:"lastUpdated"`
	Source      string    `json:"source"`
}

// Policy is a FHIR Consent.policy: the policy the consent is made under.
type Policy struct {
	Authority string `json:"authority,omitempty"`
	URI       string `json:"uri,omitempty"`
}

// Actor is a FHIR Consent.provision.actor: who the rule is about, and in what role.
type Actor struct {
	Role      CodeableConcept `json:"role"`
	Reference Reference       `json:"reference"`
}

// Provision is a FHIR Consent.provision: a rule, with nested rules as exceptions to it.
type Provision struct {
	Type          string            `json:"type"`
	Period        *Period           `json:"period,omitempty"`
	Actor         []Actor           `json:"actor,omitempty"`
	Action        []CodeableConcept `json:"action,omitempty"`
	SecurityLabel []Coding          `json:"securityLabel,omitempty"`
	Purpose       []Coding          `json:"purpose,omitempty"`
	Class         []Coding          `json:"class,omitempty"`
	DataPeriod    *Period           `json:"dataPeriod,omitempty"`
	Provision     []Provision       `json:"provision,omitempty"`
}

// Consent is a FHIR R4 Consent as stored on the ledger. The contract sets meta, dateTime and performer.
type Consent struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         Meta              `json:"meta"`
	Status       string            `json:"status"`
	Scope        CodeableConcept   `json:"scope"`
	Category     []CodeableConcept `json:"category"`
	Patient      Reference         `json:"patient"`
	DateTime     time.Time         `json:"dateTime"`
	Performer    []Reference       `json:"performer"`
	Organization []Reference       `json:"organization,omitempty"`
	Policy       []Policy          `json:"policy,omitempty"`
	PolicyRule   *CodeableConcept  `json:"policyRule,omitempty"`
	Provision    Provision         `json:"provision"`
}

// scope returns the consent's consentscope code (validation guarantees there is exactly one).
func (c Consent) scope() string {
	for _, cd := range c.Scope.Coding {
		if cd.System == sysConsentScope {
			return cd.Code
		}
	}
	return ""
}

// Delegate is a person registered to act for a patient (a guardian, a parent, a holder of a health-care power of
// attorney). They are known by the SHA-256 of their Fabric identity string, never by name.
type Delegate struct {
	Patient      string    `json:"patient"`
	IdentityHash string    `json:"identityHash"`
	MSPID        string    `json:"mspId"`
	Relationship Coding    `json:"relationship"`
	Period       *Period   `json:"period,omitempty"`
	Registered   time.Time `json:"registered"`
	RegisteredBy string    `json:"registeredBy"`
}

// EthicsApproval names the ethics committee (IRB) approval a study runs under.
type EthicsApproval struct {
	Authority string `json:"authority"`
	Reference string `json:"reference"`
}

// Study is a FHIR R4 ResearchStudy reduced to what consent decisions need.
type Study struct {
	ResourceType   string         `json:"resourceType"`
	ID             string         `json:"id"`
	Title          string         `json:"title,omitempty"`
	Status         string         `json:"status"`
	Sponsor        Reference      `json:"sponsor"`
	Site           []Reference    `json:"site,omitempty"`
	Period         Period         `json:"period"`
	Purpose        Coding         `json:"purpose"`
	Class          []Coding       `json:"class"`
	EthicsApproval EthicsApproval `json:"ethicsApproval"`
	Registered     time.Time      `json:"registered"`
}

// Study states (a subset of FHIR R4 ResearchStudyStatus).
const (
	studyActive    = "active"
	studyCompleted = "completed"
	studyWithdrawn = "withdrawn"
)

// Anchor fixes a clinical record kept off-chain: its SHA-256 and where it lives. Anyone holding the record can
// verify it against the anchor; the ledger never sees its content.
type Anchor struct {
	ID          string    `json:"id"`
	Patient     string    `json:"patient"`
	Hash        string    `json:"hash"`
	Location    string    `json:"location"`
	Class       Coding    `json:"class"`
	ContentType string    `json:"contentType,omitempty"`
	Custodian   Reference `json:"custodian"`
	Registered  time.Time `json:"registered"`
}

// Agent is who asked for access: the caller's organisation and Fabric identity, with the attributes that
// matched (FHIR AuditEvent.agent).
type Agent struct {
	MSPID          string `json:"mspId"`
	ID             string `json:"id"`
	Role           string `json:"role,omitempty"`
	PractitionerID string `json:"practitionerId,omitempty"`
}

// Rule names the provision that decided: consent id and version, and the provision's path within it.
type Rule struct {
	Consent   string `json:"consent"`
	VersionID string `json:"versionId"`
	Provision string `json:"provision"`
	Type      string `json:"type"`
}

// Decision bases: why the decision is what it is.
const (
	basisSpecific   = "specific"   // a nested provision, or a root provision that names whom/what it is about
	basisBase       = "base"       // a root provision with no conditions but a period: the consent's base policy
	basisNoConsent  = "no-consent" // no active consent speaks to the request: deny
	basisBreakGlass = "break-glass"
)

// AuditEntry records one access decision (FHIR AuditEvent: recorded, agent, purposeOfEvent, outcome, entity).
type AuditEntry struct {
	ID            string    `json:"id"`
	Patient       string    `json:"patient"`
	Recorded      time.Time `json:"recorded"`
	TxID          string    `json:"txId"`
	Agent         Agent     `json:"agent"`
	Action        string    `json:"action"`
	Purpose       string    `json:"purpose"`
	Class         Coding    `json:"class"`
	SecurityLabel []Coding  `json:"securityLabel,omitempty"`
	DataPeriod    *Period   `json:"dataPeriod,omitempty"`
	Study         string    `json:"study,omitempty"`
	BreakGlass    bool      `json:"breakGlass,omitempty"`
	Decision      string    `json:"decision"`
	Basis         string    `json:"basis"`
	DecidedBy     *Rule     `json:"decidedBy,omitempty"`
	// ConsentDecision is, for break-glass, what the patient's consents alone would have decided.
	ConsentDecision string `json:"consentDecision,omitempty"`
	Reason          string `json:"reason"`
}

// DecisionResult is what check and breakGlass return.
type DecisionResult struct {
	Decision        string `json:"decision"`
	Basis           string `json:"basis"`
	DecidedBy       *Rule  `json:"decidedBy,omitempty"`
	ConsentDecision string `json:"consentDecision,omitempty"`
	Reason          string `json:"reason"`
	AuditID         string `json:"auditId"`
}
