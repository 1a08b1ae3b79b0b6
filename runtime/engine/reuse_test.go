package engine_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// TestContract_Call_ContractErrorKeepsInstance: a contract error (non-zero status, or abort under Snapshot)
// returns the instance for reuse, reset like after a success; only traps discard it. Reuse is observed through
// medledger_contract_instantiations_total, and under Pooled through guest memory surviving the failed call.
func TestContract_Call_ContractErrorKeepsInstance(t *testing.T) {
	tests := []struct {
		name, fn, args string
		// instances created by the failing call and the next one, per mode
		snapshot, pooled, fresh float64
		trap                    bool
	}{
		{"non-zero status", "fail", `{"value":"no"}`, 0, 0, 2, false},
		{"not found", "get", `{"key":"missing"}`, 0, 0, 2, false},
		{"abort", "abort", `{"value":"stop"}`, 0, 0, 2, false},
		{"trap", "panic", `{"value":"x"}`, 1, 1, 2, true},
	}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			reg := prometheus.NewRegistry()
			e := newEngine(t, engine.NewConfig().WithRegisterer(reg))
			c, err := e.Load(context.Background(), "consent", guest(t), engine.ContractConfig{Isolation: mode, MaxIdleInstances: 1})
			if err != nil {
				t.Fatal(err)
			}
			created := func() float64 {
				return metricValue(t, reg, "medledger_contract_instantiations_total", map[string]string{"contract": "consent"})
			}
			st := ledger.NewMemory()
			want := string(mustCall(t, c, st, "txinfo", "").Output)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := created()
					_, err := call(t, c, st, tt.fn, tt.args)
					var ce *engine.ContractError
					if isCE := errorsAs(err, &ce); isCE == tt.trap {
						t.Fatalf("err = %v, want contract error %v", err, !tt.trap)
					}
					// The next call runs from a clean state: the same output as the first call.
					if got := string(mustCall(t, c, st, "txinfo", "").Output); mode != engine.Pooled && got != want {
						t.Fatalf("after the failure txinfo = %s, want %s", got, want)
					}
					wantNew := map[engine.Isolation]float64{engine.Snapshot: tt.snapshot, engine.Pooled: tt.pooled, engine.Fresh: tt.fresh}[mode]
					if got := created() - before; got != wantNew {
						t.Errorf("the failing call and the next created %v instances, want %v", got, wantNew)
					}
				})
			}
		})
	}
	t.Run("pooled memory survives contract errors", func(t *testing.T) {
		e := newEngine(t, engine.NewConfig())
		c, err := e.Load(context.Background(), "counter", guest(t), engine.ContractConfig{Isolation: engine.Pooled, MaxIdleInstances: 1})
		if err != nil {
			t.Fatal(err)
		}
		st := ledger.NewMemory()
		mustCall(t, c, st, "counter", "")
		if _, err := call(t, c, st, "fail", `{"value":"no"}`); err == nil {
			t.Fatal("fail succeeded")
		}
		if got := string(mustCall(t, c, st, "counter", "").Output); got != "2" {
			t.Fatalf("counter after a contract error = %s, want 2 (same instance)", got)
		}
		// abort unwinds the guest from inside a host function; the Go runtime serves the next call regardless,
		// also after many aborts on one instance.
		for i := 0; i < 1000; i++ {
			_, err := c.Call(context.Background(), engine.Call{Function: "abort", Args: []byte(`{"value":"x"}`), State: st})
			requireContractError(t, err, "x")
			st.Rollback()
		}
		if got := string(mustCall(t, c, st, "counter", "").Output); got != "3" {
			t.Fatalf("counter after 1,000 aborts = %s, want 3 (same instance)", got)
		}
	})
}
