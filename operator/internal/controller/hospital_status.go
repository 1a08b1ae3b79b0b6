package controller

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/operator/internal/hospital"
)

// The condition functions below take data, not clients, so each is table-tested without an API server.

// setCondition sets one condition, stamped with the Hospital's generation; lastTransitionTime moves only when
// the status changes.
func setCondition(h *v1alpha1.Hospital, now time.Time, typ string, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&h.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message,
		ObservedGeneration: h.Generation, LastTransitionTime: metav1.NewTime(now),
	})
}

// identityInput is what IdentityReady depends on.
type identityInput struct {
	// problem stops identity from being usable (CA Secret, issuer or expiry).
	problem *problem
	// renewed lists certificates replaced in this pass.
	renewed []string
	// revision is the current identity revision; stalePods are peer pods started with an older one.
	revision  int64
	stalePods []string
	expiry    time.Time
}

// setIdentityReadyCondition: False with the problem's reason; False CertificateRenewing while peers still run
// replaced certificates (they roll one at a time); True CAReady otherwise.
func setIdentityReadyCondition(h *v1alpha1.Hospital, in identityInput, now time.Time) {
	switch {
	case in.problem != nil:
		setCondition(h, now, v1alpha1.HospitalIdentityReady, false, in.problem.reason, in.problem.message)
	case len(in.renewed) > 0:
		setCondition(h, now, v1alpha1.HospitalIdentityReady, false, v1alpha1.ReasonCertificateRenewing,
			fmt.Sprintf("replaced certificates (revision %d), peers restart one at a time: %s", in.revision, strings.Join(in.renewed, "; ")))
	case len(in.stalePods) > 0:
		setCondition(h, now, v1alpha1.HospitalIdentityReady, false, v1alpha1.ReasonCertificateRenewing,
			fmt.Sprintf("peers not yet restarted onto renewed certificates (revision %d): %s", in.revision, strings.Join(in.stalePods, ", ")))
	default:
		setCondition(h, now, v1alpha1.HospitalIdentityReady, true, v1alpha1.ReasonCAReady,
			"CA available, node certificates valid until "+in.expiry.UTC().Format(time.RFC3339))
	}
}

// workloadInput is a StatefulSet's or Deployment's progress.
type workloadInput struct {
	desired, ready, updated int32
	// observed says the workload controller has seen the latest spec; rolledOut that no pod of an older
	// template remains.
	observed, rolledOut bool
	notReady            []string // pod names, when known
}

// statefulSetInput reads the peers' StatefulSet of the Hospital called name, and its pods for readiness.
func statefulSetInput(name string, s *appsv1.StatefulSet, pods []corev1.Pod) workloadInput {
	in := workloadInput{desired: 1, updated: s.Status.UpdatedReplicas}
	if s.Spec.Replicas != nil {
		in.desired = *s.Spec.Replicas
	}
	in.observed = s.Status.ObservedGeneration >= s.Generation && s.Generation > 0
	in.rolledOut = in.observed && s.Status.UpdatedReplicas == in.desired && s.Status.Replicas == in.desired &&
		s.Status.CurrentRevision == s.Status.UpdateRevision
	for i := 0; i < int(in.desired); i++ {
		pod := hospital.PeerPodName(name, i)
		if p := findPod(pods, pod); p != nil && podReady(p) {
			in.ready++
		} else {
			in.notReady = append(in.notReady, pod)
		}
	}
	return in
}

func deploymentInput(d *appsv1.Deployment) workloadInput {
	in := workloadInput{desired: 1, ready: d.Status.AvailableReplicas, updated: d.Status.UpdatedReplicas}
	if d.Spec.Replicas != nil {
		in.desired = *d.Spec.Replicas
	}
	in.observed = d.Status.ObservedGeneration >= d.Generation && d.Generation > 0
	in.rolledOut = in.observed && d.Status.UpdatedReplicas == in.desired && d.Status.Replicas == in.desired
	return in
}

func findPod(pods []corev1.Pod, name string) *corev1.Pod {
	for i := range pods {
		if pods[i].Name == name {
			return &pods[i]
		}
	}
	return nil
}

func podReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// progress says how far a rollout is, for Progressing messages.
func progress(what string, in workloadInput) string {
	if !in.observed {
		return fmt.Sprintf("waiting for the %s controller to act on the latest spec (%d/%d ready)", what, in.ready, in.desired)
	}
	return fmt.Sprintf("rolling out: %d/%d updated, %d/%d ready", in.updated, in.desired, in.ready, in.desired)
}

// setPeersReadyCondition: False FabricUpgrading while pods run an older Fabric than spec.fabric.version; True
// PeersAvailable when the rollout is done and every peer is ready; False Progressing while the StatefulSet is
// still rolling out (in envtest, where no StatefulSet controller or kubelet runs, it stays here); False
// PeersUnavailable, naming the pods, when the rollout is done but peers are not ready.
func setPeersReadyCondition(h *v1alpha1.Hospital, in workloadInput, runningVersions []string, wantVersion string, now time.Time) {
	var older []string
	for _, v := range runningVersions {
		if v != wantVersion {
			older = append(older, v)
		}
	}
	switch {
	case len(older) > 0:
		setCondition(h, now, v1alpha1.HospitalPeersReady, false, v1alpha1.ReasonFabricUpgrading,
			fmt.Sprintf("peers rolling to Fabric %s, %d still on %s: %s", wantVersion, len(older), strings.Join(slices.Compact(slices.Sorted(slices.Values(older))), ", "), progress("StatefulSet", in)))
	case in.rolledOut && in.ready == in.desired:
		setCondition(h, now, v1alpha1.HospitalPeersReady, true, v1alpha1.ReasonPeersAvailable, fmt.Sprintf("%d/%d peers ready", in.ready, in.desired))
	case !in.rolledOut:
		setCondition(h, now, v1alpha1.HospitalPeersReady, false, v1alpha1.ReasonProgressing, "peers: "+progress("StatefulSet", in))
	default:
		setCondition(h, now, v1alpha1.HospitalPeersReady, false, v1alpha1.ReasonPeersUnavailable,
			fmt.Sprintf("%d/%d peers ready; not ready: %s", in.ready, in.desired, strings.Join(in.notReady, ", ")))
	}
}

// setContractRuntimeReadyCondition: True RuntimeAvailable when every desired wasmcc pod is available and the
// rollout is done; False Progressing during a rollout; False RuntimeUnavailable otherwise.
func setContractRuntimeReadyCondition(h *v1alpha1.Hospital, in workloadInput, now time.Time) {
	switch {
	case in.rolledOut && in.ready >= in.desired:
		setCondition(h, now, v1alpha1.HospitalContractRuntimeReady, true, v1alpha1.ReasonRuntimeAvailable, fmt.Sprintf("%d/%d wasmcc pods available", in.ready, in.desired))
	case !in.rolledOut:
		setCondition(h, now, v1alpha1.HospitalContractRuntimeReady, false, v1alpha1.ReasonProgressing, "wasmcc: "+progress("Deployment", in))
	default:
		setCondition(h, now, v1alpha1.HospitalContractRuntimeReady, false, v1alpha1.ReasonRuntimeUnavailable,
			fmt.Sprintf("%d/%d wasmcc pods available: contract calls on this hospital's peers fail until they recover", in.ready, in.desired))
	}
}

// channelsJoined works out, from the Consortia in spec.consortia (nil when missing), the ChannelsJoined
// condition, the joined channels and the wasmcc package IDs of those channels. The first Consortium in spec
// order that is not joined decides the condition.
func channelsJoined(h *v1alpha1.Hospital, consortia map[string]*v1alpha1.Consortium, now time.Time) (*problem, []v1alpha1.JoinedChannel, []string) {
	var first *problem
	var joined []v1alpha1.JoinedChannel
	var packageIDs []string
	note := func(p problem) {
		if first == nil {
			first = &p
		}
	}
	for _, ref := range h.Spec.Consortia {
		key := consortiumKey(h.Namespace, ref)
		c := consortia[key]
		if c == nil {
			note(problem{v1alpha1.ReasonReferenceNotFound, fmt.Sprintf("consortium %s does not exist", key)})
			continue
		}
		if !lists(c, h) {
			note(problem{v1alpha1.ReasonNotAMember, fmt.Sprintf("consortium %s does not list this hospital in spec.members: ask its administrators to add it, or remove it from spec.consortia", key)})
			continue
		}
		var mine *v1alpha1.ConsortiumMemberStatus
		conflict := ""
		for i, ms := range c.Status.MemberStatuses {
			switch {
			case ms.Name == h.Name && ms.Namespace == h.Namespace:
				mine = &c.Status.MemberStatuses[i]
			case ms.MSPID == string(h.Spec.MSPID):
				conflict = ms.Namespace + "/" + ms.Name
			}
		}
		switch {
		case conflict != "":
			note(problem{v1alpha1.ReasonMSPIDConflict, fmt.Sprintf("Hospital %s in consortium %s already uses MSP ID %s", conflict, key, h.Spec.MSPID)})
		case mine != nil && mine.Joined:
			jc := v1alpha1.JoinedChannel{Name: c.Spec.ChannelName, Consortium: key, JoinedAt: &metav1.Time{Time: now}}
			for _, prev := range h.Status.Channels {
				if prev.Name == jc.Name && prev.Consortium == key {
					jc.Height, jc.JoinedAt = prev.Height, prev.JoinedAt
				}
			}
			joined = append(joined, jc)
			if rt := c.Status.ContractRuntime; rt != nil && rt.PackageID != "" {
				packageIDs = append(packageIDs, rt.PackageID)
			}
		case mine != nil && mine.Reason == v1alpha1.ReasonChannelJoinFailed:
			note(problem{v1alpha1.ReasonChannelJoinFailed, fmt.Sprintf("joining channel %s of consortium %s failed; the operator retries", c.Spec.ChannelName, key)})
		default:
			note(problem{v1alpha1.ReasonProgressing, fmt.Sprintf("waiting for consortium %s to join the peers to channel %s", key, c.Spec.ChannelName)})
		}
	}
	return first, joined, packageIDs
}

func lists(c *v1alpha1.Consortium, h *v1alpha1.Hospital) bool {
	for _, m := range c.Spec.Members {
		ns := m.Namespace
		if ns == "" {
			ns = c.Namespace
		}
		if m.Name == h.Name && ns == h.Namespace {
			return true
		}
	}
	return false
}

// setChannelsJoinedCondition sets ChannelsJoined from channelsJoined's verdict.
func setChannelsJoinedCondition(h *v1alpha1.Hospital, p *problem, joined int, now time.Time) {
	if p != nil {
		setCondition(h, now, v1alpha1.HospitalChannelsJoined, false, p.reason, p.message)
		return
	}
	msg := fmt.Sprintf("joined %d of %d channels", joined, len(h.Spec.Consortia))
	if len(h.Spec.Consortia) == 0 {
		msg = "spec.consortia lists no consortium"
	}
	setCondition(h, now, v1alpha1.HospitalChannelsJoined, true, v1alpha1.ReasonChannelsJoined, msg)
}

// readyConditions are the conditions Ready summarises. ChannelsJoined is not among them: a Consortium joins a
// member's peers only once the Hospital is Ready, so counting it would deadlock.
var readyConditions = []string{v1alpha1.HospitalIdentityReady, v1alpha1.HospitalPeersReady, v1alpha1.HospitalContractRuntimeReady}

// setReadyCondition summarises: False Deleting while deleting, False InvalidSpec for an unusable spec, False
// InternalError when the pass failed, else False with the reason and message of the first of IdentityReady,
// PeersReady and ContractRuntimeReady that is not True, else True Reconciled.
func setReadyCondition(h *v1alpha1.Hospital, deleting bool, invalid, failed error, now time.Time) {
	switch {
	case deleting:
		setCondition(h, now, v1alpha1.ConditionReady, false, v1alpha1.ReasonDeleting, "removing the peers, wasmcc and their configuration")
		return
	case invalid != nil:
		setCondition(h, now, v1alpha1.ConditionReady, false, v1alpha1.ReasonInvalidSpec, invalid.Error())
		return
	case failed != nil:
		setCondition(h, now, v1alpha1.ConditionReady, false, v1alpha1.ReasonInternalError, failed.Error())
		return
	}
	for _, t := range readyConditions {
		c := meta.FindStatusCondition(h.Status.Conditions, t)
		if c == nil {
			setCondition(h, now, v1alpha1.ConditionReady, false, v1alpha1.ReasonProgressing, t+" not yet known")
			return
		}
		if c.Status != metav1.ConditionTrue {
			setCondition(h, now, v1alpha1.ConditionReady, false, c.Reason, t+": "+c.Message)
			return
		}
	}
	setCondition(h, now, v1alpha1.ConditionReady, true, v1alpha1.ReasonReconciled, "identity, peers and contract runtime are ready")
}

// peerVersions returns the Fabric version (image tag) of each peer pod's peer container.
func peerVersions(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		for _, c := range p.Spec.Containers {
			if c.Name == "peer" {
				if i := strings.LastIndex(c.Image, ":"); i >= 0 && !strings.Contains(c.Image[i:], "/") {
					out = append(out, c.Image[i+1:])
				}
			}
		}
	}
	return out
}

// stalePods returns the peer pods started with an identity revision older than revision.
func stalePods(pods []corev1.Pod, revision int64) []string {
	var out []string
	for _, p := range pods {
		if v, err := strconv.ParseInt(p.Annotations[hospital.AnnotationIdentityRevision], 10, 64); err == nil && v < revision && p.DeletionTimestamp == nil {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return out
}

// oldestVersion returns the lowest MAJOR.MINOR.PATCH among versions, or "" for none.
func oldestVersion(versions []string) string {
	oldest := ""
	for _, v := range versions {
		if oldest == "" || compareVersions(v, oldest) < 0 {
			oldest = v
		}
	}
	return oldest
}

func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}
