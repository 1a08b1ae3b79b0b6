package consortium

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

func TestApplyStatus(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	c := consortium(withMembers(ref("", "h1"), ref("", "h2")))
	hs := index(
		hospital("net", "h1", "H1MSP", consenting("", "carenet"), ready(true, "")),
		hospital("net", "h2", "H2MSP", consenting("", "carenet"), ready(true, "")),
	)
	members := Members(c, hs)
	runtime := &v1alpha1.ChaincodeDefinitionStatus{Name: "wasmcc", Version: "1.0", Sequence: 1, PackageID: "wasmcc:abc"}
	all := Observation{DesiredOrderers: 3, ReadyOrderers: 3, OrdererEndpoints: []string{"o0:7050"}, ChannelCreated: true,
		Members: members, Joined: map[string]bool{"net/h1": true, "net/h2": true},
		AnchorPeers: map[string][]string{"net/h1": {"h1-peer-0:7051"}}, Runtime: runtime, Height: 5}
	with := func(f func(*Observation)) Observation { o := all; f(&o); return o }

	tests := []struct {
		name        string
		obs         Observation
		ready       string // Ready's reason
		readyMsg    string
		conds       map[string]string // condition type → reason
		joined      string
		memberWhy   []string // memberStatuses[].reason
		wantRuntime bool
	}{
		{"all ready", all, v1alpha1.ReasonReconciled, "3/3 orderers, 2/2 members",
			map[string]string{v1alpha1.ConsortiumOrderersReady: v1alpha1.ReasonOrderersAvailable, v1alpha1.ConsortiumChannelCreated: v1alpha1.ReasonChannelCreated,
				v1alpha1.ConsortiumMembersJoined: v1alpha1.ReasonMembersJoined, v1alpha1.ConsortiumContractRuntimeCommitted: v1alpha1.ReasonContractRuntimeCommitted},
			"2/2", []string{"", ""}, true},
		{"orderers starting", with(func(o *Observation) { o.ReadyOrderers = 1 }), v1alpha1.ReasonOrderersUnavailable, "1/3 orderers ready",
			map[string]string{v1alpha1.ConsortiumOrderersReady: v1alpha1.ReasonOrderersUnavailable}, "2/2", []string{"", ""}, true},
		{"channel refused", with(func(o *Observation) { o.ChannelCreated, o.ChannelCreateFailed = false, "bad MSP H2MSP" }), v1alpha1.ReasonChannelCreateFailed, "bad MSP H2MSP",
			map[string]string{v1alpha1.ConsortiumChannelCreated: v1alpha1.ReasonChannelCreateFailed}, "2/2", []string{"", ""}, true},
		{"member joining", with(func(o *Observation) { o.Joined = map[string]bool{"net/h1": true} }), v1alpha1.ReasonProgressing, "joining Hospital net/h2",
			map[string]string{v1alpha1.ConsortiumMembersJoined: v1alpha1.ReasonProgressing}, "1/2", []string{"", v1alpha1.ReasonProgressing}, true},
		{"member join failed", with(func(o *Observation) {
			o.Joined, o.JoinFailed = nil, map[string]string{"net/h2": "tls: bad certificate"}
		}), v1alpha1.ReasonProgressing, "joining Hospital net/h1",
			map[string]string{v1alpha1.ConsortiumMembersJoined: v1alpha1.ReasonProgressing}, "0/2", []string{v1alpha1.ReasonProgressing, v1alpha1.ReasonChannelJoinFailed}, true},
		{"non-member hospital", with(func(o *Observation) {
			c2 := consortium(withMembers(ref("", "h1"), ref("", "h3")))
			o.Members = Members(c2, index(hs["net/h1"], hospital("net", "h3", "H3MSP", ready(true, ""))))
		}), v1alpha1.ReasonMemberNotConsenting, "Hospital net/h3 does not list",
			map[string]string{v1alpha1.ConsortiumMembersJoined: v1alpha1.ReasonMemberNotConsenting}, "1/2", []string{"", v1alpha1.ReasonMemberNotConsenting}, true},
		{"config update refused", with(func(o *Observation) { o.ConfigUpdateFailed = "implicit policy not satisfied" }), v1alpha1.ReasonConfigUpdateFailed, "implicit policy",
			map[string]string{v1alpha1.ConsortiumMembersJoined: v1alpha1.ReasonConfigUpdateFailed}, "2/2", []string{"", ""}, true},
		{"approvals pending", with(func(o *Observation) { o.Runtime, o.PendingApprovals = nil, []string{"H2MSP"} }), v1alpha1.ReasonApprovalPending, "H2MSP",
			map[string]string{v1alpha1.ConsortiumContractRuntimeCommitted: v1alpha1.ReasonApprovalPending}, "2/2", []string{"", ""}, false},
		{"no members", with(func(o *Observation) { o.Members = nil }), v1alpha1.ReasonInvalidSpec, "lists no hospital",
			map[string]string{v1alpha1.ConsortiumMembersJoined: v1alpha1.ReasonInvalidSpec}, "0/0", nil, true},
		{"invalid spec wins", with(func(o *Observation) { o.Invalid = "spec.orderer.nodes: 2" }), v1alpha1.ReasonInvalidSpec, "nodes: 2", nil, "2/2", []string{"", ""}, true},
		{"deleting wins", with(func(o *Observation) { o.Deleting, o.Invalid = true, "x" }), v1alpha1.ReasonDeleting, "removing", nil, "2/2", []string{"", ""}, true},
		{"internal error", with(func(o *Observation) { o.Internal = "listing hospitals: timeout" }), v1alpha1.ReasonInternalError, "timeout", nil, "2/2", []string{"", ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c.DeepCopy()
			ApplyStatus(c, tt.obs, now)
			st := c.Status
			r := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
			if r == nil || r.Reason != tt.ready || !strings.Contains(r.Message, tt.readyMsg) || r.ObservedGeneration != 3 ||
				(r.Status == metav1.ConditionTrue) != (tt.ready == v1alpha1.ReasonReconciled) {
				t.Fatalf("Ready: got %+v, want %s containing %q", r, tt.ready, tt.readyMsg)
			}
			for typ, reason := range tt.conds {
				if cond := meta.FindStatusCondition(st.Conditions, typ); cond == nil || cond.Reason != reason {
					t.Errorf("%s: got %+v, want reason %s", typ, cond, reason)
				}
			}
			if st.Members != tt.joined || len(st.MemberStatuses) != len(tt.memberWhy) {
				t.Fatalf("members %q with %d statuses, want %q with %d", st.Members, len(st.MemberStatuses), tt.joined, len(tt.memberWhy))
			}
			for i, why := range tt.memberWhy {
				if ms := st.MemberStatuses[i]; ms.Reason != why || ms.Joined != (why == "") {
					t.Errorf("member %d: %+v, want reason %q", i, ms, why)
				}
			}
			if (st.ContractRuntime != nil) != tt.wantRuntime {
				t.Errorf("contractRuntime %+v", st.ContractRuntime)
			}
		})
	}
}

// The Hospital controller reads joined, the MSP ID, anchor peers and the package ID from this status.
func TestApplyStatus_FieldsTheHospitalControllerReads(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	c := consortium(withMembers(ref("", "h1")))
	members := Members(c, index(hospital("net", "h1", "H1MSP", consenting("", "carenet"), ready(true, ""))))
	ApplyStatus(c, Observation{DesiredOrderers: 1, ReadyOrderers: 1, ChannelCreated: true, Members: members,
		Joined: map[string]bool{"net/h1": true}, AnchorPeers: map[string][]string{"net/h1": {"h1-peer-0.h1-peers.net.svc:7051"}},
		Runtime: &v1alpha1.ChaincodeDefinitionStatus{Name: "wasmcc", Version: "1", Sequence: 1, PackageID: "wasmcc:abc"}, Height: 9}, now)
	ms := c.Status.MemberStatuses[0]
	if !ms.Joined || ms.MSPID != "H1MSP" || ms.Name != "h1" || ms.Namespace != "net" || len(ms.AnchorPeers) != 1 {
		t.Fatalf("member status %+v", ms)
	}
	if c.Status.ContractRuntime.PackageID != "wasmcc:abc" || c.Status.Height != 9 || c.Status.Orderers != "1/1" {
		t.Fatalf("status %+v", c.Status)
	}
	// A later pass that cannot read the height keeps the last known one, and a status that does not change keeps
	// its transition times.
	before := meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConditionReady).LastTransitionTime
	ApplyStatus(c, Observation{DesiredOrderers: 1, ReadyOrderers: 1, ChannelCreated: true, Members: members,
		Joined: map[string]bool{"net/h1": true}, Runtime: c.Status.ContractRuntime}, now.Add(time.Hour))
	if c.Status.Height != 9 || !meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConditionReady).LastTransitionTime.Equal(&before) {
		t.Fatalf("height %d, Ready transition moved", c.Status.Height)
	}
}
