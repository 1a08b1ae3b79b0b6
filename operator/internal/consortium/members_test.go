package consortium

import (
	"strings"
	"testing"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

func TestMembers(t *testing.T) {
	c := consortium(withMembers(ref("", "h1"), ref("other", "h2"), ref("", "h3"), ref("", "h4"), ref("", "h5"), ref("", "h6")))
	hs := index(
		hospital("net", "h1", "H1MSP", consenting("", "carenet"), ready(true, "")),           // same-namespace reference
		hospital("other", "h2", "H2MSP", consenting("net", "carenet"), ready(true, "")),      // cross-namespace on both sides
		hospital("net", "h3", "H3MSP", consenting("", "elsewhere"), ready(true, "")),         // lists another consortium
		hospital("net", "h4", "H1MSP", consenting("", "carenet"), ready(true, "")),           // MSP ID of h1
		hospital("net", "h5", "H5MSP", consenting("", "carenet"), ready(false, "0/2 peers")), // not ready
		// h6 does not exist
	)
	want := []struct {
		key, reason, msg string
	}{
		{"net/h1", "", ""},
		{"other/h2", "", ""},
		{"net/h3", v1alpha1.ReasonMemberNotConsenting, "does not list Consortium net/carenet in spec.consortia"},
		{"net/h4", v1alpha1.ReasonDuplicateMSPID, "MSP ID H1MSP, already used by member net/h1"},
		{"net/h5", v1alpha1.ReasonMemberNotReady, "not Ready yet: 0/2 peers"},
		{"net/h6", v1alpha1.ReasonReferenceNotFound, "Hospital net/h6 does not exist"},
	}
	got := Members(c, hs)
	if len(got) != len(want) {
		t.Fatalf("got %d members, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(w.key, func(t *testing.T) {
			m := got[i]
			if m.Key() != w.key || m.Reason != w.reason || m.Eligible() != (w.reason == "") || !strings.Contains(m.Message, w.msg) {
				t.Fatalf("got %+v, want key %s reason %q message containing %q", m, w.key, w.reason, w.msg)
			}
		})
	}
	if got[5].MSPID() != "" || got[0].MSPID() != "H1MSP" {
		t.Fatalf("MSPID: %q %q", got[5].MSPID(), got[0].MSPID())
	}
}

// A non-consenting hospital must not claim an MSP ID and push a later, consenting member out.
func TestMembers_DuplicateMSPIDOnlyAmongConsenting(t *testing.T) {
	c := consortium(withMembers(ref("", "a"), ref("", "b")))
	got := Members(c, index(
		hospital("net", "a", "SameMSP", ready(true, "")),
		hospital("net", "b", "SameMSP", consenting("", "carenet"), ready(true, "")),
	))
	if got[0].Reason != v1alpha1.ReasonMemberNotConsenting || !got[1].Eligible() {
		t.Fatalf("got %+v", got)
	}
}

func TestHospitalKey(t *testing.T) {
	c := consortium()
	if k := HospitalKey(c, ref("", "h")); k != "net/h" {
		t.Fatalf("default namespace: %s", k)
	}
	if k := HospitalKey(c, ref("x", "h")); k != "x/h" {
		t.Fatalf("explicit namespace: %s", k)
	}
}
