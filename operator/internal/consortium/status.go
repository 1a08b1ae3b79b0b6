package consortium

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// Observation is what one reconcile of a Consortium learned. Zero values mean "not reached / not known".
type Observation struct {
	// Deleting says the Consortium is being deleted.
	Deleting bool
	// Invalid, when not empty, says why the spec is unusable (Ready=False InvalidSpec).
	Invalid string
	// Internal, when not empty, is an unexpected error that stopped this pass (Ready=False InternalError).
	Internal string

	// DesiredOrderers and ReadyOrderers count orderer nodes; OrdererEndpoints are their host:port addresses.
	DesiredOrderers, ReadyOrderers int32
	OrdererEndpoints               []string

	// ChannelCreated says the orderers serve the channel; ChannelCreateFailed, when not empty, is the orderers'
	// error refusing the genesis block.
	ChannelCreated      bool
	ChannelCreateFailed string
	// ConfigUpdateFailed, when not empty, is the error of a refused channel configuration update.
	ConfigUpdateFailed string

	// Members are spec.members resolved by Members.
	Members []Member
	// Joined holds the keys ("namespace/name") of members whose every peer has joined the channel.
	Joined map[string]bool
	// JoinFailed maps a member's key to the error that stopped its peers from joining.
	JoinFailed map[string]string
	// AnchorPeers maps a member's key to its anchor peers in the channel configuration.
	AnchorPeers map[string][]string

	// Runtime is the committed wasmcc definition, nil until committed; PendingApprovals are the MSP IDs that
	// have not approved it yet.
	Runtime          *v1alpha1.ChaincodeDefinitionStatus
	PendingApprovals []string

	// Height is the channel's block height on the orderers.
	Height int64
}

// ApplyStatus writes obs into c.Status: counts and summaries, member statuses, and the OrderersReady,
// ChannelCreated, MembersJoined, ContractRuntimeCommitted and Ready conditions, stamped with c's generation and
// now (lastTransitionTime moves only when a condition's status changes). Ready is True only when the other four
// are; otherwise it carries the reason and message of the first that is not.
func ApplyStatus(c *v1alpha1.Consortium, obs Observation, now time.Time) {
	st := &c.Status
	set := func(typ string, ok bool, reason, msg string) {
		s := metav1.ConditionFalse
		if ok {
			s = metav1.ConditionTrue
		}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: s, Reason: reason, Message: msg,
			ObservedGeneration: c.Generation, LastTransitionTime: metav1.NewTime(now)})
	}

	st.DesiredOrderers, st.ReadyOrderers = obs.DesiredOrderers, obs.ReadyOrderers
	st.Orderers = fmt.Sprintf("%d/%d", obs.ReadyOrderers, obs.DesiredOrderers)
	st.OrdererEndpoints = obs.OrdererEndpoints
	if obs.Height > 0 {
		st.Height = obs.Height
	}
	if obs.Runtime != nil {
		rt := *obs.Runtime
		st.ContractRuntime = &rt
	}

	ordOK := obs.DesiredOrderers > 0 && obs.ReadyOrderers >= obs.DesiredOrderers
	if ordOK {
		set(v1alpha1.ConsortiumOrderersReady, true, v1alpha1.ReasonOrderersAvailable, st.Orderers+" orderers ready")
	} else {
		set(v1alpha1.ConsortiumOrderersReady, false, v1alpha1.ReasonOrderersUnavailable, st.Orderers+" orderers ready")
	}

	switch {
	case obs.ChannelCreated:
		set(v1alpha1.ConsortiumChannelCreated, true, v1alpha1.ReasonChannelCreated, "orderers serve channel "+c.Spec.ChannelName)
	case obs.ChannelCreateFailed != "":
		set(v1alpha1.ConsortiumChannelCreated, false, v1alpha1.ReasonChannelCreateFailed, obs.ChannelCreateFailed)
	default:
		set(v1alpha1.ConsortiumChannelCreated, false, v1alpha1.ReasonProgressing, "waiting for the orderers to join channel "+c.Spec.ChannelName)
	}

	joined, firstReason, firstMsg := applyMembers(c, obs)
	switch {
	case obs.ConfigUpdateFailed != "":
		set(v1alpha1.ConsortiumMembersJoined, false, v1alpha1.ReasonConfigUpdateFailed, obs.ConfigUpdateFailed)
	case firstReason != "":
		set(v1alpha1.ConsortiumMembersJoined, false, firstReason, firstMsg)
	case len(obs.Members) == 0:
		set(v1alpha1.ConsortiumMembersJoined, false, v1alpha1.ReasonInvalidSpec, "spec.members lists no hospital")
	default:
		set(v1alpha1.ConsortiumMembersJoined, true, v1alpha1.ReasonMembersJoined, fmt.Sprintf("%d/%d members joined", joined, len(obs.Members)))
	}

	switch {
	case obs.Runtime != nil:
		set(v1alpha1.ConsortiumContractRuntimeCommitted, true, v1alpha1.ReasonContractRuntimeCommitted,
			fmt.Sprintf("%s version %s sequence %d committed", obs.Runtime.Name, obs.Runtime.Version, obs.Runtime.Sequence))
	case len(obs.PendingApprovals) > 0:
		set(v1alpha1.ConsortiumContractRuntimeCommitted, false, v1alpha1.ReasonApprovalPending, "waiting for approvals from "+strings.Join(obs.PendingApprovals, ", "))
	default:
		set(v1alpha1.ConsortiumContractRuntimeCommitted, false, v1alpha1.ReasonProgressing, "the contract runtime chaincode is not committed yet")
	}

	switch {
	case obs.Deleting:
		set(v1alpha1.ConditionReady, false, v1alpha1.ReasonDeleting, "removing the ordering service and channel resources")
	case obs.Invalid != "":
		set(v1alpha1.ConditionReady, false, v1alpha1.ReasonInvalidSpec, obs.Invalid)
	case obs.Internal != "":
		set(v1alpha1.ConditionReady, false, v1alpha1.ReasonInternalError, obs.Internal)
	default:
		for _, typ := range readyConditions {
			if cond := meta.FindStatusCondition(st.Conditions, typ); cond.Status != metav1.ConditionTrue {
				set(v1alpha1.ConditionReady, false, cond.Reason, cond.Message)
				return
			}
		}
		set(v1alpha1.ConditionReady, true, v1alpha1.ReasonReconciled, fmt.Sprintf("channel %s: %s orderers, %s members, contract runtime committed", c.Spec.ChannelName, st.Orderers, st.Members))
	}
}

// readyConditions are the conditions Ready summarises, in the order a user should fix them.
var readyConditions = []string{v1alpha1.ConsortiumOrderersReady, v1alpha1.ConsortiumChannelCreated,
	v1alpha1.ConsortiumMembersJoined, v1alpha1.ConsortiumContractRuntimeCommitted}

// applyMembers fills the member statuses and counts; it returns how many joined and the reason and message of the
// first member (in spec order) that has not.
func applyMembers(c *v1alpha1.Consortium, obs Observation) (joined int, reason, msg string) {
	st := &c.Status
	st.MemberStatuses = make([]v1alpha1.ConsortiumMemberStatus, 0, len(obs.Members))
	for _, m := range obs.Members {
		ms := v1alpha1.ConsortiumMemberStatus{Name: m.Name, Namespace: m.Namespace, MSPID: m.MSPID(), AnchorPeers: obs.AnchorPeers[m.Key()]}
		var why string
		switch {
		case !m.Eligible():
			ms.Reason, why = m.Reason, m.Message
		case obs.Joined[m.Key()]:
			ms.Joined = true
			joined++
		case obs.JoinFailed[m.Key()] != "":
			ms.Reason, why = v1alpha1.ReasonChannelJoinFailed, fmt.Sprintf("joining Hospital %s's peers to channel %s failed: %s", m.Key(), c.Spec.ChannelName, obs.JoinFailed[m.Key()])
		default:
			ms.Reason, why = v1alpha1.ReasonProgressing, fmt.Sprintf("joining Hospital %s's peers to channel %s", m.Key(), c.Spec.ChannelName)
		}
		if reason == "" && ms.Reason != "" {
			reason, msg = ms.Reason, why
		}
		st.MemberStatuses = append(st.MemberStatuses, ms)
	}
	st.JoinedMembers, st.DesiredMembers = int32(joined), int32(len(obs.Members))
	st.Members = fmt.Sprintf("%d/%d", joined, len(obs.Members))
	return joined, reason, msg
}
