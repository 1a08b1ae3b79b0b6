package engine

import (
	"time"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/ledger"
)

// Identity is the caller's identity as the contract sees it (ABI.md §5).
type Identity = abi.Identity

// Call is one invocation of a contract function.
type Call struct {
	// Function is the called function name (1..Limits.MaxFunctionBytes bytes of UTF-8).
	Function string
	// Args are the argument bytes, by convention JSON; the engine does not parse them.
	Args []byte
	// State is the transaction's world state. Successful calls write to it; failed calls never touch its writes.
	State ledger.State
	// Caller is the identity that submitted the transaction.
	Caller Identity
	// TxID is the transaction id; it seeds the call's random stream.
	TxID string
	// Timestamp is the transaction timestamp; every guest clock reads it.
	Timestamp time.Time
	// GasLimit is this call's gas limit; 0 means the contract's Limits.Gas. It may be above the contract's
	// default but not above the host's ceiling (Config.Ceilings().Gas).
	GasLimit uint64
}

// Event is one event a call emitted. Events are delivered only when the call succeeds.
type Event struct {
	Name    string
	Payload []byte
}

// LogSource says where a log entry came from.
type LogSource string

// Log sources.
const (
	LogFromContract LogSource = "log"    // the log host function
	LogFromStdout   LogSource = "stdout" // WASI fd 1
	LogFromStderr   LogSource = "stderr" // WASI fd 2
)

// LogEntry is one line of the call log. Level is abi.LogDebug..abi.LogError for the log host function; stdout
// lines have level abi.LogInfo and stderr lines abi.LogWarn.
type LogEntry struct {
	Level   int
	Source  LogSource
	Message string
}

// Result is what a call produced. Call returns it also on failure, with Output/Events empty and Log, GasUsed and
// Duration filled, so failures can be diagnosed.
type Result struct {
	// Output is the bytes the contract passed to result_set (empty when it never did).
	Output []byte
	// Events are the call's events, in emission order.
	Events []Event
	// Log is the bounded call log; LogTruncated is set when entries were dropped at Limits.MaxLogBytes.
	Log          []LogEntry
	LogTruncated bool
	// Writes is the number of distinct keys written or deleted (public and private) and flushed to State.
	Writes int
	// GasUsed is the gas the call consumed, filled on success and on failure (ABI.md §11.6): exact on success,
	// the whole limit when it ran out of gas, and up to the guest's last call or return after another trap. It is
	// 0 for a call refused before any guest code ran, and on an engine configured WithMetering(false).
	GasUsed uint64
	// GasLimit is the gas limit the call ran under (0 on an engine configured WithMetering(false)).
	GasLimit uint64
	// Duration is the wall-clock time of the call, including instance acquisition.
	Duration time.Duration
}
