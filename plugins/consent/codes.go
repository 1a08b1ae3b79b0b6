package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/medledger/medledger/plugins/sdk"
)

// Code systems the contract accepts. Each Coding must name one of them; codes are checked against the value sets
// below so that a typo ("TRAET") is refused at grant time instead of silently never matching at check time.
const (
	sysConsentScope    = "http://terminology.hl7.org/CodeSystem/consentscope"
	sysConsentCategory = "http://terminology.hl7.org/CodeSystem/consentcategorycodes"
	sysActCode         = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysLOINC           = "http://loinc.org"
	sysActReason       = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	sysConsentAction   = "http://terminology.hl7.org/CodeSystem/consentaction"
	sysConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	sysParticipation   = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	sysRoleCode        = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	sysResourceTypes   = "http://hl7.org/fhir/resource-types"
	sysProvisionType   = "http://hl7.org/fhir/consent-provision-type"
)

// Consent scopes (FHIR R4 consentscope).
const (
	scopeADR       = "adr"
	scopeResearch  = "research"
	scopePrivacy   = "patient-privacy"
	scopeTreatment = "treatment"
)

// Consent states (FHIR R4 ConsentState).
const (
	statusDraft          = "draft"
	statusProposed       = "proposed"
	statusActive         = "active"
	statusRejected       = "rejected"
	statusInactive       = "inactive"
	statusEnteredInError = "entered-in-error"
)

// Provision types (FHIR R4 ConsentProvisionType) and the decisions check returns.
const (
	permit = "permit"
	deny   = "deny"
)

// Purposes the contract itself refers to.
const (
	purposeTreat     = "TREAT"
	purposeEmergency = "ETREAT"
	purposeResearch  = "HRESCH"
)

var (
	scopes   = set(scopeADR, scopeResearch, scopePrivacy, scopeTreatment)
	statuses = set(statusDraft, statusProposed, statusActive, statusRejected, statusInactive, statusEnteredInError)
	actions  = set("collect", "access", "use", "disclose", "correct")

	// purposeParent is the part of the HL7 v3 PurposeOfUse hierarchy (v3-ActReason) the contract knows: each code
	// maps to the code it specialises ("" for a top-level purpose). A provision for a purpose also covers its
	// specialisations, so a permit for TREAT covers ETREAT and one for HRESCH covers CLINTRCH.
	purposeParent = map[string]string{
		"TREAT": "", "ETREAT": "TREAT", "CLINTRL": "TREAT", "COC": "TREAT", "POPHLTH": "TREAT",
		"HRESCH": "", "BIORCH": "HRESCH", "CLINTRCH": "HRESCH", "DSRCH": "HRESCH", "POARCH": "HRESCH", "TRANSRCH": "HRESCH",
		"HPAYMT": "", "CLMATTCH": "HPAYMT", "COVAUTH": "HPAYMT", "COVERAGE": "HPAYMT", "ELIGDTRM": "HPAYMT",
		"ELIGVER": "HPAYMT", "ENROLLM": "HPAYMT", "REMITADV": "HPAYMT",
		"HOPERAT": "", "CAREMGT": "HOPERAT", "HQUALIMP": "HOPERAT", "PATSFTY": "HOPERAT", "RECORDMGT": "HOPERAT",
		"HLEGAL": "HOPERAT", "HDIRECT": "HOPERAT",
		"PUBHLTH": "", "DISASTER": "PUBHLTH", "THREAT": "PUBHLTH",
		"PATRQT": "", "FAMRQT": "PATRQT", "PWATRNY": "PATRQT", "SUPNWK": "PATRQT",
		"HMARKT": "",
	}

	categoryCodes = map[string]map[string]bool{
		sysConsentCategory: set("acd", "dnr", "emrgonly", "hcd", "npp", "polst", "research", "rsdid", "rsreid"),
		sysActCode:         set("IDSCL", "INFA", "INFAO", "INFASO", "IRDSCL", "RESEARCH", "RSDID", "RSREID"),
	}
	policyRuleCodes = map[string]map[string]bool{
		sysActCode: set("OPTIN", "OPTINR", "OPTOUT", "OPTOUTE"),
	}
	securityLabelCodes = map[string]map[string]bool{
		sysConfidentiality: set("U", "L", "M", "N", "R", "V"),
		// Sensitivity codes (v3 ActInformationSensitivityPolicy).
		sysActCode: set("BH", "COGN", "DVD", "EMOTDIS", "ETH", "ETHUD", "GDIS", "HIV", "MH", "MST", "OPIOIDUD",
			"PSY", "PSYTHPN", "SCA", "SDV", "SEX", "SICKLE", "SPI", "STD", "SUD", "TBOO"),
	}
	actorRoleCodes = map[string]map[string]bool{
		sysParticipation: set("AUT", "CST", "INF", "IRCP", "PRCP", "TRC"),
	}
	relationshipCodes = map[string]map[string]bool{
		sysRoleCode: set("GUARD", "PRN", "MTH", "FTH", "SPS", "POWATT", "HPOWATT", "DPOWATT"),
	}
	// classCodes are FHIR R4 resource types that carry patient data; LOINC document types are accepted too.
	classCodes = map[string]map[string]bool{
		sysResourceTypes: set("AdverseEvent", "AllergyIntolerance", "Appointment", "CarePlan", "CareTeam", "Claim",
			"ClinicalImpression", "Communication", "Composition", "Condition", "Consent", "Coverage", "DetectedIssue",
			"DeviceUseStatement", "DiagnosticReport", "DocumentReference", "Encounter", "EpisodeOfCare",
			"ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal", "ImagingStudy", "Immunization", "Media",
			"MedicationAdministration", "MedicationDispense", "MedicationRequest", "MedicationStatement",
			"MolecularSequence", "NutritionOrder", "Observation", "Patient", "Procedure", "QuestionnaireResponse",
			"ResearchSubject", "RiskAssessment", "ServiceRequest", "Specimen"),
	}
)

func set(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// subsumes reports whether purpose general equals purpose specific or is one of its ancestors.
func subsumes(general, specific string) bool {
	for c := specific; c != ""; c = purposeParent[c] {
		if c == general {
			return true
		}
	}
	return false
}

// scopeCovers reports whether a consent of scope may decide a request for purpose: a treatment consent speaks
// only to treatment, a research consent only to research, a privacy consent to every purpose, and an advance
// care directive to none (it records wishes about care, not about data).
func scopeCovers(scope, purpose string) bool {
	switch scope {
	case scopePrivacy:
		return true
	case scopeTreatment:
		return subsumes(purposeTreat, purpose)
	case scopeResearch:
		return subsumes(purposeResearch, purpose)
	}
	return false
}

// checkCoding validates c against the value sets in systems (system → codes); LOINC codes, when allowLOINC, are
// checked by form and check digit instead.
func checkCoding(path string, c Coding, systems map[string]map[string]bool, allowLOINC bool) error {
	if allowLOINC && c.System == sysLOINC {
		if !validLOINC(c.Code) {
			return invalid("%s: %q is not a LOINC code with a valid check digit", path, c.Code)
		}
		return nil
	}
	codes, ok := systems[c.System]
	if !ok {
		known := sortedKeys(systems)
		if allowLOINC {
			known = append(known, sysLOINC)
			slices.Sort(known)
		}
		return invalid("%s: code system %q is not accepted here (accepted: %s)", path, c.System, strings.Join(known, ", "))
	}
	if !codes[c.Code] {
		return invalid("%s: %q is not a code of %s accepted here (accepted: %s)", path, c.Code, c.System,
			strings.Join(sortedKeys(codes), ", "))
	}
	return nil
}

// validLOINC reports whether code has the LOINC form "digits-checkdigit" and a correct mod-10 check digit.
func validLOINC(code string) bool {
	num, check, ok := strings.Cut(code, "-")
	if !ok || len(num) == 0 || len(num) > 7 || len(check) != 1 || !isDigits(num) || !isDigits(check) {
		return false
	}
	// LOINC's check digit is the Luhn mod-10 digit of the number part.
	sum := 0
	for i := range len(num) {
		d := int(num[len(num)-1-i] - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return int(check[0]-'0') == (10-sum%10)%10
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// codes lists the codes of a value set for an error message.
func codes(m map[string]bool) string { return strings.Join(sortedKeys(m), ", ") }

// invalid returns an invalid_argument error; the other codes have helpers in authz.go.
func invalid(format string, args ...any) error {
	return sdk.NewError(sdk.InvalidArgument, fmt.Sprintf(format, args...))
}
