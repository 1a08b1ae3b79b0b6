package contract

import (
	"fmt"
	"strings"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/chaincode"
)

// Action is what the controller must submit to wasmcc to bring the ledger to spec.version.
type Action string

const (
	// ActionNone means spec.version with the same code is already on the ledger.
	ActionNone Action = "None"
	// ActionDeploy is wasmcc's deploy: the contract name is not on the ledger yet.
	ActionDeploy Action = "deploy"
	// ActionUpgrade is wasmcc's upgrade: another version is on the ledger.
	ActionUpgrade Action = "upgrade"
)

// DeploySpec builds wasmcc's deploy/upgrade argument for sc and the fetched module m. Limits unset in sc take
// defaults (the consortium members' contractRuntime.defaultLimits, as the controller resolves them), and
// then the runtime's own defaults (left zero). Isolation maps Snapshot/Fresh/Pooled to wasmcc's lower-case names.
//
// # Errors
//
// A *Failure on Deployed with reason InvalidSpec when spec.contractName is acceptable to the API but not to the
// runtime (the ABI allows ^[a-z][a-z0-9-]{0,62}$; the API also allows '_' and 64 characters).
func DeploySpec(sc *v1alpha1.SmartContract, m Module, defaults v1alpha1.ContractLimits) (chaincode.DeploySpec, *Failure) {
	if err := abi.ValidateContractName(sc.Spec.ContractName); err != nil {
		return chaincode.DeploySpec{}, &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonInvalidSpec,
			Message: fmt.Sprintf("spec.contractName: %v: rename the contract", err)}
	}
	ds := chaincode.DeploySpec{Name: sc.Spec.ContractName, Version: sc.Spec.Version, SHA256: m.SHA256,
		Isolation: strings.ToLower(string(sc.Spec.Isolation))}
	var lim v1alpha1.ContractLimits
	if sc.Spec.Limits != nil {
		lim = *sc.Spec.Limits
	}
	if lim.Gas == nil {
		lim.Gas = defaults.Gas
	}
	if lim.MemoryPages == nil {
		lim.MemoryPages = defaults.MemoryPages
	}
	if lim.Gas != nil {
		ds.Limits.GasLimit = uint64(*lim.Gas)
	}
	if lim.MemoryPages != nil {
		ds.Limits.MemoryPages = uint32(*lim.MemoryPages)
	}
	return ds, nil
}

// Plan compares sc and its fetched module with the contract's registry entry on the ledger (nil when the name is
// not deployed, as wasmcc's get answers) and says what to submit.
//
// # Errors
//
// A *Failure on Deployed with reason DeployFailed, no retry, when spec.version is already on the ledger with
// other code: code deployed under a version never changes, so a new version is needed.
func Plan(sc *v1alpha1.SmartContract, m Module, onLedger *chaincode.Entry) (Action, *Failure) {
	switch {
	case onLedger == nil:
		return ActionDeploy, nil
	case onLedger.Version != sc.Spec.Version:
		return ActionUpgrade, nil
	case onLedger.SHA256 == m.SHA256:
		return ActionNone, nil
	default:
		return ActionNone, &Failure{Condition: v1alpha1.SmartContractDeployed, Reason: v1alpha1.ReasonDeployFailed,
			Message: fmt.Sprintf("version %s of contract %s is already on the ledger with code %s, not %s: deploy the new code under a new spec.version",
				sc.Spec.Version, sc.Spec.ContractName, onLedger.SHA256, m.SHA256)}
	}
}

// Deployed turns a registry entry into the Deployment the status reports; block is the block that committed it
// when known (0 otherwise).
func Deployed(e chaincode.Entry, block int64) *Deployment {
	return &Deployment{Version: e.Version, TxID: e.TxID, Block: block, At: e.Timestamp}
}
