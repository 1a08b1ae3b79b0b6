// Command healthplan is the medledger health-plan contract: payers publish versioned plan rules (benefits by
// procedure-code range, in- and out-of-network cost share, individual and family deductibles and
// out-of-pocket maxima, copays, coinsurance, annual limits, exclusions, prior-authorization requirements),
// enrol members by pseudonym into families, and decide providers' prior-authorization requests; providers
// submit claims that are adjudicated at once, deterministically and line by line, against the plan version in
// force on each service date, with X12 835 group and CARC reason codes for every reduction, and can void or
// replace them, which reverses the accumulators they moved.
//
// Money is integer cents throughout. No protected health information reaches the ledger: members and families
// are 64-hex pseudonyms, clinical documents are SHA-256 anchors, and diagnoses are not accepted at all. See
// README.md for the function reference and the standards each field follows.
package main

import (
	"encoding/json"

	"github.com/medledger/medledger/plugins/sdk"
)

func init() {
	// Plans.
	sdk.Register("publishPlan", publishPlan)
	sdk.Register("getPlan", getPlan)
	// Members.
	sdk.Register("enroll", enroll)
	sdk.Register("endCoverage", endCoverage)
	sdk.Register("checkEligibility", checkEligibility)
	// Prior authorization.
	sdk.Register("requestAuthorization", requestAuthorization)
	sdk.Register("decideAuthorization", decideAuthorization)
	sdk.Register("getAuthorization", getAuthorization)
	// Claims.
	sdk.Register("submitClaim", submitClaim)
	sdk.Register("getClaim", getClaim)
	sdk.Register("listClaims", listClaims)
	sdk.Register("voidClaim", voidClaim)
	sdk.Register("replaceClaim", replaceClaim)
	// Audit.
	sdk.Register("auditTrail", auditTrail)
	warmJSON()
}

// warmJSON builds encoding/json's codecs for the types only GetJSON, PutJSON and Emit see, during module
// initialisation, so calls under Snapshot isolation start with them (see the SDK's Performance notes).
func warmJSON() {
	for _, v := range []any{&PlanMeta{}, &Member{}, &FamilyMember{}, &Accumulator{}, &ClaimSummary{}, &AuditEntry{},
		&planEvent{}, &memberEvent{}, &authEvent{}, &claimEvent{}, &voidEvent{}, &accessEvent{}} {
		_, _ = json.Marshal(v)
	}
}

func main() {}
