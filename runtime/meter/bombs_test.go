package meter

import (
	"testing"
	"time"
)

// TestInstrument_StopsHostileGuests runs each bomb of testdata/bombs.wat under the default gas
// and depth limits: it must stop with the expected reason, keep none of its writes, and leave
// the host able to run the next call. Elapsed times are logged, not asserted; the interpreter
// runs a smaller gas limit to keep the suite fast. The runtime reserves memory up to its limit
// (WithMemoryCapacityFromMax), as the engine should: otherwise wazero copies the whole memory
// on every memory.grow, and the grow bomb costs seconds of copying whatever its gas.
func TestInstrument_StopsHostileGuests(t *testing.T) {
	bombs := mustInstrument(t, readTestdata(t, "bombs.wasm"), NewConfig())
	tests := []struct {
		fn   string
		args []uint64
		want Reason
	}{
		{"spin", nil, ReasonOutOfGas},
		{"recurse", []uint64{0}, ReasonDepthExceeded},
		{"recurse_indirect", nil, ReasonDepthExceeded},
		{"grow", nil, ReasonOutOfGas},
		{"fill", nil, ReasonOutOfGas},
	}
	for _, e := range engines {
		limit := DefaultGasLimit
		if e.name == "interpreter" {
			limit = DefaultGasLimit / 20
		}
		r, h := newRuntime(t, e.config().WithMemoryCapacityFromMax(true))
		for _, tc := range tests {
			t.Run(e.name+"/"+tc.fn, func(t *testing.T) {
				in := instantiate(t, r, bombs)
				start := time.Now()
				got := in.call(t, limit, tc.fn, tc.args...)
				elapsed := time.Since(start)
				h.commit(got.err)
				if got.err == nil {
					t.Fatalf("%s returned; want a trap", tc.fn)
				}
				if got.reason != tc.want {
					t.Fatalf("reason %v (error %v), want %v", got.reason, got.err, tc.want)
				}
				if tc.want == ReasonOutOfGas && got.gas != limit {
					t.Errorf("gas used %d, want the whole limit %d", got.gas, limit)
				}
				if len(h.written) != 0 {
					t.Errorf("%d writes kept after a trap", len(h.written))
				}
				t.Logf("%s: %v after %v, %d gas", tc.fn, got.reason, elapsed, got.gas)

				// The host lives on: the next call on a new instance works and commits.
				next := instantiate(t, r, bombs).call(t, limit, "copy_once", 16)
				h.commit(next.err)
				if next.err != nil || len(h.written) != 0 {
					t.Fatalf("call after the bomb: %v", next.err)
				}
			})
		}
	}
}

// TestInstrument_ChargesBeforeBulkWork: one memory.copy whose byte charge exceeds the gas
// left stops before copying; with enough gas the same call completes.
func TestInstrument_ChargesBeforeBulkWork(t *testing.T) {
	bombs := mustInstrument(t, readTestdata(t, "bombs.wasm"), NewConfig())
	// copy_once(n): i32.const, i32.const, local.get (3) and memory.copy (16) at entry, then
	// ceil(n/16) for the bytes.
	const n = 65536
	need := uint64(3+16) + n/16
	for _, e := range engines {
		r, _ := newRuntime(t, e.config())
		t.Run(e.name, func(t *testing.T) {
			short := instantiate(t, r, bombs).call(t, need-1, "copy_once", n)
			if short.reason != ReasonOutOfGas {
				t.Fatalf("limit %d: reason %v (error %v), want out of gas", need-1, short.reason, short.err)
			}
			ok := instantiate(t, r, bombs).call(t, need, "copy_once", n)
			if ok.err != nil || ok.gas != need {
				t.Fatalf("limit %d: error %v, gas %d; want success using %d", need, ok.err, ok.gas, need)
			}
		})
	}
}
