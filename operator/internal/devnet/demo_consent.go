package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// FHIR and HL7 code systems the consent story uses.
const (
	hl7CS        = "http://terminology.hl7.org/CodeSystem/"
	fhirResource = "http://hl7.org/fhir/resource-types"
)

// demoPatient is the story's patient: a pseudonym (salted SHA-256 of a medical record number, computed by the
// hospital off-chain), never the patient's identity.
var demoPatient = func() string {
	sum := sha256.Sum256([]byte("hospital1-salt-2026|MRN-00042871"))
	return hex.EncodeToString(sum[:])
}()

type demoDecision struct {
	Decision  string `json:"decision"`
	Basis     string `json:"basis"`
	DecidedBy *struct {
		Consent   string `json:"consent"`
		Provision string `json:"provision"`
	} `json:"decidedBy"`
	ConsentDecision string `json:"consentDecision"`
	Reason          string `json:"reason"`
	AuditID         string `json:"auditId"`
}

func coding(system, code string) map[string]any {
	return map[string]any{"system": system, "code": code}
}
func concept(system, code string) map[string]any {
	return map[string]any{"coding": []any{coding(system, code)}}
}
func ref(r string) map[string]any { return map[string]any{"reference": r} }

// consentStory: a patient of hospital 1 lets hospital 2 access her record for treatment (except mental-health
// data); hospital 2's clinician is permitted, a researcher is denied, an on-duty clinician of hospital 1 breaks
// the glass in an emergency and the patient sees it in her audit trail.
func consentStory(ctx context.Context, s *story, b backend, h []string, run string) error {
	patient := actor{Hospital: 0, Name: "portal-user-1042", Role: "client", Attrs: map[string]string{"role": "patient", "patientId": demoPatient}, Label: "the patient"}
	drOsei := actor{Hospital: 1, Name: "dr-osei", Role: "client", Attrs: map[string]string{"role": "clinician", "practitionerId": "pr-0815", "onDuty": "true"}, Label: "Dr. Osei"}
	researcher := actor{Hospital: 1, Name: "res-user-12", Role: "client", Attrs: map[string]string{"role": "researcher"}, Label: "a researcher"}
	drLee := actor{Hospital: 0, Name: "dr-lee", Role: "client", Attrs: map[string]string{"role": "clinician", "practitionerId": "pr-4711", "onDuty": "true"}, Label: "Dr. Lee"}

	s.section("1. Consent (HL7 FHIR R4 Consent): a patient shares her record with %s for treatment", h[1])
	s.say("The patient is the pseudonym %s… on the ledger; her name never is.", demoPatient[:16])
	id := "share-" + strings.ToLower(run)
	consent := map[string]any{
		"resourceType": "Consent", "id": id, "status": "active",
		"scope":        concept(hl7CS+"consentscope", "patient-privacy"),
		"category":     []any{concept("http://loinc.org", "59284-0")},
		"patient":      ref("Patient/" + demoPatient),
		"organization": []any{ref("Organization/" + h[0]), ref("Organization/" + h[1])},
		"policyRule":   concept(hl7CS+"v3-ActCode", "OPTIN"),
		"provision": map[string]any{"type": "deny", "provision": []any{map[string]any{
			"type":    "permit",
			"actor":   []any{map[string]any{"role": concept(hl7CS+"v3-ParticipationType", "PRCP"), "reference": ref("Organization/" + h[1])}},
			"action":  []any{concept(hl7CS+"consentaction", "access")},
			"purpose": []any{coding(hl7CS+"v3-ActReason", "TREAT")},
			"provision": []any{map[string]any{"type": "deny",
				"securityLabel": []any{coding(hl7CS+"v3-ActCode", "PSY")}}},
		}}},
	}
	var granted struct {
		ID   string `json:"id"`
		Meta struct {
			VersionID string `json:"versionId"`
		} `json:"meta"`
	}
	if err := do(ctx, b, h, "consent", "grant", consent, patient, false, &granted); err != nil {
		return err
	}
	s.step("the patient (portal user of %s, role=patient) grants consent %q v%s:", h[0], granted.ID, granted.Meta.VersionID)
	s.say("    deny everything, except: permit %s to access her data for treatment (TREAT),", h[1])
	s.say("    except mental-health data (security label PSY)")

	observation := coding(fhirResource, "Observation")
	check := func(who actor, purpose string) (demoDecision, error) {
		var d demoDecision
		err := do(ctx, b, h, "consent", "check", map[string]any{"patient": demoPatient, "action": "access", "purpose": purpose, "class": observation}, who, false, &d)
		return d, err
	}
	d, err := check(drOsei, "TREAT")
	if err != nil {
		return err
	}
	s.step("Dr. Osei (%s clinician) asks to read lab results for TREAT: %s, decided by %s (audit %s)", h[1], strings.ToUpper(d.Decision), decidedBy(d), short(d.AuditID))
	d, err = check(researcher, "HRESCH")
	if err != nil {
		return err
	}
	s.step("a researcher at %s asks the same for research (HRESCH): %s, %s", h[1], strings.ToUpper(d.Decision), d.Reason)

	var bg demoDecision
	if err := do(ctx, b, h, "consent", "breakGlass", map[string]any{"patient": demoPatient, "class": observation,
		"securityLabel": []any{coding(hl7CS+"v3-ActCode", "PSY")}}, drLee, false, &bg); err != nil {
		return err
	}
	s.step("Dr. Lee (%s, on duty) breaks the glass in an emergency for mental-health data: %s (the consents alone say %s)",
		h[0], strings.ToUpper(bg.Decision), bg.ConsentDecision)

	var trail struct {
		Entries []struct {
			Recorded time.Time `json:"recorded"`
			Agent    struct {
				MSPID          string `json:"mspId"`
				PractitionerID string `json:"practitionerId"`
			} `json:"agent"`
			Purpose  string `json:"purpose"`
			Decision string `json:"decision"`
		} `json:"entries"`
	}
	if err := do(ctx, b, h, "consent", "auditTrail", map[string]any{"patient": demoPatient, "breakGlassOnly": true}, patient, true, &trail); err != nil {
		return err
	}
	if n := len(trail.Entries); n > 0 {
		e := trail.Entries[n-1]
		s.step("the patient reads her audit trail: %d break-glass access(es), the latest by %s practitioner %s for %s at %s (%s)",
			n, e.Agent.MSPID, e.Agent.PractitionerID, e.Purpose, e.Recorded.Format(time.RFC3339), e.Decision)
	}
	return nil
}

func decidedBy(d demoDecision) string {
	if d.DecidedBy == nil {
		return d.Basis
	}
	return "consent " + d.DecidedBy.Consent + " " + d.DecidedBy.Provision
}
