package main

import (
	"testing"
	"time"
)

// The decision logic is pure, so its semantics are tested exhaustively here on the host; the engine tests in
// access_test.go show the same logic reached through check.

func reqBy(msp, practitioner, purposeCode string, cls Coding) request {
	return request{MSPID: msp, PractitionerID: practitioner, Action: "access", Purpose: purposeCode, Class: cls, At: t0}
}

func stored(in consentInput, version string) Consent {
	return Consent{ID: in.ID, Meta: Meta{VersionID: version}, Status: in.Status, Scope: in.Scope, Provision: in.Provision}
}

func TestDecide(t *testing.T) {
	y2025 := &Period{Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)}
	base := consentOf(patientA, "privacy", permitTreatmentBy("Organization/Hospital1MSP"))
	psyDeny := consentOf(patientA, "privacy", permitTreatmentBy("Organization/Hospital1MSP"), func(in *consentInput) {
		// Exception within the exception: never mental-health data, even to Hospital1.
		in.Provision.Provision[0].Provision = []Provision{{Type: deny, SecurityLabel: []Coding{label("PSY")}}}
	})
	siblings := consentOf(patientA, "privacy", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: permit, Actor: []Actor{actor("Organization/Hospital2MSP")}},
		{Type: deny, Class: []Coding{class("Observation")}},
	}}))
	optOut := consentOf(patientA, "optout", withProvision(Provision{Type: permit, Provision: []Provision{
		{Type: deny, Actor: []Actor{actor("Organization/InsurerMSP")}},
	}}))
	practitioner := consentOf(patientA, "dr", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: permit, Actor: []Actor{actor("Practitioner/Hospital1MSP/pr-4711")}},
	}}))
	dataPeriod := consentOf(patientA, "dp", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: permit, Actor: []Actor{actor("Organization/Hospital2MSP")}, DataPeriod: y2025},
	}}))
	dataPeriodDeny := consentOf(patientA, "dpd", withProvision(Provision{Type: permit, Provision: []Provision{
		{Type: deny, DataPeriod: y2025},
	}}))
	treatment := consentOf(patientA, "treat", withProvision(Provision{Type: permit}), func(in *consentInput) {
		in.Scope = cc(sysConsentScope, scopeTreatment)
	})
	expired := consentOf(patientA, "old", permitTreatmentBy("Organization/Hospital2MSP"), func(in *consentInput) {
		in.Provision.Period = y2025
	})
	research := consentOf(patientA, "research-s1", withProvision(Provision{Type: permit,
		Actor: []Actor{actor("ResearchStudy/s1")}, Purpose: []Coding{purpose("CLINTRCH")}, Class: []Coding{class("Observation")}}),
		func(in *consentInput) { in.Scope = cc(sysConsentScope, scopeResearch) })
	noResearch := consentOf(patientA, "privacy", withProvision(Provision{Type: deny, Provision: []Provision{
		{Type: deny, Purpose: []Coding{purpose(purposeResearch)}},
	}}))

	obs := class("Observation")
	h1Treat := reqBy("Hospital1MSP", "", "TREAT", obs)
	h1Emergency := reqBy("Hospital1MSP", "", "ETREAT", obs)
	h2Treat := reqBy("Hospital2MSP", "", "TREAT", obs)
	h1Psy := h1Treat
	h1Psy.Labels = []Coding{label("PSY"), {System: sysConfidentiality, Code: "R"}}
	payment := reqBy("InsurerMSP", "", "HPAYMT", class("Claim"))
	drA := reqBy("Hospital1MSP", "pr-4711", "TREAT", obs)
	drOtherOrg := reqBy("Hospital2MSP", "pr-4711", "TREAT", obs)
	in2025 := h2Treat
	in2025.DataPeriod = Period{Start: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}
	spans2026 := h2Treat
	spans2026.DataPeriod = Period{Start: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	inStudy := reqBy("UniResearchMSP", "", "CLINTRCH", obs)
	inStudy.Study = "s1"
	studyOtherClass := inStudy
	studyOtherClass.Class = class("Condition")

	tests := []struct {
		name      string
		consents  []consentInput
		req       request
		decision  string
		basis     string
		provision string // path of the deciding provision, "" for none
		consent   string
	}{
		{"no consent, no access", nil, h1Treat, deny, basisNoConsent, "", ""},
		{"nested permit beats base deny", []consentInput{base}, h1Treat, permit, basisSpecific, "provision.provision[0]", "privacy"},
		{"permit for TREAT covers ETREAT", []consentInput{base}, h1Emergency, permit, basisSpecific, "provision.provision[0]", "privacy"},
		{"other organization falls to base deny", []consentInput{base}, h2Treat, deny, basisBase, "provision", "privacy"},
		{"nested deny under a permit exception", []consentInput{psyDeny}, h1Psy, deny, basisSpecific, "provision.provision[0].provision[0]", "privacy"},
		{"nested deny does not bite other labels", []consentInput{psyDeny}, h1Treat, permit, basisSpecific, "provision.provision[0]", "privacy"},
		{"sibling deny overrides sibling permit", []consentInput{siblings}, h2Treat, deny, basisSpecific, "provision.provision[1]", "privacy"},
		{"sibling permit alone", []consentInput{siblings}, reqBy("Hospital2MSP", "", "TREAT", class("Condition")), permit, basisSpecific, "provision.provision[0]", "privacy"},
		{"opt-out consent: base permit", []consentInput{optOut}, h2Treat, permit, basisBase, "provision", "optout"},
		{"opt-out consent: excepted actor", []consentInput{optOut}, payment, deny, basisSpecific, "provision.provision[0]", "optout"},
		{"practitioner matches id and organization", []consentInput{practitioner}, drA, permit, basisSpecific, "provision.provision[0]", "dr"},
		{"same practitioner id at another organization", []consentInput{practitioner}, drOtherOrg, deny, basisBase, "provision", "dr"},
		{"organization without practitioner id", []consentInput{practitioner}, h1Treat, deny, basisBase, "provision", "dr"},
		{"permit dataPeriod covers the data", []consentInput{dataPeriod}, in2025, permit, basisSpecific, "provision.provision[0]", "dp"},
		{"permit dataPeriod does not cover data spilling out", []consentInput{dataPeriod}, spans2026, deny, basisBase, "provision", "dp"},
		{"permit dataPeriod does not cover unbounded data", []consentInput{dataPeriod}, h2Treat, deny, basisBase, "provision", "dp"},
		{"deny dataPeriod bites overlapping data", []consentInput{dataPeriodDeny}, spans2026, deny, basisSpecific, "provision.provision[0]", "dpd"},
		{"deny dataPeriod bites unbounded data", []consentInput{dataPeriodDeny}, h2Treat, deny, basisSpecific, "provision.provision[0]", "dpd"},
		{"deny dataPeriod spares data outside it", []consentInput{dataPeriodDeny}, func() request {
			r := h2Treat
			r.DataPeriod = Period{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			return r
		}(), permit, basisBase, "provision", "dpd"},
		{"treatment scope does not decide payment", []consentInput{treatment}, payment, deny, basisNoConsent, "", ""},
		{"treatment scope decides treatment", []consentInput{treatment}, h2Treat, permit, basisBase, "provision", "treat"},
		{"expired root period: the consent is silent", []consentInput{expired}, h2Treat, deny, basisNoConsent, "", ""},
		{"inactive consent is ignored", []consentInput{consentOf(patientA, "x", permitTreatmentBy("Organization/Hospital1MSP"), withStatus(statusInactive))}, h1Treat, deny, basisNoConsent, "", ""},
		{"draft consent is ignored", []consentInput{consentOf(patientA, "x", permitTreatmentBy("Organization/Hospital1MSP"), withStatus(statusDraft))}, h1Treat, deny, basisNoConsent, "", ""},
		{"research opt-in beats a privacy base deny", []consentInput{base, research}, inStudy, permit, basisSpecific, "provision", "research-s1"},
		{"research opt-in limited to its classes", []consentInput{base, research}, studyOtherClass, deny, basisBase, "provision", "privacy"},
		{"research opt-in needs the study in the request", []consentInput{research}, reqBy("UniResearchMSP", "", "CLINTRCH", obs), deny, basisNoConsent, "", ""},
		{"explicit research deny beats opt-in", []consentInput{noResearch, research}, inStudy, deny, basisSpecific, "provision.provision[0]", "privacy"},
		{"deny overrides permit at equal specificity across consents", []consentInput{
			consentOf(patientA, "a", permitTreatmentBy("Organization/Hospital2MSP")),
			consentOf(patientA, "b", withProvision(Provision{Type: permit, Provision: []Provision{{Type: deny, Purpose: []Coding{purpose("TREAT")}}}})),
		}, h2Treat, deny, basisSpecific, "provision.provision[0]", "b"},
		{"base deny overrides base permit", []consentInput{optOut, consentOf(patientA, "z")}, h2Treat, deny, basisBase, "provision", "z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs []Consent
			for _, in := range tt.consents {
				cs = append(cs, stored(in, "3"))
			}
			r := tt.req
			v := decide(cs, &r)
			if v.decision != tt.decision || v.basis != tt.basis {
				t.Fatalf("decision = %s (%s), want %s (%s); reason %q", v.decision, v.basis, tt.decision, tt.basis, v.reason)
			}
			switch {
			case tt.provision == "" && v.rule != nil:
				t.Errorf("decided by %+v, want no provision", v.rule)
			case tt.provision != "" && (v.rule == nil || v.rule.Provision != tt.provision || v.rule.Consent != tt.consent || v.rule.VersionID != "3" || v.rule.Type != tt.decision):
				t.Errorf("decided by %+v, want %s of %s version 3 (%s)", v.rule, tt.provision, tt.consent, tt.decision)
			}
		})
	}
}

func TestSubsumes(t *testing.T) {
	tests := []struct {
		general, specific string
		want              bool
	}{
		{"TREAT", "TREAT", true}, {"TREAT", "ETREAT", true}, {"ETREAT", "TREAT", false},
		{"HRESCH", "CLINTRCH", true}, {"TREAT", "CLINTRCH", false}, {"HPAYMT", "COVAUTH", true}, {"PUBHLTH", "HMARKT", false},
	}
	for _, tt := range tests {
		if got := subsumes(tt.general, tt.specific); got != tt.want {
			t.Errorf("subsumes(%s, %s) = %v, want %v", tt.general, tt.specific, got, tt.want)
		}
	}
}

func TestValidLOINC(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"59284-0", true},  // Patient Consent
		{"57016-8", true},  // Privacy policy acknowledgment Document
		{"64292-6", true},  // Release of information consent
		{"4548-4", true},   // Hemoglobin A1c/Hemoglobin.total in Blood
		{"2345-7", true},   // Glucose [Mass/volume] in Serum or Plasma
		{"59284-1", false}, // wrong check digit
		{"4548-", false}, {"-4", false}, {"45a8-4", false}, {"12345678-0", false}, {"4548", false},
	}
	for _, tt := range tests {
		if got := validLOINC(tt.code); got != tt.want {
			t.Errorf("validLOINC(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	d := func(m int) time.Time { return time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	p := Period{Start: d(2), End: d(4)}
	open := Period{}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"contains start (inclusive)", p.contains(d(2)), true},
		{"contains end (inclusive)", p.contains(d(4)), true},
		{"before start", p.contains(d(1)), false},
		{"open contains anything", open.contains(d(1)), true},
		{"covers inner", p.covers(Period{Start: d(2), End: d(3)}), true},
		{"does not cover open-ended", p.covers(Period{Start: d(3)}), false},
		{"open covers open", open.covers(open), true},
		{"overlaps at an end", p.overlaps(Period{Start: d(4), End: d(5)}), true},
		{"disjoint", p.overlaps(Period{Start: d(5), End: d(6)}), false},
		{"open overlaps", p.overlaps(open), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
