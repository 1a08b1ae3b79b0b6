package sdktest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// recorder is a testing.TB that records a failure instead of failing the test, so the assertion helpers'
// own failures can be checked. Fatalf ends the goroutine like the real one.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// record runs f against a recorder in its own goroutine and returns the failures it reported.
func record(t *testing.T, f func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.failures
}

func TestResult_Require(t *testing.T) {
	ok := &Result{Function: "add", Output: []byte(`{"n":1}`), Events: []engine.Event{{Name: "Added", Payload: []byte("p")}}}
	denied := &Result{Function: "add", Err: &engine.ContractError{Contract: "c", Function: "add", Status: 1, Message: "permission_denied: not on duty"}}
	trap := &Result{Function: "put", Err: &engine.TrapError{Contract: "c", Function: "put", Kind: engine.TrapLimit, Message: "state_put: key is 2000 bytes, limit 1024"}}
	leaky := &Result{Function: "add", Err: errors.New("boom"), RWSet: ledger.RWSet{Writes: []ledger.Write{{Key: "ns/c/k"}}}}
	tests := []struct {
		name  string
		check func(tb testing.TB)
		want  string // "" for no failure
	}{
		{"RequireOK on success", func(tb testing.TB) { ok.RequireOK(tb) }, ""},
		{"RequireOK on failure", func(tb testing.TB) { denied.RequireOK(tb) }, "add failed: contract c: add: permission_denied: not on duty"},
		{"RequireError matches", func(tb testing.TB) { denied.RequireError(tb, "not on duty") }, ""},
		{"RequireError on success", func(tb testing.TB) { ok.RequireError(tb, "x") }, `add succeeded with "{\"n\":1}", want an error containing "x"`},
		{"RequireError other message", func(tb testing.TB) { denied.RequireError(tb, "not_found") }, `want an error containing "not_found"`},
		{"RequireError with writes", func(tb testing.TB) { leaky.RequireError(tb, "boom") }, "add failed but emitted 0 events and wrote"},
		{"RequireTrap matches", func(tb testing.TB) { trap.RequireTrap(tb, engine.TrapLimit, "limit 1024") }, ""},
		{"RequireTrap other kind", func(tb testing.TB) { trap.RequireTrap(tb, engine.TrapABI, "limit") }, `want a "abi" trap`},
		{"RequireTrap on contract error", func(tb testing.TB) { denied.RequireTrap(tb, engine.TrapLimit, "duty") }, `(*engine.ContractError), want a "limit" trap`},
		{"JSON decodes", func(tb testing.TB) {
			var v struct{ N int }
			ok.JSON(tb, &v)
			if v.N != 1 {
				tb.Errorf("N = %d", v.N)
			}
		}, ""},
		{"JSON wrong shape", func(tb testing.TB) { var v []int; ok.JSON(tb, &v) }, `add output "{\"n\":1}" does not decode into *[]int`},
		{"JSON on failure", func(tb testing.TB) { var v any; denied.JSON(tb, &v) }, "add failed"},
		{"RequireEvent present", func(tb testing.TB) {
			if p := ok.RequireEvent(tb, "Added"); string(p) != "p" {
				tb.Errorf("payload %q", p)
			}
		}, ""},
		{"RequireEvent absent", func(tb testing.TB) { ok.RequireEvent(tb, "Removed") }, `add emitted no event "Removed" (events: ["Added"])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failures := record(t, tt.check)
			switch {
			case tt.want == "" && len(failures) > 0:
				t.Errorf("unexpected failure: %q", failures)
			case tt.want != "" && (len(failures) != 1 || !strings.Contains(failures[0], tt.want)):
				t.Errorf("failures = %q, want one containing %q", failures, tt.want)
			}
		})
	}
}

func TestResult_Message(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"success", nil, ""},
		{"contract error", &engine.ContractError{Contract: "c", Function: "f", Message: "not_found: x"}, "not_found: x"},
		{"wrapped contract error", fmt.Errorf("ctx: %w", &engine.ContractError{Message: "m"}), "m"},
		{"trap", &engine.TrapError{Contract: "c", Function: "f", Kind: engine.TrapWasm, Message: "unreachable"}, "contract c: f: trap: unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&Result{Err: tt.err}).Message(); got != tt.want {
				t.Errorf("Message() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewIdentity(t *testing.T) {
	id := NewIdentity("Hospital1MSP", "alice", "client", map[string]string{"role": "clinician"})
	want := Identity{MSPID: "Hospital1MSP", ID: "x509::CN=alice,OU=client::CN=ca.hospital1", Subject: "CN=alice,OU=client",
		Issuer: "CN=ca.hospital1", Role: "client", Attrs: map[string]string{"role": "clinician"}}
	if fmt.Sprint(id) != fmt.Sprint(want) {
		t.Errorf("NewIdentity = %+v, want %+v", id, want)
	}
	if NewIdentity("A", "b", "admin", nil).Attrs == nil {
		t.Error("NewIdentity with nil attrs left Attrs nil; the ABI sends an empty object")
	}
}
