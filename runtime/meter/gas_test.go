package meter

import (
	"errors"
	"fmt"
	"testing"
)

// fibGas is the gas fib(n) of testdata/control.wat costs under CostTableV1: 4 for the
// comparison and the if, 1 for the then arm, 15 for the else arm (two subtractions, two calls
// at 4, an add), plus the recursive calls.
func fibGas(n int) uint64 {
	if n < 2 {
		return 4 + 1
	}
	return 4 + 15 + fibGas(n-1) + fibGas(n-2)
}

// TestInstrument_GasIsExact pins the cost model: these figures change only with the cost table
// or the Algorithm version. Both engines must agree to the unit.
func TestInstrument_GasIsExact(t *testing.T) {
	control := mustInstrument(t, readTestdata(t, "control.wasm"), NewConfig())
	loops := mustInstrument(t, readTestdata(t, "loops.wasm"), NewConfig())
	host := mustInstrument(t, readTestdata(t, "host.wasm"), NewConfig())
	tests := []struct {
		name string
		wasm []byte
		fn   string
		arg  uint64
		want uint64
	}{
		// sum: 1 at entry (the final local.get), 14 per loop head (the exit test, the body and
		// the back branch), n+1 loop heads.
		{"sum 0", loops, "sum", 0, 1 + 14},
		{"sum 1000", loops, "sum", 1000, 1 + 14*1001},
		// classify: local.get and br_table (2), then the arm's i32.const and return (2), or the
		// default's i32.const (1). Its results leave through return, which must store the counter.
		{"classify 0", control, "classify", 0, 2 + 2},
		{"classify default", control, "classify", 7, 2 + 1},
		{"fib 0", control, "fib", 0, fibGas(0)},
		{"fib 15", control, "fib", 15, fibGas(15)},
		// store: i32.const, local.get, call (4), then the host charges HostCall + n bytes.
		{"host store 0", host, "store", 0, 6 + 1000},
		{"host store 7", host, "store", 7, 6 + 1007},
		{"host store 4096", host, "store", 4096, 6 + 1000 + 4096},
	}
	for _, e := range engines {
		r, _ := newRuntime(t, e.config())
		for _, tc := range tests {
			t.Run(e.name+"/"+tc.name, func(t *testing.T) {
				got := instantiate(t, r, tc.wasm).call(t, DefaultGasLimit, tc.fn, tc.arg)
				if got.err != nil {
					t.Fatal(got.err)
				}
				if got.gas != tc.want {
					t.Errorf("gas = %d, want %d", got.gas, tc.want)
				}
			})
		}
	}
}

// TestInstrument_GasDeterministic repeats calls 1,000 times on one instance (pooled) and on
// fresh instances, on both engines: every repetition must use the same gas as the first.
func TestInstrument_GasDeterministic(t *testing.T) {
	loops := mustInstrument(t, readTestdata(t, "loops.wasm"), NewConfig())
	control := mustInstrument(t, readTestdata(t, "control.wasm"), NewConfig())
	calls := []struct {
		wasm []byte
		fn   string
		arg  uint64
	}{
		{loops, "fnv", 1}, {loops, "sieve", 5000}, {control, "fib", 12}, {control, "bulk", 16},
	}
	want := map[string]uint64{}
	for _, e := range engines {
		r, _ := newRuntime(t, e.config())
		for _, c := range calls {
			name := fmt.Sprintf("%s(%d)", c.fn, c.arg)
			t.Run(e.name+"/"+name, func(t *testing.T) {
				pooled := instantiate(t, r, c.wasm)
				for i := 0; i < 1000; i++ {
					in := pooled
					if i%100 == 0 { // every hundredth call on a fresh instance
						in = instantiate(t, r, c.wasm)
					}
					got := in.call(t, DefaultGasLimit, c.fn, c.arg)
					if got.err != nil {
						t.Fatal(got.err)
					}
					if w, ok := want[name]; !ok {
						want[name] = got.gas
					} else if got.gas != w {
						t.Fatalf("repetition %d used %d gas, want %d", i, got.gas, w)
					}
				}
			})
		}
	}
}

// TestInstrument_OutOfGasBoundary: a limit of exactly the gas a call needs succeeds, one less
// runs out, and gas used is then the whole limit.
func TestInstrument_OutOfGasBoundary(t *testing.T) {
	control := mustInstrument(t, readTestdata(t, "control.wasm"), NewConfig())
	host := mustInstrument(t, readTestdata(t, "host.wasm"), NewConfig())
	tests := []struct {
		name string
		wasm []byte
		fn   string
		arg  uint64
		need uint64
	}{
		{"guest code", control, "fib", 10, fibGas(10)},
		{"host charge", host, "store", 50, 6 + 1050},
	}
	for _, e := range engines {
		r, h := newRuntime(t, e.config())
		for _, tc := range tests {
			t.Run(e.name+"/"+tc.name, func(t *testing.T) {
				ok := instantiate(t, r, tc.wasm).call(t, tc.need, tc.fn, tc.arg)
				if ok.err != nil || ok.gas != tc.need || ok.reason != ReasonNone {
					t.Fatalf("limit %d: err %v, gas %d, reason %v; want success using all of it", tc.need, ok.err, ok.gas, ok.reason)
				}
				h.commit(ok.err)
				short := instantiate(t, r, tc.wasm).call(t, tc.need-1, tc.fn, tc.arg)
				if short.err == nil || short.reason != ReasonOutOfGas || short.gas != tc.need-1 {
					t.Fatalf("limit %d: err %v, reason %v, gas %d; want out of gas using the whole limit", tc.need-1, short.err, short.reason, short.gas)
				}
				if tc.fn == "store" && !errors.Is(short.err, ErrOutOfGas) {
					t.Errorf("host charge error %v does not wrap ErrOutOfGas", short.err)
				}
			})
		}
	}
}
