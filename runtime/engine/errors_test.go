package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// TestContract_Call_Errors runs each bad call through the real engine and checks the error kind and message, that
// nothing was written or emitted (in call), and that the contract keeps serving.
func TestContract_Call_Errors(t *testing.T) {
	tests := []struct {
		name, fn, args string
		kind           engine.TrapKind // "" means a ContractError
		substr         string
	}{
		{"unknown function", "nope", `{}`, "", `unknown function "nope"`},
		{"invalid JSON args", "get", `{"key":`, "", "get: invalid JSON arguments"},
		{"invalid UTF-8 args", "consent", "\xff\xfe", "", "consent: invalid JSON arguments"},
		{"contract error", "fail", `{"value":"no consent on file"}`, "", "consent denied: no consent on file"},
		{"abort", "abort", `{"value":"aborted by contract"}`, "", "aborted by contract"},
		{"huge key", "hugekey", `{"n":100000}`, engine.TrapLimit, "state_get: key is 100000 bytes, limit 64"},
		{"huge value", "hugevalue", `{"n":5000}`, engine.TrapLimit, "state_put: value is 5000 bytes, limit 1024"},
		{"huge result", "hugeresult", `{"n":5000}`, engine.TrapLimit, "result_set: result is 5000 bytes, limit 4096"},
		{"too many writes", "writes", `{"n":11}`, engine.TrapLimit, "state_put: more than 10 keys written in one call"},
		{"too many events", "emit", `{"key":"e","n":5}`, engine.TrapLimit, "event_emit: more than 4 events"},
		{"event name too long", "emit", `{"key":"` + strings.Repeat("n", 17) + `"}`, engine.TrapLimit, "event name is 17 bytes, limit 16"},
		{"event payload too big", "emit", `{"key":"e","value":"` + strings.Repeat("p", 65) + `"}`, engine.TrapLimit, "event payload is 65 bytes, limit 64"},
		{"empty event name", "emit", `{"key":""}`, engine.TrapABI, "event name must be 1..16 bytes of UTF-8"},
		{"pointer outside memory", "badptr", `{}`, engine.TrapABI, "memory access out of bounds: state_get key ptr=4294967040 len=8"},
		{"empty key", "badkey", `{"key":""}`, engine.TrapABI, "state_get: key is empty"},
		{"key with NUL", "badkey", `{"key":"a\u0000b"}`, engine.TrapABI, "key contains byte 0x00 at offset 1"},
		{"key not UTF-8", "badkey", `{"n":1}`, engine.TrapABI, "state_get: key is not valid UTF-8"},
		{"bad collection", "pput", `{"coll":"a/b","key":"k","value":"v"}`, engine.TrapABI, "private_put: collection name: byte 1 ('/') is not allowed"},
		{"bad range bound", "range", `{"start":"a\u0000"}`, engine.TrapABI, "state_range: start: key contains byte 0x00"},
		{"go panic", "panic", `{"value":"nil map"}`, engine.TrapPanic, "panic: boom: nil map"},
		{"go os.Exit", "exit", `{"n":3}`, engine.TrapExit, "contract exited with code 3"},
		{"grows memory past its limit", "grow", `{"n":40}`, engine.TrapPanic, "fatal error: out of memory"},
		{"deep recursion", "recurse", `{}`, engine.TrapDepth, "call depth exceeded: nested calls need more than 1000 depth units"},
	}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c := goContract(t, "consent", engine.ContractConfig{Isolation: mode, Limits: limited})
			for _, tt := range tests {
				if mode != engine.Snapshot && tt.fn == "grow" {
					continue // the slow one runs once, in the default mode
				}
				t.Run(tt.name, func(t *testing.T) {
					st := ledger.NewMemory()
					_, err := call(t, c, st, tt.fn, tt.args)
					if tt.kind == "" {
						requireContractError(t, err, tt.substr)
					} else {
						requireTrap(t, err, tt.kind, tt.substr)
					}
					// The host keeps serving: the next call on the same contract succeeds.
					if res := mustCall(t, c, st, "echo", `"still alive"`); string(res.Output) != `"still alive"` {
						t.Fatalf("echo after failure = %q", res.Output)
					}
				})
			}
		})
	}
}

func requireTrap(t *testing.T, err error, kind engine.TrapKind, substr string) {
	t.Helper()
	var te *engine.TrapError
	if !errors.As(err, &te) {
		t.Fatalf("error = %v (%T), want a TrapError of kind %s", err, err, kind)
	}
	if te.Kind != kind || !strings.Contains(te.Message, substr) {
		t.Fatalf("trap = %s: %q, want %s containing %q", te.Kind, te.Message, kind, substr)
	}
}

func TestContract_Call_InvalidCall(t *testing.T) {
	c := goContract(t, "consent", engine.ContractConfig{Limits: limited})
	st := ledger.NewMemory()
	tests := []struct {
		name   string
		call   engine.Call
		substr string
	}{
		{"nil state", engine.Call{Function: "echo"}, "State is nil"},
		{"empty function", engine.Call{State: st}, "function name is empty"},
		{"function too long", engine.Call{Function: strings.Repeat("f", 17), State: st}, "function name is 17 bytes, limit 16"},
		{"function not UTF-8", engine.Call{Function: "\xff", State: st}, "function name is not valid UTF-8"},
		{"args too big", engine.Call{Function: "echo", Args: make([]byte, 1025), State: st}, "arguments are 1025 bytes, limit 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Call(context.Background(), tt.call)
			if !errors.Is(err, engine.ErrInvalidCall) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err = %v, want ErrInvalidCall containing %q", err, tt.substr)
			}
			if rw := st.RWSet(); !rw.Empty() {
				t.Fatalf("refused call touched state: %+v", rw)
			}
		})
	}
}
