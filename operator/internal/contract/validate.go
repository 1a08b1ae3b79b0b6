package contract

import (
	"errors"
	"fmt"
	"slices"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/engine"
)

// Validator is the part of *engine.Engine the operator needs: the deploy-time gate the peers run.
type Validator interface {
	Validate(wasm []byte) (engine.ModuleInfo, error)
}

// Validate runs the runtime's gate (v.Validate, normally an *engine.Engine) on m.
//
// # Errors
//
// A *Failure on ModuleValid with reason ModuleInvalid whose message starts with the engine's validation reason
// (ForbiddenImport, MissingExport, TooBig, ...) and names the cause; any other error from v also surfaces as
// ModuleInvalid, with retry set because it is not the module's fault.
func Validate(v Validator, m Module) (engine.ModuleInfo, *Failure) {
	info, err := v.Validate(m.Bytes)
	if err == nil {
		return info, nil
	}
	var ve *engine.ValidationError
	if errors.As(err, &ve) {
		return engine.ModuleInfo{}, &Failure{Condition: v1alpha1.SmartContractModuleValid, Reason: v1alpha1.ReasonModuleInvalid,
			Message: fmt.Sprintf("%s: %s; rebuild the contract", ve.Reason, ve.Message)}
	}
	return engine.ModuleInfo{}, &Failure{Condition: v1alpha1.SmartContractModuleValid, Reason: v1alpha1.ReasonModuleInvalid,
		Message: "validating the module: " + err.Error(), Retry: true}
}

// SortedExports returns the names a module exports, sorted and without duplicates: what status.exports shows.
// Contract functions themselves are dispatched inside the single invoke export (ABI.md), so this is the module's
// surface, not its function table.
func SortedExports(info engine.ModuleInfo) []string {
	out := slices.Clone(info.Exports)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortStrings(s []string) { slices.Sort(s) }
