package main

import (
	"fmt"

	"github.com/medledger/medledger/plugins/sdk"
)

// Events of research collaboration.
const (
	evStudyRegistered = "StudyRegistered"
	evStudyClosed     = "StudyClosed"
	evResearchOptIn   = "ResearchOptIn"
	evResearchOptOut  = "ResearchOptOut"
)

// studyEvent is the payload of StudyRegistered and StudyClosed.
type studyEvent struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Sponsor string `json:"sponsor"`
}

type studyInput struct {
	ID             string         `json:"id"`
	Title          string         `json:"title,omitempty"`
	Purpose        Coding         `json:"purpose"`
	Class          []Coding       `json:"class"`
	EthicsApproval EthicsApproval `json:"ethicsApproval"`
	Period         Period         `json:"period"`
	Site           []Reference    `json:"site,omitempty"`
}

type studyRef struct {
	ID string `json:"id"`
}

type closeArgs struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

type participationArgs struct {
	Patient string `json:"patient"`
	Study   string `json:"study"`
}

type patientArgs struct {
	Patient string `json:"patient"`
}

// Participation is one study a patient opted in to: the study, and the opt-in consent's state (active while the
// patient takes part, inactive after opting out).
type Participation struct {
	Study     Study  `json:"study"`
	Consent   string `json:"consent"`
	Status    string `json:"status"`
	VersionID string `json:"versionId"`
	Since     string `json:"since"`
}

// closedStatuses are the states closeStudy may set.
var closedStatuses = set(studyCompleted, studyWithdrawn)

// registerStudy records a research study sponsored by the caller's organisation. Callers: an admin of the sponsor.
func registerStudy(ctx sdk.Context, in studyInput) (Study, error) {
	if err := validateStudy(ctx, in); err != nil {
		return Study{}, err
	}
	caller := ctx.Caller()
	if !caller.HasRole(ouAdmin) {
		return Study{}, denied("registering a study needs an admin of the sponsoring organization (NodeOU is %q)", caller.Role)
	}
	for i, s := range in.Site {
		if s.Reference == refOrganization+"/"+caller.MSPID {
			return Study{}, invalid("site[%d] is the sponsor %s itself", i, caller.MSPID)
		}
	}
	if _, found := ctx.GetState(studyKey(in.ID)); found {
		return Study{}, exists("study %s is already registered", in.ID)
	}
	s := Study{ResourceType: "ResearchStudy", ID: in.ID, Title: in.Title, Status: studyActive,
		Sponsor: Reference{Reference: refOrganization + "/" + caller.MSPID}, Site: in.Site, Period: in.Period,
		Purpose: in.Purpose, Class: in.Class, EthicsApproval: in.EthicsApproval, Registered: ctx.TxTime()}
	if err := ctx.PutJSON(studyKey(s.ID), s); err != nil {
		return Study{}, err
	}
	return s, ctx.Emit(evStudyRegistered, studyEvent{ID: s.ID, Status: s.Status, Sponsor: s.Sponsor.Reference})
}

func validateStudy(ctx sdk.Context, in studyInput) error {
	if err := resourceID("id", in.ID, maxStudyID); err != nil {
		return err
	}
	if err := text("title", in.Title, maxTitleLen); err != nil {
		return err
	}
	if err := purposeCoding("purpose", in.Purpose); err != nil {
		return err
	}
	if !subsumes(purposeResearch, in.Purpose.Code) {
		return invalid("purpose %s is not research (HRESCH or a specialisation of it)", in.Purpose.Code)
	}
	if err := listLen("class", len(in.Class), 1); err != nil {
		return err
	}
	if err := codings("class", in.Class, classCodes, true); err != nil {
		return err
	}
	if err := absoluteURI("ethicsApproval.authority", in.EthicsApproval.Authority); err != nil {
		return err
	}
	if err := token("ethicsApproval.reference", in.EthicsApproval.Reference); err != nil {
		return err
	}
	if in.Period.Start.IsZero() || in.Period.End.IsZero() {
		return invalid("period needs a start and an end (the span of the ethics approval)")
	}
	if err := period("period", &in.Period); err != nil {
		return err
	}
	if in.Period.End.Before(ctx.TxTime()) {
		return precondition("period ends %s, before now (%s)", in.Period.End.Format(rfc3339), ctx.TxTime().Format(rfc3339))
	}
	if err := listLen("site", len(in.Site), 0); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, s := range in.Site {
		if _, err := orgRef(fmt.Sprintf("site[%d]", i), s.Reference); err != nil {
			return err
		}
		if seen[s.Reference] {
			return invalid("site[%d] %s is listed twice", i, s.Reference)
		}
		seen[s.Reference] = true
	}
	return nil
}

func getStudy(ctx sdk.Context, a studyRef) (Study, error) {
	if err := resourceID("id", a.ID, maxStudyID); err != nil {
		return Study{}, err
	}
	if c := ctx.Caller(); !isMember(c) {
		return Study{}, denied("reading a study needs a client or admin identity (NodeOU is %q)", c.Role)
	}
	return loadStudy(ctx, a.ID)
}

// closeStudy ends a study as completed or withdrawn; checks for it are refused from then on.
func closeStudy(ctx sdk.Context, a closeArgs) (Study, error) {
	if err := resourceID("id", a.ID, maxStudyID); err != nil {
		return Study{}, err
	}
	if !closedStatuses[a.Status] {
		return Study{}, invalid("status %q is not one of %s", a.Status, codes(closedStatuses))
	}
	s, err := loadStudy(ctx, a.ID)
	if err != nil {
		return Study{}, err
	}
	if c := ctx.Caller(); !c.HasRole(ouAdmin) || s.Sponsor.Reference != refOrganization+"/"+c.MSPID {
		return Study{}, denied("closing study %s needs an admin of its sponsor %s", a.ID, s.Sponsor.Reference)
	}
	if s.Status != studyActive {
		return Study{}, precondition("study %s is already %s", a.ID, s.Status)
	}
	s.Status = a.Status
	if err := ctx.PutJSON(studyKey(s.ID), s); err != nil {
		return Study{}, err
	}
	return s, ctx.Emit(evStudyClosed, studyEvent{ID: s.ID, Status: s.Status, Sponsor: s.Sponsor.Reference})
}

// optIn records the patient's consent to take part in a study: a research Consent permitting the study's
// researchers to access and use the study's data classes for its purpose during its period. Opting in again
// after opting out writes the next version of the same consent.
func optIn(ctx sdk.Context, a participationArgs) (Consent, error) {
	if err := checkParticipation(a); err != nil {
		return Consent{}, err
	}
	performer, err := actingFor(ctx, a.Patient, "optIn")
	if err != nil {
		return Consent{}, err
	}
	s, err := loadStudy(ctx, a.Study)
	if err != nil {
		return Consent{}, err
	}
	if s.Status != studyActive {
		return Consent{}, precondition("study %s is %s and takes no participants", s.ID, s.Status)
	}
	if s.Period.End.Before(ctx.TxTime()) {
		return Consent{}, precondition("study %s ended %s", s.ID, s.Period.End.Format(rfc3339))
	}
	id := researchPrefix + s.ID
	version := 1
	if cur, err := loadConsent(ctx, a.Patient, id); err == nil {
		if cur.Status == statusActive {
			return Consent{}, exists("the patient has already opted in to study %s (consent %s version %s)", s.ID, id, cur.Meta.VersionID)
		}
		if version, err = versionNumber(cur.Meta.VersionID); err != nil {
			return Consent{}, err
		}
		version++
	} else if !isCode(err, sdk.NotFound) {
		return Consent{}, err
	}
	c := buildConsent(ctx, researchConsent(a.Patient, s), version, performer)
	return c, saveConsent(ctx, c, evResearchOptIn, "")
}

// optOut withdraws the patient from a study: the opt-in consent becomes inactive, so checks for the study deny.
func optOut(ctx sdk.Context, a participationArgs) (Consent, error) {
	if err := checkParticipation(a); err != nil {
		return Consent{}, err
	}
	performer, err := actingFor(ctx, a.Patient, "optOut")
	if err != nil {
		return Consent{}, err
	}
	c, err := loadConsent(ctx, a.Patient, researchPrefix+a.Study)
	if isCode(err, sdk.NotFound) {
		return Consent{}, notFound("the patient never opted in to study %s", a.Study)
	} else if err != nil {
		return Consent{}, err
	}
	if c.Status != statusActive {
		return Consent{}, precondition("the patient has already opted out of study %s", a.Study)
	}
	return setStatus(ctx, c, statusInactive, performer, evResearchOptOut)
}

// listStudies returns the studies the patient opted in to, in study id order, with the opt-in state.
func listStudies(ctx sdk.Context, a patientArgs) ([]Participation, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return nil, err
	}
	if _, err := actingFor(ctx, a.Patient, "listStudies"); err != nil {
		return nil, err
	}
	consents, err := patientConsents(ctx, a.Patient, researchPrefix)
	if err != nil {
		return nil, err
	}
	out := []Participation{}
	for _, c := range consents {
		s, err := loadStudy(ctx, c.ID[len(researchPrefix):])
		if err != nil {
			return nil, err
		}
		out = append(out, Participation{Study: s, Consent: c.ID, Status: c.Status, VersionID: c.Meta.VersionID,
			Since: c.Meta.LastUpdated.Format(rfc3339)})
	}
	return out, nil
}

// researchConsent is the FHIR Consent an opt-in to s amounts to.
func researchConsent(patient string, s Study) consentInput {
	orgs := append([]Reference{s.Sponsor}, s.Site...)
	return consentInput{
		ID:     researchPrefix + s.ID,
		Status: statusActive,
		Scope:  CodeableConcept{Coding: []Coding{{System: sysConsentScope, Code: scopeResearch}}},
		Category: []CodeableConcept{
			{Coding: []Coding{{System: sysConsentCategory, Code: "research"}}},
			{Coding: []Coding{{System: sysLOINC, Code: "59284-0"}}}, // Patient Consent
		},
		Patient:      Reference{Reference: "Patient/" + patient},
		Organization: orgs,
		Policy:       []Policy{{Authority: s.EthicsApproval.Authority, URI: "urn:medledger:ResearchStudy:" + s.ID}},
		PolicyRule:   &CodeableConcept{Coding: []Coding{{System: sysActCode, Code: "OPTIN"}}},
		Provision: Provision{
			Type:   permit,
			Period: &Period{Start: s.Period.Start, End: s.Period.End},
			Actor: []Actor{{
				Role:      CodeableConcept{Coding: []Coding{{System: sysParticipation, Code: "IRCP"}}},
				Reference: Reference{Reference: refStudy + "/" + s.ID},
			}},
			Action: []CodeableConcept{
				{Coding: []Coding{{System: sysConsentAction, Code: "access"}}},
				{Coding: []Coding{{System: sysConsentAction, Code: "use"}}},
			},
			Purpose: []Coding{s.Purpose},
			Class:   s.Class,
		},
	}
}

func checkParticipation(a participationArgs) error {
	if err := patientID("patient", a.Patient); err != nil {
		return err
	}
	return resourceID("study", a.Study, maxStudyID)
}

func loadStudy(ctx sdk.Context, id string) (Study, error) {
	var s Study
	found, err := ctx.GetJSON(studyKey(id), &s)
	if err == nil && !found {
		err = notFound("research study %s is not registered", id)
	}
	return s, err
}

// studyMember reports whether organisation msp sponsors s or is one of its sites.
func studyMember(s Study, msp string) bool {
	ref := refOrganization + "/" + msp
	if s.Sponsor.Reference == ref {
		return true
	}
	for _, site := range s.Site {
		if site.Reference == ref {
			return true
		}
	}
	return false
}

// studyInForce checks that s is active and the transaction time lies in its period.
func studyInForce(ctx sdk.Context, s Study) error {
	if s.Status != studyActive {
		return precondition("study %s is %s", s.ID, s.Status)
	}
	if now := ctx.TxTime(); !s.Period.contains(now) {
		return precondition("study %s runs from %s to %s, not at %s", s.ID, s.Period.Start.Format(rfc3339),
			s.Period.End.Format(rfc3339), now.Format(rfc3339))
	}
	return nil
}
