package consortium

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// Test object builders with modifiers, in the style of cert-manager's test/unit/gen.

func consortium(mods ...func(*v1alpha1.Consortium)) *v1alpha1.Consortium {
	c := &v1alpha1.Consortium{
		ObjectMeta: metav1.ObjectMeta{Namespace: "net", Name: "carenet", Generation: 3},
		Spec:       v1alpha1.ConsortiumSpec{ChannelName: "care", Orderer: v1alpha1.OrdererSpec{OrgMSPID: "CareOrdererMSP"}},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func withMembers(refs ...v1alpha1.HospitalReference) func(*v1alpha1.Consortium) {
	return func(c *v1alpha1.Consortium) { c.Spec.Members = refs }
}

func ref(ns, name string) v1alpha1.HospitalReference {
	return v1alpha1.HospitalReference{Namespace: ns, Name: name}
}

func hospital(ns, name, msp string, mods ...func(*v1alpha1.Hospital)) *v1alpha1.Hospital {
	h := &v1alpha1.Hospital{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       v1alpha1.HospitalSpec{MSPID: v1alpha1.MSPID(msp)},
	}
	for _, m := range mods {
		m(h)
	}
	return h
}

func consenting(ns, name string) func(*v1alpha1.Hospital) {
	return func(h *v1alpha1.Hospital) {
		h.Spec.Consortia = append(h.Spec.Consortia, v1alpha1.ConsortiumReference{Namespace: ns, Name: name})
	}
}

func ready(ok bool, msg string) func(*v1alpha1.Hospital) {
	return func(h *v1alpha1.Hospital) {
		s := metav1.ConditionFalse
		if ok {
			s = metav1.ConditionTrue
		}
		h.Status.Conditions = append(h.Status.Conditions, metav1.Condition{Type: v1alpha1.ConditionReady, Status: s, Reason: "x", Message: msg})
	}
}

func index(hs ...*v1alpha1.Hospital) map[string]*v1alpha1.Hospital {
	m := map[string]*v1alpha1.Hospital{}
	for _, h := range hs {
		m[h.Namespace+"/"+h.Name] = h
	}
	return m
}
