package contract

import (
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/engine"
)

// Deployment is a deploy transaction committed on the ledger.
type Deployment struct {
	Version string
	TxID    string
	Block   int64
	At      time.Time
}

// Observation is what one reconcile learned about a SmartContract, step by step. A nil field is a step that was
// not reached.
type Observation struct {
	// Deleting says the SmartContract is being deleted.
	Deleting bool
	// Module is the fetched module, when fetching succeeded.
	Module *Module
	// Info is what the gate learned, when the module passed it.
	Info *engine.ModuleInfo
	// Deployed is the deploy transaction of spec.version, once committed (this pass or an earlier one).
	Deployed *Deployment
	// Failure is the step that stopped this pass (fetch, validation, consortium or name checks, deploy).
	Failure *Failure
}

// ApplyStatus writes obs into sc.Status: the SourceAvailable, ModuleValid, Deployed and Ready conditions (stamped
// with sc's generation and now), the phase, and the module and deployment fields. Fields of steps not reached
// keep their earlier values, so the status still says what is on the ledger while a new version is refused.
func ApplyStatus(sc *v1alpha1.SmartContract, obs Observation, now time.Time) {
	st := &sc.Status
	f := obs.Failure
	set := func(typ string, status metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg,
			ObservedGeneration: sc.Generation, LastTransitionTime: metav1.NewTime(now)})
	}
	failedAt := func(typ string) bool { return f != nil && f.Condition == typ }

	if m := obs.Module; m != nil {
		st.Digest, st.ShortDigest, st.SizeBytes = m.SHA256, m.SHA256[:12], m.Size()
		set(v1alpha1.SmartContractSourceAvailable, metav1.ConditionTrue, v1alpha1.ReasonSourceFetched, "module fetched, sha256 "+m.SHA256)
	} else if failedAt(v1alpha1.SmartContractSourceAvailable) {
		set(v1alpha1.SmartContractSourceAvailable, metav1.ConditionFalse, f.Reason, f.Message)
	} else {
		set(v1alpha1.SmartContractSourceAvailable, metav1.ConditionUnknown, v1alpha1.ReasonProgressing, "module not fetched yet")
	}

	if in := obs.Info; in != nil {
		st.ABIVersion, st.Exports = int32(in.ABIVersion), SortedExports(*in)
		set(v1alpha1.SmartContractModuleValid, metav1.ConditionTrue, v1alpha1.ReasonModuleValidated, "accepted by the runtime's deploy-time gate")
	} else if failedAt(v1alpha1.SmartContractModuleValid) {
		set(v1alpha1.SmartContractModuleValid, metav1.ConditionFalse, f.Reason, f.Message)
	} else {
		set(v1alpha1.SmartContractModuleValid, metav1.ConditionUnknown, v1alpha1.ReasonProgressing, "module not validated yet")
	}

	deployed := obs.Deployed != nil && obs.Deployed.Version == sc.Spec.Version
	if d := obs.Deployed; d != nil {
		st.DeployedVersion, st.DeployTxID, st.DeployedBlock = d.Version, d.TxID, d.Block
		at := metav1.NewTime(d.At)
		st.DeployedAt = &at
	}
	switch {
	case deployed:
		set(v1alpha1.SmartContractDeployed, metav1.ConditionTrue, v1alpha1.ReasonDeployedVersion, "version "+sc.Spec.Version+" committed in transaction "+obs.Deployed.TxID)
	case failedAt(v1alpha1.SmartContractDeployed):
		set(v1alpha1.SmartContractDeployed, metav1.ConditionFalse, f.Reason, f.Message)
	default:
		set(v1alpha1.SmartContractDeployed, metav1.ConditionFalse, v1alpha1.ReasonProgressing, "version "+sc.Spec.Version+" not deployed yet")
	}

	switch {
	case obs.Deleting:
		set(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDeleting, "retiring the contract")
	case deployed && f == nil:
		set(v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReconciled, "version "+sc.Spec.Version+" is deployed and callable")
	case f != nil:
		set(v1alpha1.ConditionReady, metav1.ConditionFalse, f.Reason, f.Message)
	default:
		set(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonProgressing, "deploying version "+sc.Spec.Version)
	}
	st.Phase = phase(obs, deployed)
}

// phase summarises obs: Failed for a failure that needs a spec change, else the step in progress.
func phase(obs Observation, deployed bool) v1alpha1.SmartContractPhase {
	f := obs.Failure
	switch {
	case f != nil && !f.Retry:
		return v1alpha1.PhaseFailed
	case f != nil && (f.Reason == v1alpha1.ReasonConsortiumNotReady || f.Reason == v1alpha1.ReasonReferenceNotFound) && f.Condition == v1alpha1.SmartContractDeployed:
		return v1alpha1.PhasePending
	case deployed && f == nil:
		return v1alpha1.PhaseDeployed
	case obs.Module == nil:
		return v1alpha1.PhaseFetching
	case obs.Info == nil:
		return v1alpha1.PhaseValidating
	default:
		return v1alpha1.PhaseDeploying
	}
}
