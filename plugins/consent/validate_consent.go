package main

import (
	"fmt"
	"strings"
)

// consentInput is a Consent as a caller writes it: everything but meta, dateTime and performer, which the
// contract sets from the transaction and the caller's identity.
type consentInput struct {
	ResourceType string            `json:"resourceType,omitempty"`
	ID           string            `json:"id"`
	Status       string            `json:"status"`
	Scope        CodeableConcept   `json:"scope"`
	Category     []CodeableConcept `json:"category"`
	Patient      Reference         `json:"patient"`
	Organization []Reference       `json:"organization,omitempty"`
	Policy       []Policy          `json:"policy,omitempty"`
	PolicyRule   *CodeableConcept  `json:"policyRule,omitempty"`
	Provision    Provision         `json:"provision"`
}

// researchPrefix starts the ids of the consents optIn writes; grant and update refuse them so that a study's
// opt-in consent is only ever shaped by the study itself.
const researchPrefix = "research-"

// maxStudyID leaves room for researchPrefix within FHIR's 64-character id.
const maxStudyID = 64 - len(researchPrefix)

// studyLookup reports whether a research study exists; validation uses it for ResearchStudy actors.
type studyLookup func(id string) bool

// validateConsent checks everything in in that does not depend on who calls, and returns the patient id.
func validateConsent(in consentInput, studies studyLookup) (string, error) {
	if in.ResourceType != "" && in.ResourceType != "Consent" {
		return "", invalid("resourceType is %q, want Consent", in.ResourceType)
	}
	if err := resourceID("id", in.ID, 64); err != nil {
		return "", err
	}
	patient, err := patientRef("patient", in.Patient.Reference)
	if err != nil {
		return "", err
	}
	if !statuses[in.Status] {
		return "", invalid("status %q is not a FHIR ConsentState (%s)", in.Status, codes(statuses))
	}
	if err := scopeConcept(in.Scope); err != nil {
		return "", err
	}
	if err := listLen("category", len(in.Category), 1); err != nil {
		return "", err
	}
	for i, c := range in.Category {
		if err := concept(fmt.Sprintf("category[%d]", i), c, categoryCodes, true); err != nil {
			return "", err
		}
	}
	if err := listLen("organization", len(in.Organization), 0); err != nil {
		return "", err
	}
	for i, o := range in.Organization {
		if _, err := orgRef(fmt.Sprintf("organization[%d]", i), o.Reference); err != nil {
			return "", err
		}
	}
	if err := policies(in.Policy, in.PolicyRule); err != nil {
		return "", err
	}
	n := 0
	if err := validateProvision("provision", in.Provision, 0, &n, studies); err != nil {
		return "", err
	}
	return patient, nil
}

// scopeConcept checks Consent.scope: exactly one consentscope coding.
func scopeConcept(c CodeableConcept) error {
	if len(c.Coding) != 1 {
		return invalid("scope needs exactly one coding from %s (got %d)", sysConsentScope, len(c.Coding))
	}
	return checkCoding("scope.coding[0]", c.Coding[0], map[string]map[string]bool{sysConsentScope: scopes}, false)
}

// policies checks Consent.policy and policyRule; FHIR's invariant ppc-1 wants at least one of them.
func policies(ps []Policy, rule *CodeableConcept) error {
	if len(ps) == 0 && rule == nil {
		return invalid("a consent needs a policy or a policyRule (FHIR invariant ppc-1)")
	}
	if err := listLen("policy", len(ps), 0); err != nil {
		return err
	}
	for i, p := range ps {
		field := fmt.Sprintf("policy[%d]", i)
		if p.Authority == "" && p.URI == "" {
			return invalid("%s needs an authority or a uri", field)
		}
		if p.Authority != "" {
			if err := absoluteURI(field+".authority", p.Authority); err != nil {
				return err
			}
		}
		if p.URI != "" {
			if err := absoluteURI(field+".uri", p.URI); err != nil {
				return err
			}
		}
	}
	if rule != nil {
		return concept("policyRule", *rule, policyRuleCodes, false)
	}
	return nil
}

// validateProvision checks p at path and its nested provisions, counting them in n.
func validateProvision(path string, p Provision, depth int, n *int, studies studyLookup) error {
	if *n++; *n > maxProvisions {
		return invalid("%s: a consent may hold at most %d provisions", path, maxProvisions)
	}
	if depth > maxDepth {
		return invalid("%s: provisions may nest at most %d levels", path, maxDepth)
	}
	if p.Type != permit && p.Type != deny {
		return invalid("%s.type %q is not permit or deny (%s)", path, p.Type, sysProvisionType)
	}
	if err := period(path+".period", p.Period); err != nil {
		return err
	}
	if err := period(path+".dataPeriod", p.DataPeriod); err != nil {
		return err
	}
	if err := listLen(path+".actor", len(p.Actor), 0); err != nil {
		return err
	}
	for i, a := range p.Actor {
		field := fmt.Sprintf("%s.actor[%d]", path, i)
		if err := concept(field+".role", a.Role, actorRoleCodes, false); err != nil {
			return err
		}
		ref, err := parseActorRef(field+".reference", a.Reference.Reference)
		if err != nil {
			return err
		}
		if ref.kind == refStudy && !studies(ref.id) {
			return notFound("%s.reference: research study %q is not registered", field, ref.id)
		}
	}
	if err := listLen(path+".action", len(p.Action), 0); err != nil {
		return err
	}
	for i, a := range p.Action {
		if err := concept(fmt.Sprintf("%s.action[%d]", path, i), a, map[string]map[string]bool{sysConsentAction: actions}, false); err != nil {
			return err
		}
	}
	if err := codings(path+".securityLabel", p.SecurityLabel, securityLabelCodes, false); err != nil {
		return err
	}
	if err := listLen(path+".purpose", len(p.Purpose), 0); err != nil {
		return err
	}
	for i, c := range p.Purpose {
		if err := purposeCoding(fmt.Sprintf("%s.purpose[%d]", path, i), c); err != nil {
			return err
		}
	}
	if err := codings(path+".class", p.Class, classCodes, true); err != nil {
		return err
	}
	if err := listLen(path+".provision", len(p.Provision), 0); err != nil {
		return err
	}
	for i, c := range p.Provision {
		if err := validateProvision(fmt.Sprintf("%s.provision[%d]", path, i), c, depth+1, n, studies); err != nil {
			return err
		}
	}
	return nil
}

// isResearchID reports whether id is reserved for opt-in consents.
func isResearchID(id string) bool { return strings.HasPrefix(id, researchPrefix) }
