package contract

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// The checks below are pure policies in cert-manager's style: data in, a *Failure (or nil) out.

// CheckConsortium says whether sc can be deployed to c (nil when the Consortium does not exist).
//
// # Errors
//
// A *Failure on Deployed, with retry set:
//   - ReferenceNotFound when c is nil;
//   - ConsortiumNotReady when c's wasmcc definition is not committed (no status.contractRuntime, or
//     ContractRuntimeCommitted is not True).
func CheckConsortium(sc *v1alpha1.SmartContract, c *v1alpha1.Consortium) *Failure {
	name := sc.Spec.ConsortiumRef.Name
	if c == nil {
		return &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonReferenceNotFound, Retry: true,
			Message: fmt.Sprintf("Consortium %q not found: create it or fix spec.consortiumRef", name)}
	}
	committed := meta.IsStatusConditionTrue(c.Status.Conditions, v1alpha1.ConsortiumContractRuntimeCommitted)
	if !committed || c.Status.ContractRuntime == nil {
		why := "its contract runtime (wasmcc) is not committed on the channel yet"
		if cond := meta.FindStatusCondition(c.Status.Conditions, v1alpha1.ConsortiumContractRuntimeCommitted); cond != nil && cond.Message != "" {
			why += ": " + cond.Message
		}
		return &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonConsortiumNotReady, Retry: true,
			Message: fmt.Sprintf("Consortium %q is not ready: %s", name, why)}
	}
	return nil
}

// ConsortiumKey returns the namespace and name of sc's Consortium: spec.consortiumRef, its namespace defaulting to
// sc's.
func ConsortiumKey(sc *v1alpha1.SmartContract) (namespace, name string) {
	namespace = sc.Spec.ConsortiumRef.Namespace
	if namespace == "" {
		namespace = sc.Namespace
	}
	return namespace, sc.Spec.ConsortiumRef.Name
}

// CheckNameConflict says whether another SmartContract of others (every SmartContract, in any namespace) on the
// same consortium claims sc.spec.contractName first. The oldest claim wins (creation time, then name), so exactly
// one of two conflicting objects proceeds whatever order they are reconciled in.
//
// # Errors
//
// A *Failure on Deployed with reason ContractNameConflict naming the other SmartContract; no retry.
func CheckNameConflict(sc *v1alpha1.SmartContract, others []v1alpha1.SmartContract) *Failure {
	for i := range others {
		o := &others[i]
		if (o.Namespace == sc.Namespace && o.Name == sc.Name) || o.DeletionTimestamp != nil ||
			o.Spec.ContractName != sc.Spec.ContractName {
			continue
		}
		ons, oname := ConsortiumKey(o)
		if sns, sname := ConsortiumKey(sc); ons != sns || oname != sname {
			continue
		}
		if claimsFirst(o, sc) {
			return &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonContractNameConflict,
				Message: fmt.Sprintf("SmartContract %s/%s already deploys contract %q to Consortium %q: choose another spec.contractName",
					o.Namespace, o.Name, sc.Spec.ContractName, sc.Spec.ConsortiumRef.Name)}
		}
	}
	return nil
}

func claimsFirst(a, b *v1alpha1.SmartContract) bool {
	ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}
