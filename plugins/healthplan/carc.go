package main

// Claim adjustment group codes (X12 835 CAS01).
const (
	groupCO = "CO" // contractual obligation: the provider writes it off
	groupPR = "PR" // patient responsibility
	groupOA = "OA" // other adjustment
)

// Claim Adjustment Reason Codes (X12 CARC) the contract uses, each with the standard's wording abridged.
const (
	carcDeductible     = "1"   // Deductible amount
	carcCoinsurance    = "2"   // Coinsurance amount
	carcCopay          = "3"   // Co-payment amount
	carcAuthInvalid    = "15"  // The authorization number is missing, invalid, or does not apply to the billed services or provider
	carcDuplicate      = "18"  // Exact duplicate claim/service
	carcBeforeCoverage = "26"  // Expenses incurred prior to coverage
	carcAfterCoverage  = "27"  // Expenses incurred after coverage terminated
	carcTimelyFiling   = "29"  // The time limit for filing has expired
	carcAuthDenied     = "39"  // Services denied at the time authorization/pre-certification was requested
	carcFeeSchedule    = "45"  // Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement
	carcNonCovered     = "96"  // Non-covered charge(s)
	carcNotThisPayer   = "109" // Claim/service not covered by this payer/contractor
	carcBenefitMax     = "119" // Benefit maximum for this time period or occurrence has been reached
	carcAuthAbsent     = "197" // Precertification/authorization/notification/pre-treatment absent
	carcAuthExceeded   = "198" // Precertification/notification/authorization/pre-treatment exceeded
	carcLapse          = "200" // Expenses incurred during lapse in coverage
	carcNotInPlan      = "204" // This service/equipment/drug is not covered under the patient's current benefit plan
	carcNotNetwork     = "242" // Services not provided by network/primary care providers
)

// 835 claim status codes (CLP02).
const (
	clpProcessedPrimary = "1"
	clpDenied           = "4"
	clpReversal         = "22"
)
