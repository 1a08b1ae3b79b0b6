package main

import (
	"fmt"
	"slices"
	"time"
)

// request is one access request as the decision sees it. The actor fields come from the caller's identity
// (and a study the caller was verified to belong to), never from arguments.
type request struct {
	MSPID          string
	PractitionerID string
	Study          string
	Action         string
	Purpose        string
	Class          Coding
	Labels         []Coding
	// DataPeriod is when the requested data was recorded; the zero Period means "any time".
	DataPeriod Period
	At         time.Time
}

// outcome is the decision of one provision tree.
type outcome struct {
	typ      string
	path     string
	specific bool
}

// verdict is the decision over all of a patient's consents.
type verdict struct {
	decision string
	basis    string
	rule     *Rule
	reason   string
}

// decide evaluates r against consents (in ledger key order, so by id) and returns the decision.
//
// Within one consent the FHIR R4 provision model applies: the root provision states the consent's rule, nested
// provisions are exceptions to their parent and override it where they apply, and when several sibling exceptions
// apply, deny overrides permit. Across consents, a decision from a specific provision (nested, or a root that names
// an actor, action, purpose, class, security label or data period) overrides the base policy of a root provision
// that names none of those; at equal specificity deny overrides permit. Only active consents whose scope covers
// the purpose take part; when none decides, the answer is deny (no consent, no access).
func decide(consents []Consent, r *request) verdict {
	var best *outcome
	var bestConsent *Consent
	for i := range consents {
		c := &consents[i]
		if c.Status != statusActive || !scopeCovers(c.scope(), r.Purpose) {
			continue
		}
		o := evaluate(&c.Provision, "provision", 0, r)
		if o != nil && stronger(o, best) {
			best, bestConsent = o, c
		}
	}
	if best == nil {
		return verdict{decision: deny, basis: basisNoConsent, reason: "no active consent of the patient covers this request"}
	}
	rule := &Rule{Consent: bestConsent.ID, VersionID: bestConsent.Meta.VersionID, Provision: best.path, Type: best.typ}
	basis := basisBase
	if best.specific {
		basis = basisSpecific
	}
	verb := "permitted"
	if best.typ == deny {
		verb = "denied"
	}
	return verdict{decision: best.typ, basis: basis, rule: rule,
		reason: fmt.Sprintf("%s by %s of consent %s version %s (%s)", verb, best.path, rule.Consent, rule.VersionID, basis)}
}

// stronger reports whether o should replace the current best outcome: specific beats base, then deny beats
// permit; on a tie the earlier consent keeps its place.
func stronger(o, best *outcome) bool {
	switch {
	case best == nil:
		return true
	case o.specific != best.specific:
		return o.specific
	}
	return o.typ == deny && best.typ == permit
}

// evaluate returns the outcome of provision p (at path, depth levels below the root) for r, or nil when p does not
// apply. An applicable nested provision decides instead of p; among several, the first deny, else the first permit.
func evaluate(p *Provision, path string, depth int, r *request) *outcome {
	if !applies(p, r) {
		return nil
	}
	var firstPermit *outcome
	for i := range p.Provision {
		o := evaluate(&p.Provision[i], fmt.Sprintf("%s.provision[%d]", path, i), depth+1, r)
		switch {
		case o == nil:
		case o.typ == deny:
			return o
		case firstPermit == nil:
			firstPermit = o
		}
	}
	if firstPermit != nil {
		return firstPermit
	}
	return &outcome{typ: p.Type, path: path, specific: depth > 0 || narrows(p)}
}

// narrows reports whether p names whom or what it is about (its period alone does not count).
func narrows(p *Provision) bool {
	return len(p.Actor) > 0 || len(p.Action) > 0 || len(p.SecurityLabel) > 0 || len(p.Purpose) > 0 ||
		len(p.Class) > 0 || p.DataPeriod != nil
}

// applies reports whether every condition p states holds for r; a condition p leaves out holds for everything.
func applies(p *Provision, r *request) bool {
	if p.Period != nil && !p.Period.contains(r.At) {
		return false
	}
	if len(p.Actor) > 0 && !slices.ContainsFunc(p.Actor, func(a Actor) bool { return actorMatches(a, r) }) {
		return false
	}
	if len(p.Action) > 0 && !slices.ContainsFunc(p.Action, func(c CodeableConcept) bool { return c.has(sysConsentAction, r.Action) }) {
		return false
	}
	if len(p.SecurityLabel) > 0 && !slices.ContainsFunc(p.SecurityLabel, func(c Coding) bool { return slices.Contains(r.Labels, c) }) {
		return false
	}
	if len(p.Purpose) > 0 && !slices.ContainsFunc(p.Purpose, func(c Coding) bool { return subsumes(c.Code, r.Purpose) }) {
		return false
	}
	if len(p.Class) > 0 && !slices.Contains(p.Class, r.Class) {
		return false
	}
	if p.DataPeriod != nil {
		// A permit must cover all the requested data; a deny bites if any of it falls in its period. A request
		// that gives no data period asks for data of any time: no bounded permit covers it, every deny overlaps it.
		if p.Type == permit && !p.DataPeriod.covers(r.DataPeriod) || p.Type == deny && !p.DataPeriod.overlaps(r.DataPeriod) {
			return false
		}
	}
	return true
}

// actorMatches reports whether actor a is the requester of r.
func actorMatches(a Actor, r *request) bool {
	ref, err := parseActorRef("actor", a.Reference.Reference)
	if err != nil {
		return false
	}
	switch ref.kind {
	case refOrganization:
		return ref.msp == r.MSPID
	case refPractitioner:
		return ref.msp == r.MSPID && ref.id == r.PractitionerID && r.PractitionerID != ""
	case refStudy:
		return ref.id == r.Study && r.Study != ""
	}
	return false
}
