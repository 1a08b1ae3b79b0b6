package controller

import (
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// These tests run without an API server: the condition functions take data.

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func checkCondition(t *testing.T, h *v1alpha1.Hospital, typ string, status metav1.ConditionStatus, reason, msgPart string) {
	t.Helper()
	c := meta.FindStatusCondition(h.Status.Conditions, typ)
	if c == nil {
		t.Fatalf("no %s condition", typ)
	}
	if c.Status != status || c.Reason != reason || !strings.Contains(c.Message, msgPart) {
		t.Errorf("%s = %s/%s %q, want %s/%s containing %q", typ, c.Status, c.Reason, c.Message, status, reason, msgPart)
	}
	if c.ObservedGeneration != h.Generation {
		t.Errorf("%s observedGeneration %d, want %d", typ, c.ObservedGeneration, h.Generation)
	}
}

func TestSetCondition_TransitionTime(t *testing.T) {
	h := &v1alpha1.Hospital{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
	setCondition(h, t0, "PeersReady", false, "Progressing", "a")
	setCondition(h, t0.Add(time.Minute), "PeersReady", false, "PeersUnavailable", "b")
	c := h.Status.Conditions[0]
	if !c.LastTransitionTime.Time.Equal(t0) || c.Reason != "PeersUnavailable" || c.Message != "b" {
		t.Errorf("same status: %+v, want the first transition time with the new reason", c)
	}
	setCondition(h, t0.Add(2*time.Minute), "PeersReady", true, "PeersAvailable", "c")
	if c := h.Status.Conditions[0]; !c.LastTransitionTime.Time.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("status change kept transition time %s", c.LastTransitionTime)
	}
}

func TestSetIdentityReadyCondition(t *testing.T) {
	tests := []struct {
		name   string
		in     identityInput
		status metav1.ConditionStatus
		reason string
		msg    string
	}{
		{"ready", identityInput{revision: 1, expiry: t0.Add(time.Hour)}, metav1.ConditionTrue, v1alpha1.ReasonCAReady, "valid until 2026-11-24T13:00:00Z"},
		{"problem wins", identityInput{problem: &problem{v1alpha1.ReasonCASecretInvalid, "Secret x: ca.key is missing"}, renewed: []string{"p"}},
			metav1.ConditionFalse, v1alpha1.ReasonCASecretInvalid, "ca.key is missing"},
		{"renewed in this pass", identityInput{revision: 2, renewed: []string{"peer0.h: inside its renewal window"}},
			metav1.ConditionFalse, v1alpha1.ReasonCertificateRenewing, "revision 2"},
		{"pods on old certificates", identityInput{revision: 2, stalePods: []string{"h-peer-0", "h-peer-1"}},
			metav1.ConditionFalse, v1alpha1.ReasonCertificateRenewing, "h-peer-0, h-peer-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &v1alpha1.Hospital{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
			setIdentityReadyCondition(h, tt.in, t0)
			checkCondition(t, h, v1alpha1.HospitalIdentityReady, tt.status, tt.reason, tt.msg)
		})
	}
}

func TestSetPeersReadyCondition(t *testing.T) {
	tests := []struct {
		name     string
		in       workloadInput
		versions []string
		status   metav1.ConditionStatus
		reason   string
		msg      string
	}{
		{"envtest: no StatefulSet controller", workloadInput{desired: 2}, nil, metav1.ConditionFalse, v1alpha1.ReasonProgressing, "waiting for the StatefulSet controller"},
		{"rolling", workloadInput{desired: 3, ready: 2, updated: 1, observed: true}, nil, metav1.ConditionFalse, v1alpha1.ReasonProgressing, "1/3 updated, 2/3 ready"},
		{"ready", workloadInput{desired: 2, ready: 2, updated: 2, observed: true, rolledOut: true}, []string{"3.1.1", "3.1.1"}, metav1.ConditionTrue, v1alpha1.ReasonPeersAvailable, "2/2"},
		{"crash loop", workloadInput{desired: 2, ready: 1, updated: 2, observed: true, rolledOut: true, notReady: []string{"h-peer-1"}}, nil,
			metav1.ConditionFalse, v1alpha1.ReasonPeersUnavailable, "not ready: h-peer-1"},
		{"upgrade", workloadInput{desired: 2, ready: 2, updated: 1, observed: true}, []string{"3.1.1", "2.5.9"}, metav1.ConditionFalse, v1alpha1.ReasonFabricUpgrading, "1 still on 2.5.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &v1alpha1.Hospital{}
			setPeersReadyCondition(h, tt.in, tt.versions, "3.1.1", t0)
			checkCondition(t, h, v1alpha1.HospitalPeersReady, tt.status, tt.reason, tt.msg)
		})
	}
}

func TestSetContractRuntimeReadyCondition(t *testing.T) {
	tests := []struct {
		name   string
		in     workloadInput
		status metav1.ConditionStatus
		reason string
	}{
		{"envtest: no Deployment controller", workloadInput{desired: 1}, metav1.ConditionFalse, v1alpha1.ReasonProgressing},
		{"available", workloadInput{desired: 2, ready: 2, updated: 2, observed: true, rolledOut: true}, metav1.ConditionTrue, v1alpha1.ReasonRuntimeAvailable},
		{"pods down", workloadInput{desired: 2, ready: 1, updated: 2, observed: true, rolledOut: true}, metav1.ConditionFalse, v1alpha1.ReasonRuntimeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &v1alpha1.Hospital{}
			setContractRuntimeReadyCondition(h, tt.in, t0)
			checkCondition(t, h, v1alpha1.HospitalContractRuntimeReady, tt.status, tt.reason, "")
		})
	}
}

func TestWorkloadInputs(t *testing.T) {
	three := int32(3)
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Generation: 4},
		Spec:       appsv1.StatefulSetSpec{Replicas: &three},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 4, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3,
			CurrentRevision: "r2", UpdateRevision: "r2"},
	}
	ready := func(name string) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
	}
	terminating := ready("h-peer-2")
	terminating.DeletionTimestamp = &metav1.Time{Time: t0}
	in := statefulSetInput("h", sts, []corev1.Pod{ready("h-peer-0"), ready("h-peer-1"), terminating, ready("other")})
	if !in.observed || !in.rolledOut || in.ready != 2 || len(in.notReady) != 1 || in.notReady[0] != "h-peer-2" {
		t.Errorf("StatefulSet input %+v", in)
	}
	sts.Status.CurrentRevision = "r1"
	if statefulSetInput("h", sts, nil).rolledOut {
		t.Error("pods of an older revision remain: not rolled out")
	}
	sts.Status.ObservedGeneration = 3
	if statefulSetInput("h", sts, nil).observed {
		t.Error("generation 4 not observed yet")
	}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 1}, Spec: appsv1.DeploymentSpec{Replicas: &three},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 3, AvailableReplicas: 3}}
	if in := deploymentInput(d); !in.observed || in.rolledOut || in.ready != 3 {
		t.Errorf("surging Deployment %+v: an old pod remains", in)
	}
}

func TestChannelsJoined(t *testing.T) {
	h := &v1alpha1.Hospital{
		ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "st-marys"},
		Spec: v1alpha1.HospitalSpec{MSPID: "StMarysMSP", Consortia: []v1alpha1.ConsortiumReference{
			{Name: "care"}, {Name: "trials", Namespace: "b"},
		}},
	}
	prevJoin := metav1.NewTime(t0.Add(-time.Hour))
	h.Status.Channels = []v1alpha1.JoinedChannel{{Name: "care", Consortium: "a/care", JoinedAt: &prevJoin, Height: 9}}
	member := func(ns, name, msp string, joined bool, reason string) v1alpha1.ConsortiumMemberStatus {
		return v1alpha1.ConsortiumMemberStatus{Namespace: ns, Name: name, MSPID: msp, Joined: joined, Reason: reason}
	}
	cons := func(ns, name, pkg string, members []v1alpha1.HospitalReference, statuses ...v1alpha1.ConsortiumMemberStatus) *v1alpha1.Consortium {
		c := &v1alpha1.Consortium{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.ConsortiumSpec{ChannelName: name, Members: members}}
		c.Status.MemberStatuses = statuses
		if pkg != "" {
			c.Status.ContractRuntime = &v1alpha1.ChaincodeDefinitionStatus{PackageID: pkg}
		}
		return c
	}
	us := []v1alpha1.HospitalReference{{Name: "st-marys"}}
	usFromB := []v1alpha1.HospitalReference{{Name: "st-marys", Namespace: "a"}}
	joinedCare := cons("a", "care", "wasmcc:1", us, member("a", "st-marys", "StMarysMSP", true, ""))
	tests := []struct {
		name     string
		consorts map[string]*v1alpha1.Consortium
		reason   string // "" for joined everywhere
		joined   int
		packages []string
	}{
		{"both joined", map[string]*v1alpha1.Consortium{"a/care": joinedCare, "b/trials": cons("b", "trials", "wasmcc:1", usFromB, member("a", "st-marys", "StMarysMSP", true, ""))},
			"", 2, []string{"wasmcc:1", "wasmcc:1"}},
		{"one missing", map[string]*v1alpha1.Consortium{"a/care": joinedCare, "b/trials": nil}, v1alpha1.ReasonReferenceNotFound, 1, []string{"wasmcc:1"}},
		{"not listed (namespace differs)", map[string]*v1alpha1.Consortium{"a/care": joinedCare, "b/trials": cons("b", "trials", "", us)}, v1alpha1.ReasonNotAMember, 1, []string{"wasmcc:1"}},
		{"MSP ID taken", map[string]*v1alpha1.Consortium{"a/care": cons("a", "care", "", us, member("c", "other", "StMarysMSP", true, "")), "b/trials": nil},
			v1alpha1.ReasonMSPIDConflict, 0, nil},
		{"join failed", map[string]*v1alpha1.Consortium{"a/care": cons("a", "care", "", us, member("a", "st-marys", "StMarysMSP", false, v1alpha1.ReasonChannelJoinFailed)), "b/trials": nil},
			v1alpha1.ReasonChannelJoinFailed, 0, nil},
		{"waiting", map[string]*v1alpha1.Consortium{"a/care": cons("a", "care", "", us), "b/trials": nil}, v1alpha1.ReasonProgressing, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, joined, pkgs := channelsJoined(h, tt.consorts, t0)
			switch {
			case tt.reason == "" && p != nil:
				t.Errorf("problem %+v, want none", p)
			case tt.reason != "" && (p == nil || p.reason != tt.reason):
				t.Errorf("problem %+v, want %s", p, tt.reason)
			}
			if len(joined) != tt.joined || len(pkgs) != len(tt.packages) {
				t.Errorf("joined %+v packages %v", joined, pkgs)
			}
			for _, j := range joined {
				if j.Consortium == "a/care" && (!j.JoinedAt.Time.Equal(prevJoin.Time) || j.Height != 9) {
					t.Errorf("a channel joined earlier lost its join time or height: %+v", j)
				}
				if j.Consortium == "b/trials" && !j.JoinedAt.Time.Equal(t0) {
					t.Errorf("new channel joined at %s", j.JoinedAt)
				}
			}
			hc := h.DeepCopy()
			setChannelsJoinedCondition(hc, p, len(joined), t0)
			want := metav1.ConditionTrue
			if tt.reason != "" {
				want = metav1.ConditionFalse
			}
			if c := meta.FindStatusCondition(hc.Status.Conditions, v1alpha1.HospitalChannelsJoined); c.Status != want {
				t.Errorf("ChannelsJoined %s", c.Status)
			}
		})
	}
	none := &v1alpha1.Hospital{}
	setChannelsJoinedCondition(none, nil, 0, t0)
	checkCondition(t, none, v1alpha1.HospitalChannelsJoined, metav1.ConditionTrue, v1alpha1.ReasonChannelsJoined, "lists no consortium")
}

func TestSetReadyCondition(t *testing.T) {
	ready := func(types ...string) *v1alpha1.Hospital {
		h := &v1alpha1.Hospital{}
		for _, typ := range types {
			setCondition(h, t0, typ, true, "OK", "")
		}
		return h
	}
	all := []string{v1alpha1.HospitalIdentityReady, v1alpha1.HospitalPeersReady, v1alpha1.HospitalContractRuntimeReady}
	tests := []struct {
		name     string
		h        *v1alpha1.Hospital
		deleting bool
		invalid  error
		failed   error
		status   metav1.ConditionStatus
		reason   string
		msg      string
	}{
		{"all ready", ready(all...), false, nil, nil, metav1.ConditionTrue, v1alpha1.ReasonReconciled, ""},
		{"channels do not count", func() *v1alpha1.Hospital {
			h := ready(all...)
			setCondition(h, t0, v1alpha1.HospitalChannelsJoined, false, v1alpha1.ReasonNotAMember, "")
			return h
		}(), false, nil, nil, metav1.ConditionTrue, v1alpha1.ReasonReconciled, ""},
		{"first not ready decides", func() *v1alpha1.Hospital {
			h := ready(v1alpha1.HospitalIdentityReady)
			setCondition(h, t0, v1alpha1.HospitalPeersReady, false, v1alpha1.ReasonPeersUnavailable, "1/2 peers ready")
			setCondition(h, t0, v1alpha1.HospitalContractRuntimeReady, false, v1alpha1.ReasonRuntimeUnavailable, "")
			return h
		}(), false, nil, nil, metav1.ConditionFalse, v1alpha1.ReasonPeersUnavailable, "PeersReady: 1/2 peers ready"},
		{"unknown yet", ready(v1alpha1.HospitalIdentityReady), false, nil, nil, metav1.ConditionFalse, v1alpha1.ReasonProgressing, "PeersReady not yet known"},
		{"deleting", ready(all...), true, nil, nil, metav1.ConditionFalse, v1alpha1.ReasonDeleting, ""},
		{"invalid", ready(all...), false, errors.New("metadata.name too long"), nil, metav1.ConditionFalse, v1alpha1.ReasonInvalidSpec, "too long"},
		{"failed pass", ready(all...), false, nil, errors.New("applying Service x: boom"), metav1.ConditionFalse, v1alpha1.ReasonInternalError, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setReadyCondition(tt.h, tt.deleting, tt.invalid, tt.failed, t0)
			checkCondition(t, tt.h, v1alpha1.ConditionReady, tt.status, tt.reason, tt.msg)
		})
	}
}

func TestPodObservations(t *testing.T) {
	pod := func(name, revision, image string, deleting bool) corev1.Pod {
		p := corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"medledger.io/identity-revision": revision}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "peer", Image: image}, {Name: "sidecar", Image: "x:9.9.9"}}},
		}
		if deleting {
			p.DeletionTimestamp = &metav1.Time{Time: t0}
		}
		return p
	}
	pods := []corev1.Pod{
		pod("h-peer-1", "1", "registry.example.org:5000/fabric-peer:2.5.9", false),
		pod("h-peer-0", "2", "hyperledger/fabric-peer:3.1.1", false),
		pod("h-peer-2", "1", "hyperledger/fabric-peer:3.1.1", true),
	}
	if got := stalePods(pods, 2); len(got) != 1 || got[0] != "h-peer-1" {
		t.Errorf("stale pods %v, want h-peer-1 (h-peer-2 is already going)", got)
	}
	versions := peerVersions(pods)
	if len(versions) != 3 || versions[0] != "2.5.9" {
		t.Errorf("versions %v", versions)
	}
	if got := oldestVersion(append(versions, "2.10.0")); got != "2.5.9" {
		t.Errorf("oldest %q", got)
	}
	if got := oldestVersion([]string{"3.1.1", "2.10.0", "2.5.9"}); got != "2.5.9" {
		t.Errorf("oldest %q: versions compare by number", got)
	}
	if oldestVersion(nil) != "" || peerVersions([]corev1.Pod{pod("x", "", "registry:5000/peer", false)}) != nil {
		t.Error("no tag, no version")
	}
}

func TestDropNulls(t *testing.T) {
	v := map[string]any{
		"metadata": map[string]any{"name": "x", "creationTimestamp": nil},
		"spec":     map[string]any{"list": []any{map[string]any{"a": nil, "b": 1}}, "emptyDir": map[string]any{}},
	}
	dropNulls(v)
	if _, ok := v["metadata"].(map[string]any)["creationTimestamp"]; ok {
		t.Error("null kept")
	}
	item := v["spec"].(map[string]any)["list"].([]any)[0].(map[string]any)
	if _, ok := item["a"]; ok || item["b"] != 1 {
		t.Errorf("list item %v", item)
	}
	if _, ok := v["spec"].(map[string]any)["emptyDir"]; !ok {
		t.Error("an empty map means something (emptyDir: {}) and must stay")
	}
}
