package engine

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by calls on a closed Engine or Contract.
var ErrClosed = errors.New("engine: closed")

// ErrInvalidCall is wrapped by errors about a Call the engine refuses before running any guest code: a missing
// State, a function name that is empty, too long or not UTF-8, arguments above Limits.MaxArgsBytes.
var ErrInvalidCall = errors.New("invalid call")

// ContractError is a failure the contract itself reported: invoke returned a non-zero status or the guest called
// abort. Message is the contract's own text. Nothing the call wrote is kept.
type ContractError struct {
	Contract string
	Function string
	// Status is the non-zero status invoke returned (abi.StatusError for abort).
	Status  int32
	Message string
}

// Error implements error: "contract <name>: <function>: <message>".
func (e *ContractError) Error() string {
	return fmt.Sprintf("contract %s: %s: %s", e.Contract, e.Function, e.Message)
}

// TrapKind classifies a TrapError.
type TrapKind string

// Trap kinds.
const (
	// TrapWasm is a WebAssembly trap: unreachable, out-of-bounds access, divide by zero, stack exhaustion...
	TrapWasm TrapKind = "trap"
	// TrapLimit is a host limit exceeded (key, value, result, events, writes...).
	TrapLimit TrapKind = "limit"
	// TrapABI is a guest misusing the ABI: a pointer outside memory, an invalid key or collection, a bad level.
	TrapABI TrapKind = "abi"
	// TrapExit is proc_exit with a non-zero code.
	TrapExit TrapKind = "exit"
	// TrapPanic is the guest's language runtime crashing: an unrecovered Go panic or a Go fatal error (stack
	// overflow, out of memory) ends in a trap after printing "panic: ..." / "fatal error: ..." to stderr; Message
	// holds that line.
	TrapPanic TrapKind = "panic"
	// TrapOutOfGas is the call's gas limit reached, by guest code or by a host function it could not pay for
	// (ABI.md §11.5). Result.GasUsed is then the whole limit.
	TrapOutOfGas TrapKind = "out-of-gas"
	// TrapDepth is the call-depth limit reached: nested calls took more depth units than the limit (ABI.md §11.4).
	TrapDepth TrapKind = "depth-exceeded"
	// TrapTimeout is the wall-clock guard (Limits.Timeout) or the context ending the call.
	TrapTimeout TrapKind = "timeout"
	// TrapHost is a failure of the host side: the ledger.State returned an error, or an internal error.
	TrapHost TrapKind = "host"
)

// TrapError is a call that ended abnormally: the guest cannot catch it, its instance is discarded, and nothing
// the call wrote is kept. Message names the cause (the function, the limit and the value).
type TrapError struct {
	Contract string
	Function string
	Kind     TrapKind
	Message  string
	// Cause is the underlying error (a wazero error with the wasm stack trace, or a ledger error), or nil.
	Cause error
}

// Error implements error: "contract <name>: <function>: <kind>: <message>".
func (e *TrapError) Error() string {
	return fmt.Sprintf("contract %s: %s: %s: %s", e.Contract, e.Function, e.Kind, e.Message)
}

// Unwrap returns Cause.
func (e *TrapError) Unwrap() error { return e.Cause }

// ValidationReason classifies a ValidationError; operators surface it as a condition reason.
type ValidationReason string

// Validation reasons.
const (
	ReasonNotWasm         ValidationReason = "NotWasm"         // no WebAssembly magic/version header
	ReasonMalformed       ValidationReason = "Malformed"       // truncated or undecodable
	ReasonTooBig          ValidationReason = "TooBig"          // above the module size cap
	ReasonForbiddenImport ValidationReason = "ForbiddenImport" // an import outside the allowlist or with a wrong type
	ReasonMissingExport   ValidationReason = "MissingExport"   // a required export is absent or has the wrong type
	ReasonABIVersion      ValidationReason = "ABIVersion"      // no or unknown ABI marker
	ReasonThreads         ValidationReason = "Threads"         // shared memory / atomics
	ReasonMemory          ValidationReason = "Memory"          // no memory, imported memory, more than one, above the page limit
	ReasonStartFunction   ValidationReason = "StartFunction"   // a start section or _start export (contracts are reactors)
	ReasonReserved        ValidationReason = "Reserved"        // an export using the prefix "medledger_" the host reserves
	ReasonMetering        ValidationReason = "Metering"        // gas instrumentation refused it (SIMD, threads, tail calls, exceptions, bad indices; ABI.md §11.1)
	ReasonCompile         ValidationReason = "Compile"         // wazero rejected the code (invalid instructions, disabled features)
	ReasonLimits          ValidationReason = "Limits"          // the ContractConfig asks for limits above the host ceilings
	ReasonName            ValidationReason = "Name"            // the contract name is not ^[a-z][a-z0-9-]{0,62}$
)

// ValidationError is a module (or contract configuration) rejected at deploy time.
type ValidationError struct {
	Reason  ValidationReason
	Message string
}

// Error implements error: "invalid contract module: <message>".
func (e *ValidationError) Error() string { return "invalid contract module: " + e.Message }
