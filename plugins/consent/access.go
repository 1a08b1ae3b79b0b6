package main

import (
	"fmt"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
)

// Events of access decisions.
const (
	evAccessDecision        = "AccessDecision"
	evBreakGlass            = "BreakGlassAccess"
	defaultAuditPage        = 50
	maxAuditPage            = 100
	defaultBreakGlassAction = "access"
)

// accessEvent is the payload of AccessDecision and BreakGlassAccess: enough for a notifier to tell the patient
// (through the hospital that holds the pseudonym) who asked for what, never any clinical data.
type accessEvent struct {
	Patient         string `json:"patient"`
	AuditID         string `json:"auditId"`
	Decision        string `json:"decision"`
	Purpose         string `json:"purpose"`
	Action          string `json:"action"`
	MSPID           string `json:"mspId"`
	PractitionerID  string `json:"practitionerId,omitempty"`
	Study           string `json:"study,omitempty"`
	ConsentDecision string `json:"consentDecision,omitempty"`
}

type checkArgs struct {
	Patient       string   `json:"patient"`
	Action        string   `json:"action"`
	Purpose       string   `json:"purpose"`
	Class         Coding   `json:"class"`
	SecurityLabel []Coding `json:"securityLabel,omitempty"`
	DataPeriod    *Period  `json:"dataPeriod,omitempty"`
	Study         string   `json:"study,omitempty"`
}

type breakGlassArgs struct {
	Patient       string   `json:"patient"`
	Action        string   `json:"action,omitempty"`
	Class         Coding   `json:"class"`
	SecurityLabel []Coding `json:"securityLabel,omitempty"`
	DataPeriod    *Period  `json:"dataPeriod,omitempty"`
}

type auditArgs struct {
	Patient        string    `json:"patient"`
	From           time.Time `json:"from,omitzero"`
	To             time.Time `json:"to,omitzero"`
	BreakGlassOnly bool      `json:"breakGlassOnly,omitempty"`
	PageSize       int       `json:"pageSize,omitempty"`
	Bookmark       string    `json:"bookmark,omitempty"`
}

// AuditPage is one page of a patient's audit trail; pass Bookmark back to continue, empty when done.
type AuditPage struct {
	Entries  []AuditEntry `json:"entries"`
	Bookmark string       `json:"bookmark"`
}

// validateRequest checks the parts of a request that check and breakGlass share.
func validateRequest(patient, action string, class Coding, labels []Coding, dataPeriod *Period) error {
	if err := patientID("patient", patient); err != nil {
		return err
	}
	if !actions[action] {
		return invalid("action %q is not a consent action (%s)", action, codes(actions))
	}
	if err := checkCoding("class", class, classCodes, true); err != nil {
		return err
	}
	if err := codings("securityLabel", labels, securityLabelCodes, false); err != nil {
		return err
	}
	return period("dataPeriod", dataPeriod)
}

// check decides whether the caller may perform an action on a class of the patient's data for a purpose now,
// records the decision in the patient's audit trail and returns it with the provision that decided.
func check(ctx sdk.Context, a checkArgs) (DecisionResult, error) {
	if err := validateRequest(a.Patient, a.Action, a.Class, a.SecurityLabel, a.DataPeriod); err != nil {
		return DecisionResult{}, err
	}
	if _, ok := purposeParent[a.Purpose]; !ok {
		return DecisionResult{}, invalid("purpose %q is not a v3 PurposeOfUse code known here", a.Purpose)
	}
	caller := ctx.Caller()
	if !isStaff(caller) {
		return DecisionResult{}, denied("check needs a staff identity of an organization: a client or admin whose role is not patient or guardian")
	}
	if a.Study != "" {
		if err := checkStudyRequest(ctx, a.Study, a.Purpose); err != nil {
			return DecisionResult{}, err
		}
	}
	consents, err := patientConsents(ctx, a.Patient, "")
	if err != nil {
		return DecisionResult{}, err
	}
	r := newRequest(ctx, a.Action, a.Purpose, a.Class, a.SecurityLabel, a.DataPeriod)
	r.Study = a.Study
	v := decide(consents, &r)
	e := auditEntry(ctx, a.Patient, &r, a.DataPeriod)
	e.Decision, e.Basis, e.DecidedBy, e.Reason = v.decision, v.basis, v.rule, v.reason
	return recordAccess(ctx, e, evAccessDecision)
}

// checkStudyRequest verifies that the caller works on study (a researcher of its sponsor or one of its sites),
// that the study is in force, and that purpose is the study's.
func checkStudyRequest(ctx sdk.Context, id, purpose string) error {
	if err := resourceID("study", id, maxStudyID); err != nil {
		return err
	}
	s, err := loadStudy(ctx, id)
	if err != nil {
		return err
	}
	caller := ctx.Caller()
	if !caller.HasAttr(attrRole, roleResearcher) {
		return denied("access for study %s needs a researcher (attribute role=researcher)", id)
	}
	if !studyMember(s, caller.MSPID) {
		return denied("organization %s is neither the sponsor nor a site of study %s", caller.MSPID, id)
	}
	if err := studyInForce(ctx, s); err != nil {
		return err
	}
	if !subsumes(s.Purpose.Code, purpose) {
		return invalid("purpose %s is not study %s's purpose %s (or a specialisation of it)", purpose, id, s.Purpose.Code)
	}
	return nil
}

// breakGlass grants emergency access (purpose ETREAT) to an on-duty clinician whatever the consents say, and
// records it in the patient's audit trail and break-glass report. A clinician who is not on duty is refused, and
// that refusal is recorded too. Callers that are not clinicians at all get an error and leave no trace.
func breakGlass(ctx sdk.Context, a breakGlassArgs) (DecisionResult, error) {
	if a.Action == "" {
		a.Action = defaultBreakGlassAction
	}
	if err := validateRequest(a.Patient, a.Action, a.Class, a.SecurityLabel, a.DataPeriod); err != nil {
		return DecisionResult{}, err
	}
	caller := ctx.Caller()
	role, _ := caller.Attr(attrRole)
	if !caller.HasRole(ouClient) || role != roleClinician {
		return DecisionResult{}, denied("break-glass needs a clinician (client identity with attribute role=clinician); the caller's role attribute is %q", role)
	}
	if pid, _ := caller.Attr(attrPractitionerID); token("practitionerId attribute", pid) != nil {
		return DecisionResult{}, denied("break-glass needs the caller's practitionerId attribute, so the patient can learn who accessed their data")
	}
	consents, err := patientConsents(ctx, a.Patient, "")
	if err != nil {
		return DecisionResult{}, err
	}
	r := newRequest(ctx, a.Action, purposeEmergency, a.Class, a.SecurityLabel, a.DataPeriod)
	e := auditEntry(ctx, a.Patient, &r, a.DataPeriod)
	e.BreakGlass, e.Basis = true, basisBreakGlass
	e.ConsentDecision = decide(consents, &r).decision
	if duty, _ := caller.Attr(attrOnDuty); duty == "true" {
		e.Decision = permit
		e.Reason = fmt.Sprintf("emergency access by on-duty clinician %s of %s (consents alone: %s)", r.PractitionerID, r.MSPID, e.ConsentDecision)
	} else {
		e.Decision = deny
		e.Reason = fmt.Sprintf("break-glass needs an on-duty clinician; the caller's onDuty attribute is %q", duty)
	}
	return recordAccess(ctx, e, evBreakGlass)
}

// auditTrail returns a page of the patient's access decisions in time order, optionally only break-glass ones
// and only those recorded in [from, to]. Readers: the patient, their delegates, regulators.
func auditTrail(ctx sdk.Context, a auditArgs) (AuditPage, error) {
	if err := patientID("patient", a.Patient); err != nil {
		return AuditPage{}, err
	}
	if !a.From.IsZero() && !a.To.IsZero() && a.From.After(a.To) {
		return AuditPage{}, invalid("from %s is after to %s", a.From.Format(rfc3339), a.To.Format(rfc3339))
	}
	size := a.PageSize
	if size == 0 {
		size = defaultAuditPage
	}
	if size < 1 || size > maxAuditPage {
		return AuditPage{}, invalid("pageSize %d is not between 1 and %d", a.PageSize, maxAuditPage)
	}
	full, err := patientSide(ctx, a.Patient)
	if err != nil {
		return AuditPage{}, err
	}
	if c := ctx.Caller(); !full && !isRegulator(c) {
		return AuditPage{}, denied("the audit trail may be read by the patient, their delegates and regulators (attribute role=regulator)")
	}
	prefix := prefixAudit + a.Patient + "/"
	if a.BreakGlassOnly {
		prefix = prefixBreakGlass + a.Patient + "/"
	}
	start, end := prefix, sdk.PrefixEnd(prefix)
	if !a.From.IsZero() {
		start = prefix + timeKey(a.From)
	}
	if !a.To.IsZero() {
		end = prefix + timeKey(a.To.Add(time.Nanosecond)) // to is inclusive
	}
	page := ctx.RangePage(start, end, a.Bookmark, size)
	out := AuditPage{Entries: make([]AuditEntry, 0, len(page.Entries)), Bookmark: page.Bookmark}
	for _, kv := range page.Entries {
		var e AuditEntry
		if err := jsonValue(kv.Key, kv.Value, &e); err != nil {
			return AuditPage{}, err
		}
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}

// newRequest builds a request whose actor is the caller.
func newRequest(ctx sdk.Context, action, purpose string, class Coding, labels []Coding, dataPeriod *Period) request {
	caller := ctx.Caller()
	pid, _ := caller.Attr(attrPractitionerID)
	r := request{MSPID: caller.MSPID, PractitionerID: pid, Action: action, Purpose: purpose, Class: class,
		Labels: labels, At: ctx.TxTime()}
	if dataPeriod != nil {
		r.DataPeriod = *dataPeriod
	}
	return r
}

// auditEntry starts the audit entry of r; the caller fills in the decision.
func auditEntry(ctx sdk.Context, patient string, r *request, dataPeriod *Period) AuditEntry {
	caller := ctx.Caller()
	role, _ := caller.Attr(attrRole)
	id := timeKey(r.At) + "/" + ctx.TxID()
	return AuditEntry{ID: id, Patient: patient, Recorded: r.At, TxID: ctx.TxID(),
		Agent:  Agent{MSPID: caller.MSPID, ID: caller.ID, Role: role, PractitionerID: r.PractitionerID},
		Action: r.Action, Purpose: r.Purpose, Class: r.Class, SecurityLabel: r.Labels, DataPeriod: dataPeriod,
		Study: r.Study}
}

// recordAccess writes e to the audit trail (and the break-glass report), emits event and returns the result.
func recordAccess(ctx sdk.Context, e AuditEntry, event string) (DecisionResult, error) {
	if err := ctx.PutJSON(prefixAudit+e.Patient+"/"+e.ID, e); err != nil {
		return DecisionResult{}, err
	}
	if e.BreakGlass {
		if err := ctx.PutJSON(prefixBreakGlass+e.Patient+"/"+e.ID, e); err != nil {
			return DecisionResult{}, err
		}
	}
	err := ctx.Emit(event, accessEvent{Patient: e.Patient, AuditID: e.ID, Decision: e.Decision, Purpose: e.Purpose,
		Action: e.Action, MSPID: e.Agent.MSPID, PractitionerID: e.Agent.PractitionerID, Study: e.Study,
		ConsentDecision: e.ConsentDecision})
	return DecisionResult{Decision: e.Decision, Basis: e.Basis, DecidedBy: e.DecidedBy, ConsentDecision: e.ConsentDecision,
		Reason: e.Reason, AuditID: e.ID}, err
}
