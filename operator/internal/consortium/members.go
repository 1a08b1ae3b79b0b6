package consortium

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// Member is one spec.members entry as resolved against the cluster.
type Member struct {
	// Namespace and Name locate the Hospital (the namespace defaults to the Consortium's).
	Namespace, Name string
	// Hospital is the member's Hospital, nil when it does not exist.
	Hospital *v1alpha1.Hospital
	// Reason is "" when the member is eligible to join, else a condition reason: ReferenceNotFound,
	// MemberNotConsenting, DuplicateMSPID or MemberNotReady.
	Reason string
	// Message says why, naming the Hospital and what to do.
	Message string
}

// Key returns "namespace/name".
func (m Member) Key() string { return m.Namespace + "/" + m.Name }

// Eligible says whether the member's peers may be joined to the channel.
func (m Member) Eligible() bool { return m.Reason == "" }

// MSPID returns the Hospital's MSP ID, "" when the Hospital does not exist.
func (m Member) MSPID() string {
	if m.Hospital == nil {
		return ""
	}
	return string(m.Hospital.Spec.MSPID)
}

// HospitalKey returns "namespace/name" of ref, its namespace defaulting to c's.
func HospitalKey(c *v1alpha1.Consortium, ref v1alpha1.HospitalReference) string {
	ns := ref.Namespace
	if ns == "" {
		ns = c.Namespace
	}
	return ns + "/" + ref.Name
}

// Members resolves c's spec.members against hospitals (keyed "namespace/name"; missing ones absent), in spec
// order. The checks run in this order, the first failing one deciding the member's reason:
//   - ReferenceNotFound: the Hospital does not exist;
//   - MemberNotConsenting: the Hospital does not list c in spec.consortia (both sides must agree);
//   - DuplicateMSPID: another member listed earlier has the same MSP ID (Fabric cannot tell them apart), so the
//     first listed keeps its place and the later one waits;
//   - MemberNotReady: the Hospital's Ready condition is not True (its peers must run before they can join).
func Members(c *v1alpha1.Consortium, hospitals map[string]*v1alpha1.Hospital) []Member {
	out := make([]Member, 0, len(c.Spec.Members))
	mspOwner := map[string]string{}
	for _, ref := range c.Spec.Members {
		m := Member{Namespace: ref.Namespace, Name: ref.Name}
		if m.Namespace == "" {
			m.Namespace = c.Namespace
		}
		m.Hospital = hospitals[m.Key()]
		h := m.Hospital
		switch {
		case h == nil:
			m.Reason, m.Message = v1alpha1.ReasonReferenceNotFound, fmt.Sprintf("Hospital %s does not exist: create it or remove it from spec.members", m.Key())
		case !consents(h, c):
			m.Reason, m.Message = v1alpha1.ReasonMemberNotConsenting, fmt.Sprintf("Hospital %s does not list Consortium %s/%s in spec.consortia: ask its administrators to add it, or remove the member", m.Key(), c.Namespace, c.Name)
		case mspOwner[string(h.Spec.MSPID)] != "":
			m.Reason, m.Message = v1alpha1.ReasonDuplicateMSPID, fmt.Sprintf("Hospital %s has MSP ID %s, already used by member %s: remove one of them from spec.members", m.Key(), h.Spec.MSPID, mspOwner[string(h.Spec.MSPID)])
		case !meta.IsStatusConditionTrue(h.Status.Conditions, v1alpha1.ConditionReady):
			m.Reason, m.Message = v1alpha1.ReasonMemberNotReady, fmt.Sprintf("Hospital %s is not Ready yet", m.Key())
			if rc := meta.FindStatusCondition(h.Status.Conditions, v1alpha1.ConditionReady); rc != nil && rc.Message != "" {
				m.Message += ": " + rc.Message
			}
		}
		if h != nil && consents(h, c) && mspOwner[string(h.Spec.MSPID)] == "" {
			mspOwner[string(h.Spec.MSPID)] = m.Key()
		}
		out = append(out, m)
	}
	return out
}

// consents says whether h lists c in spec.consortia.
func consents(h *v1alpha1.Hospital, c *v1alpha1.Consortium) bool {
	for _, ref := range h.Spec.Consortia {
		ns := ref.Namespace
		if ns == "" {
			ns = h.Namespace
		}
		if ns == c.Namespace && ref.Name == c.Name {
			return true
		}
	}
	return false
}
