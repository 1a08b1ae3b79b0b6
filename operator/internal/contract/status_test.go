package contract

import (
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/engine"
)

type cond struct {
	status metav1.ConditionStatus
	reason string
}

func TestApplyStatus(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	mod := &Module{Bytes: module, SHA256: string(sum(module))}
	info := &engine.ModuleInfo{SHA256: mod.SHA256, ABIVersion: 1, Exports: []string{"memory", "invoke", "medledger_abi_v1", "_initialize"}}
	done := &Deployment{Version: "1.0.0", TxID: "tx1", Block: 7, At: now}
	old := &Deployment{Version: "0.9.0", TxID: "tx0", Block: 3, At: now}
	T, F, U := metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown
	tests := []struct {
		name                      string
		obs                       Observation
		source, valid, dep, ready cond
		phase                     v1alpha1.SmartContractPhase
		deployedVersion           string
	}{
		{"nothing yet", Observation{},
			cond{U, v1alpha1.ReasonProgressing}, cond{U, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonProgressing}, v1alpha1.PhaseFetching, ""},
		{"ConfigMap missing", Observation{Failure: &Failure{Condition: v1alpha1.SmartContractSourceAvailable, Reason: v1alpha1.ReasonSourceNotFound, Retry: true}},
			cond{F, v1alpha1.ReasonSourceNotFound}, cond{U, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonSourceNotFound}, v1alpha1.PhaseFetching, ""},
		{"digest mismatch", Observation{Failure: &Failure{Condition: v1alpha1.SmartContractSourceAvailable, Reason: v1alpha1.ReasonDigestMismatch}},
			cond{F, v1alpha1.ReasonDigestMismatch}, cond{U, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonDigestMismatch}, v1alpha1.PhaseFailed, ""},
		{"module invalid", Observation{Module: mod, Failure: &Failure{Condition: v1alpha1.SmartContractModuleValid, Reason: v1alpha1.ReasonModuleInvalid}},
			cond{T, v1alpha1.ReasonSourceFetched}, cond{F, v1alpha1.ReasonModuleInvalid}, cond{F, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonModuleInvalid}, v1alpha1.PhaseFailed, ""},
		{"consortium not ready", Observation{Module: mod, Info: info, Failure: &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonConsortiumNotReady, Retry: true}},
			cond{T, v1alpha1.ReasonSourceFetched}, cond{T, v1alpha1.ReasonModuleValidated}, cond{F, v1alpha1.ReasonConsortiumNotReady}, cond{F, v1alpha1.ReasonConsortiumNotReady}, v1alpha1.PhasePending, ""},
		{"deploying", Observation{Module: mod, Info: info},
			cond{T, v1alpha1.ReasonSourceFetched}, cond{T, v1alpha1.ReasonModuleValidated}, cond{F, v1alpha1.ReasonProgressing}, cond{F, v1alpha1.ReasonProgressing}, v1alpha1.PhaseDeploying, ""},
		{"endorsement failed keeps the old version", Observation{Module: mod, Info: info, Deployed: old, Failure: &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonEndorsementFailed, Retry: true}},
			cond{T, v1alpha1.ReasonSourceFetched}, cond{T, v1alpha1.ReasonModuleValidated}, cond{F, v1alpha1.ReasonEndorsementFailed}, cond{F, v1alpha1.ReasonEndorsementFailed}, v1alpha1.PhaseDeploying, "0.9.0"},
		{"deployed", Observation{Module: mod, Info: info, Deployed: done},
			cond{T, v1alpha1.ReasonSourceFetched}, cond{T, v1alpha1.ReasonModuleValidated}, cond{T, v1alpha1.ReasonDeployedVersion}, cond{T, v1alpha1.ReasonReconciled}, v1alpha1.PhaseDeployed, "1.0.0"},
		{"deleting", Observation{Module: mod, Info: info, Deployed: done, Deleting: true},
			cond{T, v1alpha1.ReasonSourceFetched}, cond{T, v1alpha1.ReasonModuleValidated}, cond{T, v1alpha1.ReasonDeployedVersion}, cond{F, v1alpha1.ReasonDeleting}, v1alpha1.PhaseDeployed, "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := smartContract("a", "consent")
			ApplyStatus(sc, tt.obs, now)
			for typ, want := range map[string]cond{
				v1alpha1.SmartContractSourceAvailable: tt.source, v1alpha1.SmartContractModuleValid: tt.valid,
				v1alpha1.SmartContractDeployed: tt.dep, v1alpha1.ConditionReady: tt.ready,
			} {
				c := meta.FindStatusCondition(sc.Status.Conditions, typ)
				if c == nil || c.Status != want.status || c.Reason != want.reason || c.ObservedGeneration != sc.Generation {
					t.Errorf("%s: got %+v, want %s/%s", typ, c, want.status, want.reason)
				}
			}
			if sc.Status.Phase != tt.phase {
				t.Errorf("phase %s, want %s", sc.Status.Phase, tt.phase)
			}
			if sc.Status.DeployedVersion != tt.deployedVersion {
				t.Errorf("deployedVersion %q, want %q", sc.Status.DeployedVersion, tt.deployedVersion)
			}
			if tt.obs.Module != nil && (sc.Status.Digest != mod.SHA256 || sc.Status.ShortDigest != mod.SHA256[:12] || sc.Status.SizeBytes != int64(len(module))) {
				t.Errorf("digest fields %q %q %d", sc.Status.Digest, sc.Status.ShortDigest, sc.Status.SizeBytes)
			}
			if tt.obs.Info != nil && (sc.Status.ABIVersion != 1 || !slices.IsSorted(sc.Status.Exports) || len(sc.Status.Exports) != 4) {
				t.Errorf("abi %d exports %v", sc.Status.ABIVersion, sc.Status.Exports)
			}
		})
	}
}

// A refused new version must not erase what the status says about the module and version already deployed.
func TestApplyStatus_KeepsEarlierFieldsOnFailure(t *testing.T) {
	now := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	sc := smartContract("a", "consent")
	mod := &Module{Bytes: module, SHA256: string(sum(module))}
	ApplyStatus(sc, Observation{Module: mod, Info: &engine.ModuleInfo{ABIVersion: 1, Exports: []string{"invoke"}},
		Deployed: &Deployment{Version: "1.0.0", TxID: "tx1", Block: 4, At: now}}, now)
	first := *sc.Status.DeepCopy()

	sc.Spec.Version, sc.Generation = "1.1.0", 2
	later := now.Add(time.Minute)
	ApplyStatus(sc, Observation{Failure: &Failure{Condition: v1alpha1.SmartContractSourceAvailable, Reason: v1alpha1.ReasonDigestMismatch, Message: "m"}}, later)
	st := sc.Status
	if st.Digest != first.Digest || st.DeployedVersion != "1.0.0" || st.DeployTxID != "tx1" || st.DeployedBlock != 4 || !slices.Equal(st.Exports, first.Exports) {
		t.Fatalf("earlier fields changed: %+v", st)
	}
	ready := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
	if ready.Status != metav1.ConditionFalse || ready.ObservedGeneration != 2 || !ready.LastTransitionTime.Time.Equal(later) {
		t.Fatalf("Ready: %+v", ready)
	}
	src := meta.FindStatusCondition(st.Conditions, v1alpha1.SmartContractModuleValid)
	if src.Status != metav1.ConditionUnknown {
		t.Fatalf("ModuleValid after a source failure: %+v", src)
	}
}
