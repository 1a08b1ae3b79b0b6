package host

import "fmt"

// Trap kinds (engine.TrapKind values).
const (
	KindLimit = "limit"
	KindABI   = "abi"
	KindHost  = "host"
)

// Trap ends a call from inside a host function: the host function panics with it, wazero unwinds the guest and
// returns it (wrapped) from the export call.
type Trap struct {
	Kind  string
	Msg   string
	Cause error
}

func (t *Trap) Error() string { return t.Msg }

// Unwrap returns the cause (a ledger error), if any.
func (t *Trap) Unwrap() error { return t.Cause }

func trapf(kind, format string, args ...any) *Trap {
	return &Trap{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Abort is the guest calling abort(msg): a contract error.
type Abort struct{ Msg string }

func (a *Abort) Error() string { return "abort: " + a.Msg }

// Exit is the guest calling proc_exit(code).
type Exit struct{ Code uint32 }

func (e *Exit) Error() string { return fmt.Sprintf("contract exited with code %d", e.Code) }
