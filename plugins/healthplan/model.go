package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The ledger layout. Member and family ids are fixed-length hex and every other segment is a token without
// "/", so a prefix never matches another owner's keys; numbers are zero-padded so byte order is numeric order.
//
//	planmeta/<planId>                                   PlanMeta: owner and version index
//	plan/<planId>/<version:06>                          PlanVersion
//	member/<memberId>                                   Member with its coverage periods
//	family/<familyId>/<memberId>                        FamilyMember
//	auth/<authId>                                       Authorization
//	claim/<providerMsp>/<claimId>                       Claim with its line-by-line adjudication
//	mclaim/<memberId>/<providerMsp>/<claimId>           ClaimSummary (a member's claims, one scan)
//	dup/<memberId>/<date>/<code>/<modifiers>/<provMsp>  the claim line that owns this service (duplicate check)
//	accum/<memberId>/<planId>/<planYearStart>           Accumulator of one member in one plan year
//	faccum/<familyId>/<planId>/<planYearStart>          Accumulator of one family in one plan year
//	audit/<memberId>/<nanos:019>/<txId>                 AuditEntry, in time order
const (
	prefixPlanMeta = "planmeta/"
	prefixPlan     = "plan/"
	prefixMember   = "member/"
	prefixFamily   = "family/"
	prefixAuth     = "auth/"
	prefixClaim    = "claim/"
	prefixMClaim   = "mclaim/"
	prefixDup      = "dup/"
	prefixAccum    = "accum/"
	prefixFAccum   = "faccum/"
	prefixAudit    = "audit/"
)

func planMetaKey(plan string) string { return prefixPlanMeta + plan }
func planKey(plan string, version int) string {
	return fmt.Sprintf("%s%s/%06d", prefixPlan, plan, version)
}
func memberKey(member string) string         { return prefixMember + member }
func familyKey(family, member string) string { return prefixFamily + family + "/" + member }
func authKey(id string) string               { return prefixAuth + id }
func claimKey(provider, claim string) string { return prefixClaim + provider + "/" + claim }
func mclaimKey(member, provider, claim string) string {
	return prefixMClaim + member + "/" + provider + "/" + claim
}
func accumKey(member, plan, year string) string {
	return prefixAccum + member + "/" + plan + "/" + year
}
func faccumKey(family, plan, year string) string {
	return prefixFAccum + family + "/" + plan + "/" + year
}

// dupKey identifies one service: the same code with the same modifiers (in any order) for the same member on
// the same day from the same provider.
func dupKey(member, date, code string, modifiers []string, provider string) string {
	mods := "-"
	if len(modifiers) > 0 {
		sorted := slices.Clone(modifiers)
		slices.Sort(sorted)
		mods = strings.Join(sorted, "+")
	}
	return prefixDup + member + "/" + date + "/" + code + "/" + mods + "/" + provider
}

// timeKey renders t as 19 zero-padded digits of Unix nanoseconds, which sort like the times they encode.
func timeKey(t time.Time) string {
	n := t.UnixNano()
	if n < 0 {
		n = 0
	}
	return fmt.Sprintf("%019d", n)
}

// Period is a span of calendar dates, both ends inclusive (X12 RD8, FHIR Period); an empty End is open.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

// contains reports whether the date d lies in p.
func (p Period) contains(d string) bool {
	return d >= p.Start && (p.End == "" || d <= p.End)
}

// overlaps reports whether p and q share a day.
func (p Period) overlaps(q Period) bool {
	return (p.End == "" || q.Start <= p.End) && (q.End == "" || p.Start <= q.End)
}

// Anchor points at an off-chain document (a claim attachment, clinical notes for a prior authorization) by
// its SHA-256 and where the parties can fetch it; the document itself never reaches the ledger.
type Anchor struct {
	SHA256   string `json:"sha256"`
	Location string `json:"location"`
}

// PlanMeta is a plan's owner and its version index, in version order (which is also effectiveFrom order).
type PlanMeta struct {
	PlanID     string        `json:"planId"`
	PayerMSPID string        `json:"payerMspId"`
	Versions   []VersionInfo `json:"versions"`
}

// VersionInfo is what the version index keeps to pick the version in force on a date.
type VersionInfo struct {
	Version       int    `json:"version"`
	EffectiveFrom string `json:"effectiveFrom"`
	PlanYear      Period `json:"planYear"`
}

// PlanVersion is one published version of a health plan's rules (FHIR InsurancePlan.plan; X12 271 benefits).
type PlanVersion struct {
	PlanID           string           `json:"planId"`
	Version          int              `json:"version"`
	Name             string           `json:"name"`
	PayerMSPID       string           `json:"payerMspId"`
	PlanYear         Period           `json:"planYear"`
	EffectiveFrom    string           `json:"effectiveFrom"`
	TimelyFilingDays int              `json:"timelyFilingDays"`
	Network          []string         `json:"network"`
	InNetwork        Tier             `json:"inNetwork"`
	OutOfNetwork     Tier             `json:"outOfNetwork"`
	FeeSchedule      map[string]int64 `json:"feeSchedule"`
	Benefits         []Benefit        `json:"benefits"`
	Exclusions       []CodeRange      `json:"exclusions"`
	PublishedAt      time.Time        `json:"publishedAt"`
	PublishedBy      string           `json:"publishedBy"` // SHA-256 of the publisher's identity
}

// Tier holds the plan-level cost share and allowance of one network tier. A nil out-of-pocket maximum means
// the tier has none.
type Tier struct {
	DeductibleIndividualCents int64  `json:"deductibleIndividualCents"`
	DeductibleFamilyCents     int64  `json:"deductibleFamilyCents"`
	OOPMaxIndividualCents     *int64 `json:"oopMaxIndividualCents,omitempty"`
	OOPMaxFamilyCents         *int64 `json:"oopMaxFamilyCents,omitempty"`
	// FeeSchedulePercentBps scales the plan's fee schedule to this tier's allowance per unit (10000 = 100%).
	FeeSchedulePercentBps int `json:"feeSchedulePercentBps"`
	// UnlistedChargePercentBps is the allowance, as a share of the billed charge, for codes without a fee.
	UnlistedChargePercentBps int `json:"unlistedChargePercentBps"`
}

// Benefit is the coverage of one service category: which codes, the member's cost share in and out of
// network (OutOfNetwork nil: not covered out of network), prior authorization and annual limits.
type Benefit struct {
	ID            string      `json:"id"`
	Category      string      `json:"category"` // X12 EB03 service type code, e.g. 98 (office visit)
	Codes         []CodeRange `json:"codes"`
	InNetwork     CostShare   `json:"inNetwork"`
	OutOfNetwork  *CostShare  `json:"outOfNetwork,omitempty"`
	PriorAuth     bool        `json:"priorAuth,omitempty"`
	VisitsPerYear int         `json:"visitsPerYear,omitempty"`
	UnitsPerYear  int         `json:"unitsPerYear,omitempty"`
}

// CostShare is the member's share of a benefit's allowed amount: the deductible first (if it applies), then
// a copay per service line, then coinsurance on the rest.
type CostShare struct {
	CopayCents        int64 `json:"copayCents"`
	CoinsuranceBps    int   `json:"coinsuranceBps"`
	DeductibleApplies bool  `json:"deductibleApplies"`
}

// CodeRange is an inclusive range of procedure codes of one family; To empty means the single code From.
type CodeRange struct {
	From string `json:"from"`
	To   string `json:"to,omitempty"`
}

func (r CodeRange) last() string {
	if r.To == "" {
		return r.From
	}
	return r.To
}

// contains reports whether code lies in r (same family and between the ends).
func (r CodeRange) contains(code string) bool {
	return codeClass(code) == codeClass(r.From) && code >= r.From && code <= r.last()
}

// Member is an enrolled member (FHIR Coverage.beneficiary; X12 834 INS): a pseudonym, the family (subscriber
// group) they share accumulators with, their relationship to the subscriber and their coverage periods.
type Member struct {
	MemberID     string     `json:"memberId"`
	FamilyID     string     `json:"familyId"`
	Relationship string     `json:"relationship"`
	PayerMSPID   string     `json:"payerMspId"`
	Coverages    []Coverage `json:"coverages"` // sorted by start, never overlapping
}

// Coverage is one enrollment period in one plan.
type Coverage struct {
	PlanID string `json:"planId"`
	Period
}

// FamilyMember is the family index entry of a member.
type FamilyMember struct {
	Relationship string `json:"relationship"`
	PayerMSPID   string `json:"payerMspId"`
}

// Authorization is a prior authorization (X12 278; FHIR Claim use=preauthorization and its ClaimResponse).
type Authorization struct {
	AuthID        string    `json:"authId"`
	RequestID     string    `json:"requestId"`
	ProviderMSPID string    `json:"providerMspId"`
	PayerMSPID    string    `json:"payerMspId"`
	MemberID      string    `json:"memberId"`
	Code          string    `json:"code"`
	Units         int       `json:"units"`
	ServicePeriod Period    `json:"servicePeriod"`
	Attachment    *Anchor   `json:"attachment,omitempty"`
	Status        string    `json:"status"`               // pending, approved, partial, denied
	ActionCode    string    `json:"actionCode,omitempty"` // X12 HCR01: A1 certified, A2 partial, A3 not certified
	ApprovedUnits int       `json:"approvedUnits"`
	UnitsUsed     int       `json:"unitsUsed"`
	Validity      *Period   `json:"validity,omitempty"`
	DenialReason  string    `json:"denialReason,omitempty"`
	RequestedAt   time.Time `json:"requestedAt"`
	DecidedAt     time.Time `json:"decidedAt,omitzero"`
	DecidedBy     string    `json:"decidedBy,omitempty"` // SHA-256 of the decider's identity
}

// Authorization statuses.
const (
	authPending  = "pending"
	authApproved = "approved"
	authPartial  = "partial"
	authDenied   = "denied"
)

// Claim is a submitted professional claim with its adjudication (X12 837P in, 835 out; FHIR Claim and
// ExplanationOfBenefit). Amounts are integer cents; on every line ChargeCents = PaymentCents + the sum of its
// adjustments, the 835 balancing rule.
type Claim struct {
	ClaimID                    string    `json:"claimId"`
	ProviderMSPID              string    `json:"providerMspId"`
	PayerMSPID                 string    `json:"payerMspId"`
	MemberID                   string    `json:"memberId"`
	FamilyID                   string    `json:"familyId"`
	Status                     string    `json:"status"`          // active, voided, replaced
	ClaimStatusCode            string    `json:"claimStatusCode"` // 835 CLP02: 1 processed as primary, 4 denied
	Replaces                   string    `json:"replaces,omitempty"`
	ReplacedBy                 string    `json:"replacedBy,omitempty"`
	Attachment                 *Anchor   `json:"attachment,omitempty"`
	SubmittedAt                time.Time `json:"submittedAt"`
	SubmittedBy                string    `json:"submittedBy"` // SHA-256 of the submitter's identity
	ChargeCents                int64     `json:"chargeCents"`
	AllowedCents               int64     `json:"allowedCents"`
	PaymentCents               int64     `json:"paymentCents"`
	PatientResponsibilityCents int64     `json:"patientResponsibilityCents"`
	Lines                      []Line    `json:"lines"`
	Reversal                   *Reversal `json:"reversal,omitempty"`
}

// Claim statuses.
const (
	claimActive   = "active"
	claimVoided   = "voided"
	claimReplaced = "replaced"
)

// Line is one service line and its adjudication, explained by its adjustments.
type Line struct {
	LineNumber  int      `json:"lineNumber"`
	Code        string   `json:"code"`
	Modifiers   []string `json:"modifiers,omitempty"`
	ServiceDate string   `json:"serviceDate"`
	Units       int      `json:"units"`
	ChargeCents int64    `json:"chargeCents"`
	PriorAuthID string   `json:"priorAuthId,omitempty"`

	PlanID                     string       `json:"planId,omitempty"`
	PlanVersion                int          `json:"planVersion,omitempty"`
	PlanYearStart              string       `json:"planYearStart,omitempty"`
	BenefitID                  string       `json:"benefitId,omitempty"`
	Network                    string       `json:"network,omitempty"` // in, out
	UnitsAllowed               int          `json:"unitsAllowed"`
	AllowedCents               int64        `json:"allowedCents"`
	DeductibleCents            int64        `json:"deductibleCents"`
	CopayCents                 int64        `json:"copayCents"`
	CoinsuranceCents           int64        `json:"coinsuranceCents"`
	PaymentCents               int64        `json:"paymentCents"`
	PatientResponsibilityCents int64        `json:"patientResponsibilityCents"`
	Adjustments                []Adjustment `json:"adjustments"`
	Remarks                    []string     `json:"remarks,omitempty"` // explanations that adjust nothing

	// What the line added to accumulators and the authorization, so a void takes back exactly that.
	VisitsCounted int    `json:"visitsCounted,omitempty"`
	UnitsCounted  int    `json:"unitsCounted,omitempty"`
	AuthUnitsUsed int    `json:"authUnitsUsed,omitempty"`
	DuplicateKey  string `json:"duplicateKey,omitempty"`
}

// Adjustment is one reduction of a line's charge (835 CAS): group code, CARC reason, amount, units, and a note
// saying why in words (never about the person).
type Adjustment struct {
	Group       string `json:"group"`  // CO, PR, OA
	Reason      string `json:"reason"` // CARC
	AmountCents int64  `json:"amountCents"`
	Units       int    `json:"units,omitempty"`
	Note        string `json:"note"`
}

// Reversal is the 835 reversal of a voided or replaced claim (CLP02 = 22, amounts negated).
type Reversal struct {
	ClaimStatusCode            string    `json:"claimStatusCode"`
	Reason                     string    `json:"reason"`
	At                         time.Time `json:"at"`
	ByMSPID                    string    `json:"byMspId"`
	PaymentCents               int64     `json:"paymentCents"`
	PatientResponsibilityCents int64     `json:"patientResponsibilityCents"`
}

// ClaimSummary is the member-index entry of a claim.
type ClaimSummary struct {
	ClaimID                    string `json:"claimId"`
	ProviderMSPID              string `json:"providerMspId"`
	Status                     string `json:"status"`
	ClaimStatusCode            string `json:"claimStatusCode"`
	FirstServiceDate           string `json:"firstServiceDate"`
	ChargeCents                int64  `json:"chargeCents"`
	PaymentCents               int64  `json:"paymentCents"`
	PatientResponsibilityCents int64  `json:"patientResponsibilityCents"`
}

// Accumulator is what one member or one family has spent in one plan year, per network tier, and (for a
// member) how much of each limited benefit they used.
type Accumulator struct {
	In       Spend            `json:"inNetwork"`
	Out      Spend            `json:"outOfNetwork"`
	Benefits map[string]Usage `json:"benefits,omitempty"`
}

// Spend is the deductible and out-of-pocket amounts met in one tier.
type Spend struct {
	DeductibleCents int64 `json:"deductibleCents"`
	OOPCents        int64 `json:"oopCents"`
}

// Usage counts a member's visits and units of one benefit in a plan year.
type Usage struct {
	Visits int `json:"visits"`
	Units  int `json:"units"`
}

func (a *Accumulator) tier(network string) *Spend {
	if network == networkIn {
		return &a.In
	}
	return &a.Out
}

// Network tiers of a line.
const (
	networkIn  = "in"
	networkOut = "out"
)

// AuditEntry records one access decision about a member's data: who (organisation, identity hash, role
// attribute), what (function and record), why (declared purpose of use), the decision and when.
type AuditEntry struct {
	AuditID    string    `json:"auditId"`
	MemberID   string    `json:"memberId"`
	At         time.Time `json:"at"`
	MSPID      string    `json:"mspId"`
	CallerHash string    `json:"callerHash"`
	CallerRole string    `json:"callerRole"`
	Action     string    `json:"action"`
	Resource   string    `json:"resource"`
	Purpose    string    `json:"purpose"`
	Decision   string    `json:"decision"` // permit: denials end the call with an error and write nothing
	Outcome    string    `json:"outcome,omitempty"`
}
