package main

import (
	"strconv"

	"github.com/medledger/medledger/plugins/sdk"
)

// Events of consent changes. Payloads carry pseudonymous ids and codes only.
const (
	evConsentGranted = "ConsentGranted"
	evConsentUpdated = "ConsentUpdated"
	evConsentRevoked = "ConsentRevoked"
)

// consentEvent is the payload of the consent events.
type consentEvent struct {
	Patient        string `json:"patient"`
	ID             string `json:"id"`
	VersionID      string `json:"versionId"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus,omitempty"`
	Scope          string `json:"scope"`
	Performer      string `json:"performer"`
}

// updateArgs is a full consent plus the version it was edited from (FHIR's If-Match), which makes a replayed or
// stale update fail instead of silently overwriting a newer version.
type updateArgs struct {
	consentInput
	VersionID string `json:"versionId"`
}

// consentRef names one consent, optionally one version of it.
type consentRef struct {
	Patient   string `json:"patient"`
	ID        string `json:"id"`
	VersionID string `json:"versionId,omitempty"`
}

type listArgs struct {
	Patient string `json:"patient"`
	Status  string `json:"status,omitempty"`
}

// nextStatus lists, per current status, the statuses an update may set. Draft and proposed consents are still
// being negotiated; an active one may be edited, revoked or withdrawn as an error; the rest are final.
var nextStatus = map[string]map[string]bool{
	statusDraft:    set(statusDraft, statusProposed, statusActive, statusRejected, statusEnteredInError),
	statusProposed: set(statusDraft, statusProposed, statusActive, statusRejected, statusEnteredInError),
	statusActive:   set(statusActive, statusInactive, statusEnteredInError),
}

// newStatuses are the statuses a consent may be created with.
var newStatuses = set(statusDraft, statusProposed, statusActive, statusRejected)

func grant(ctx sdk.Context, in consentInput) (Consent, error) {
	patient, err := validateConsent(in, studyExists(ctx))
	if err != nil {
		return Consent{}, err
	}
	if isResearchID(in.ID) {
		return Consent{}, invalid("id %q: ids starting with %q are reserved for research opt-in (use optIn)", in.ID, researchPrefix)
	}
	if !newStatuses[in.Status] {
		return Consent{}, invalid("a new consent's status must be one of %s, not %q", codes(newStatuses), in.Status)
	}
	performer, err := actingFor(ctx, patient, "grant")
	if err != nil {
		return Consent{}, err
	}
	if _, found := ctx.GetState(consentKey(patient, in.ID)); found {
		return Consent{}, exists("consent %s already exists for this patient (use update)", in.ID)
	}
	c := buildConsent(ctx, in, 1, performer)
	return c, saveConsent(ctx, c, evConsentGranted, "")
}

func update(ctx sdk.Context, a updateArgs) (Consent, error) {
	in := a.consentInput
	patient, err := validateConsent(in, studyExists(ctx))
	if err != nil {
		return Consent{}, err
	}
	if isResearchID(in.ID) {
		return Consent{}, invalid("consent %s is a research opt-in; use optIn and optOut", in.ID)
	}
	version, err := versionNumber(a.VersionID)
	if err != nil {
		return Consent{}, err
	}
	performer, err := actingFor(ctx, patient, "update")
	if err != nil {
		return Consent{}, err
	}
	cur, err := loadConsent(ctx, patient, in.ID)
	if err != nil {
		return Consent{}, err
	}
	if cur.Meta.VersionID != a.VersionID {
		return Consent{}, precondition("consent %s is at version %s; this update was made from version %s", in.ID, cur.Meta.VersionID, a.VersionID)
	}
	allowed, editable := nextStatus[cur.Status]
	if !editable {
		return Consent{}, precondition("consent %s is %s, which is final; grant a new consent instead", in.ID, cur.Status)
	}
	if !allowed[in.Status] {
		return Consent{}, precondition("consent %s is %s and cannot become %s (allowed: %s)", in.ID, cur.Status, in.Status, codes(allowed))
	}
	c := buildConsent(ctx, in, version+1, performer)
	return c, saveConsent(ctx, c, evConsentUpdated, cur.Status)
}

func revoke(ctx sdk.Context, a consentRef) (Consent, error) {
	if err := checkRef(a); err != nil {
		return Consent{}, err
	}
	performer, err := actingFor(ctx, a.Patient, "revoke")
	if err != nil {
		return Consent{}, err
	}
	c, err := loadConsent(ctx, a.Patient, a.ID)
	if err != nil {
		return Consent{}, err
	}
	if a.VersionID != "" && a.VersionID != c.Meta.VersionID {
		return Consent{}, precondition("consent %s is at version %s; this revocation was made from version %s", a.ID, c.Meta.VersionID, a.VersionID)
	}
	if c.Status != statusActive {
		return Consent{}, precondition("consent %s is %s; only an active consent can be revoked", a.ID, c.Status)
	}
	return setStatus(ctx, c, statusInactive, performer, evConsentRevoked)
}

func get(ctx sdk.Context, a consentRef) (Consent, error) {
	if err := checkRef(a); err != nil {
		return Consent{}, err
	}
	var c Consent
	var err error
	if a.VersionID == "" {
		c, err = loadConsent(ctx, a.Patient, a.ID)
	} else {
		c, err = loadVersion(ctx, a)
	}
	if err != nil {
		return Consent{}, err
	}
	full, err := patientSide(ctx, a.Patient)
	if err != nil {
		return Consent{}, err
	}
	if !full && !namedStaff(ctx.Caller(), c) {
		return Consent{}, denied("consent %s may be read by the patient, their delegates and staff of the organizations it names", a.ID)
	}
	return c, nil
}

// list returns the patient's consents in id order: all of them to the patient and their delegates, to members of
// staff of organisations only those that name their organisation.
func list(ctx sdk.Context, a listArgs) ([]Consent, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return nil, err
	}
	if a.Status != "" && !statuses[a.Status] {
		return nil, invalid("status %q is not a FHIR ConsentState (%s)", a.Status, codes(statuses))
	}
	full, err := patientSide(ctx, a.Patient)
	if err != nil {
		return nil, err
	}
	caller := ctx.Caller()
	if !full && !isStaff(caller) {
		return nil, denied("listing consents needs the patient, a delegate, or staff of an organization (a client or admin whose role is not patient or guardian)")
	}
	all, err := patientConsents(ctx, a.Patient, "")
	if err != nil {
		return nil, err
	}
	out := []Consent{}
	for _, c := range all {
		if (a.Status == "" || c.Status == a.Status) && (full || namesOrg(c, caller.MSPID)) {
			out = append(out, c)
		}
	}
	return out, nil
}

// buildConsent turns validated input into version version of the stored resource.
func buildConsent(ctx sdk.Context, in consentInput, version int, performer Reference) Consent {
	now := ctx.TxTime()
	return Consent{
		ResourceType: "Consent",
		ID:           in.ID,
		Meta:         Meta{VersionID: strconv.Itoa(version), LastUpdated: now, Source: mspSource(ctx.Caller().MSPID)},
		Status:       in.Status,
		Scope:        in.Scope,
		Category:     in.Category,
		Patient:      in.Patient,
		DateTime:     now,
		Performer:    []Reference{performer},
		Organization: in.Organization,
		Policy:       in.Policy,
		PolicyRule:   in.PolicyRule,
		Provision:    in.Provision,
	}
}

// setStatus writes the next version of c with status and emits event.
func setStatus(ctx sdk.Context, c Consent, status string, performer Reference, event string) (Consent, error) {
	prev := c.Status
	version, err := versionNumber(c.Meta.VersionID)
	if err != nil {
		return Consent{}, err
	}
	c.Status = status
	c.Meta = Meta{VersionID: strconv.Itoa(version + 1), LastUpdated: ctx.TxTime(), Source: mspSource(ctx.Caller().MSPID)}
	c.Performer = []Reference{performer}
	return c, saveConsent(ctx, c, event, prev)
}

// saveConsent writes c as the current version and into its history, and emits event.
func saveConsent(ctx sdk.Context, c Consent, event, prevStatus string) error {
	patient := c.Patient.Reference[len("Patient/"):]
	version, _ := strconv.Atoi(c.Meta.VersionID)
	if err := ctx.PutJSON(consentKey(patient, c.ID), c); err != nil {
		return err
	}
	if err := ctx.PutJSON(historyKey(patient, c.ID, version), c); err != nil {
		return err
	}
	return ctx.Emit(event, consentEvent{Patient: patient, ID: c.ID, VersionID: c.Meta.VersionID, Status: c.Status,
		PreviousStatus: prevStatus, Scope: c.scope(), Performer: c.Performer[0].Reference})
}

func loadConsent(ctx sdk.Context, patient, id string) (Consent, error) {
	var c Consent
	found, err := ctx.GetJSON(consentKey(patient, id), &c)
	if err == nil && !found {
		err = notFound("consent %s does not exist for this patient", id)
	}
	return c, err
}

func loadVersion(ctx sdk.Context, a consentRef) (Consent, error) {
	v, err := versionNumber(a.VersionID)
	if err != nil {
		return Consent{}, err
	}
	var c Consent
	found, err := ctx.GetJSON(historyKey(a.Patient, a.ID, v), &c)
	if err == nil && !found {
		err = notFound("consent %s has no version %s for this patient", a.ID, a.VersionID)
	}
	return c, err
}

// patientConsents returns the patient's consents whose id starts with idPrefix, in id order.
func patientConsents(ctx sdk.Context, patient, idPrefix string) ([]Consent, error) {
	var out []Consent
	for key, v := range ctx.RangePrefix(consentKey(patient, idPrefix)) {
		var c Consent
		if err := jsonValue(key, v, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func checkRef(a consentRef) error {
	if err := patientID("patient", a.Patient); err != nil {
		return err
	}
	if err := resourceID("id", a.ID, 64); err != nil {
		return err
	}
	if a.VersionID != "" {
		_, err := versionNumber(a.VersionID)
		return err
	}
	return nil
}

// versionNumber parses a FHIR versionId as the contract writes them: a positive decimal.
func versionNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || strconv.Itoa(n) != v {
		return 0, invalid("versionId %q is not a version this contract writes (a positive decimal, e.g. \"1\")", v)
	}
	return n, nil
}

// namedStaff reports whether caller is a member of staff of an organisation that consent c names.
func namedStaff(caller sdk.Identity, c Consent) bool {
	return isStaff(caller) && namesOrg(c, caller.MSPID)
}

// namesOrg reports whether c lists organisation msp.
func namesOrg(c Consent, msp string) bool {
	for _, o := range c.Organization {
		if o.Reference == refOrganization+"/"+msp {
			return true
		}
	}
	return false
}

// studyExists looks research studies up in the ledger.
func studyExists(ctx sdk.Context) studyLookup {
	return func(id string) bool {
		_, ok := ctx.GetState(studyKey(id))
		return ok
	}
}
