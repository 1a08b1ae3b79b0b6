package sdktest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// Write is one committed write or delete of a call, with the contract's namespace removed from the key.
type Write struct {
	// Collection is the private data collection, "" for world state.
	Collection string
	Key        string
	Value      []byte
	Deleted    bool
}

// Result is the outcome of one Harness.Call.
type Result struct {
	// Function is the called function.
	Function string
	// Output is the contract's result bytes (empty on failure).
	Output []byte
	// Err is nil on success, else *engine.ContractError (the contract's error), *engine.TrapError, or an
	// engine.ErrInvalidCall error.
	Err error
	// Events are the events the call emitted (none on failure).
	Events []engine.Event
	// Log is the call log (contract Log lines, stdout, stderr).
	Log []engine.LogEntry
	// Writes are the call's committed writes in write order, public then private by collection (none on failure).
	Writes []Write
	// RWSet is the ledger's read/write set of the call, keys namespaced: committed on success, rolled back
	// (reads only) on failure.
	RWSet ledger.RWSet
	// GasUsed and Duration are as the engine reports them.
	GasUsed  uint64
	Duration time.Duration
}

// Message returns the contract error's own message for a *engine.ContractError, Err.Error() for any other
// error, and "" on success.
func (r *Result) Message() string {
	var ce *engine.ContractError
	switch {
	case r.Err == nil:
		return ""
	case errors.As(r.Err, &ce):
		return ce.Message
	}
	return r.Err.Error()
}

// RequireOK fails the test now unless the call succeeded, showing the error and the call log. It returns r.
func (r *Result) RequireOK(t testing.TB) *Result {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%s failed: %v%s", r.Function, r.Err, r.logText())
	}
	return r
}

// RequireError fails the test now unless the call failed with an error whose text contains substr, and
// checks that it emitted and wrote nothing. It returns r.
func (r *Result) RequireError(t testing.TB, substr string) *Result {
	t.Helper()
	switch {
	case r.Err == nil:
		t.Fatalf("%s succeeded with %q, want an error containing %q", r.Function, r.Output, substr)
	case !strings.Contains(r.Err.Error(), substr):
		t.Fatalf("%s failed with %q, want an error containing %q", r.Function, r.Err, substr)
	case len(r.Events) > 0 || len(r.Writes) > 0 || r.RWSet.HasWrites():
		t.Fatalf("%s failed but emitted %d events and wrote %+v", r.Function, len(r.Events), r.RWSet)
	}
	return r
}

// RequireTrap is RequireError for a trap of the given kind: the call must have ended with an
// *engine.TrapError of kind whose text contains substr.
func (r *Result) RequireTrap(t testing.TB, kind engine.TrapKind, substr string) *Result {
	t.Helper()
	r.RequireError(t, substr)
	var te *engine.TrapError
	if !errors.As(r.Err, &te) || te.Kind != kind {
		t.Fatalf("%s failed with %v (%T), want a %q trap", r.Function, r.Err, r.Err, kind)
	}
	return r
}

// JSON requires success and decodes the output into v, failing the test if it is not JSON that fits v.
func (r *Result) JSON(t testing.TB, v any) {
	t.Helper()
	r.RequireOK(t)
	if err := json.Unmarshal(r.Output, v); err != nil {
		t.Fatalf("%s output %q does not decode into %T: %v", r.Function, r.Output, v, err)
	}
}

// Event returns the payload of the first event called name, and whether there is one.
func (r *Result) Event(name string) ([]byte, bool) {
	for _, e := range r.Events {
		if e.Name == name {
			return e.Payload, true
		}
	}
	return nil, false
}

// RequireEvent fails the test now unless the call emitted an event called name, and returns its payload.
func (r *Result) RequireEvent(t testing.TB, name string) []byte {
	t.Helper()
	p, ok := r.Event(name)
	if !ok {
		names := make([]string, len(r.Events))
		for i, e := range r.Events {
			names[i] = e.Name
		}
		t.Fatalf("%s emitted no event %q (events: %q)", r.Function, name, names)
	}
	return p
}

func (r *Result) logText() string {
	if len(r.Log) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\ncall log:")
	for _, l := range r.Log {
		b.WriteString("\n  [" + string(l.Source) + "] " + l.Message)
	}
	return b.String()
}
