package meter

import (
	"fmt"
	"strings"
	"testing"
)

// u32 turns a negative test argument into the uint64 wazero expects for an i32.
func u32(v int32) uint64 { return uint64(uint32(v)) }

type step struct {
	fn   string
	args []uint64
}

func steps(fn string, args ...uint64) []step { return []step{{fn, args}} }

// semanticCases run in sequence on one fresh instance each.
var semanticCases = []struct {
	module string
	name   string
	calls  []step
}{
	{"control", "apply add", steps("apply", 0, 40, 2)},
	{"control", "apply sub", steps("apply", 1, 40, 2)},
	{"control", "apply mul", steps("apply", 2, 40, 2)},
	{"control", "apply div", steps("apply", 3, 40, 2)},
	{"control", "apply div by zero", steps("apply", 3, 1, 0)},
	{"control", "apply past the table", steps("apply", 4, 1, 1)},
	{"control", "classify 0", steps("classify", 0)},
	{"control", "classify 1", steps("classify", 1)},
	{"control", "classify 2", steps("classify", 2)},
	{"control", "classify default", steps("classify", 7)},
	{"control", "nested 0", steps("nested", 0)},
	{"control", "nested 1", steps("nested", 1)},
	{"control", "nested 7", steps("nested", 7)},
	{"control", "nested 100", steps("nested", 100)},
	{"control", "nested 600", steps("nested", 600)},
	{"control", "nested 1001", steps("nested", 1001)},
	{"control", "nested -1001 (wraps around)", steps("nested", u32(-1001))},
	{"control", "multi 123", steps("multi", 123)},
	{"control", "multi 9", steps("multi", 9)},
	{"control", "brfunc 0", steps("brfunc", 0)},
	{"control", "brfunc 5", steps("brfunc", 5)},
	{"control", "fib 0", steps("fib", 0)},
	{"control", "fib 1", steps("fib", 1)},
	{"control", "fib 20", steps("fib", 20)},
	{"control", "bulk 0", steps("bulk", 0)},
	{"control", "bulk 16", steps("bulk", 16)},
	{"control", "bulk 64", steps("bulk", 64)},
	{"control", "bulk out of bounds", steps("bulk", 70000)},
	{"control", "bulk after data.drop", []step{{"drop_data", nil}, {"bulk", []uint64{16}}}},
	{"control", "tables 0", steps("tables", 0)},
	{"control", "tables 3", steps("tables", 3)},
	{"control", "grow 0", steps("grow", 0)},
	{"control", "grow 3", steps("grow", 3)},
	{"control", "grow past the limit", steps("grow", 600)},
	{"control", "numeric 0", steps("numeric", 0)},
	{"control", "numeric 200", steps("numeric", 200)},
	{"control", "numeric -1", steps("numeric", u32(-1))},
	{"control", "dead", steps("dead", 5)},
	{"control", "trap unreachable", steps("trap", 0)},
	{"control", "trap divide by zero", steps("trap", 1)},
	{"control", "trap none", steps("trap", 5)},
	{"control", "global state", []step{{"count", nil}, {"count", nil}, {"count", nil}}},
	{"loops", "sum 0", steps("sum", 0)},
	{"loops", "sum 1000", steps("sum", 1000)},
	{"loops", "fnv 2", steps("fnv", 2)},
	{"loops", "sieve 1000", steps("sieve", 1000)},
	{"loops", "sieve 65536", steps("sieve", 65536)},
}

// outcome renders what a call returned for comparison: results, or the first line of the trap.
func outcome(r callResult) string {
	if r.err != nil {
		return "trap: " + strings.SplitN(r.err.Error(), "\n", 2)[0]
	}
	return fmt.Sprint(r.results)
}

// TestInstrument_PreservesSemantics calls every test export metered and unmetered, on both
// engines, and requires identical results and traps, and the same gas on both engines.
func TestInstrument_PreservesSemantics(t *testing.T) {
	modules := map[string][2][]byte{}
	for _, name := range []string{"control", "loops"} {
		src := readTestdata(t, name+".wasm")
		modules[name] = [2][]byte{src, mustInstrument(t, src, NewConfig())}
	}
	gas := map[string]uint64{} // case/step -> gas on the first engine
	for _, e := range engines {
		r, _ := newRuntime(t, e.config())
		for _, tc := range semanticCases {
			t.Run(e.name+"/"+tc.name, func(t *testing.T) {
				plain := instantiate(t, r, modules[tc.module][0])
				metered := instantiate(t, r, modules[tc.module][1])
				for i, s := range tc.calls {
					want := outcome(plain.call(t, 0, s.fn, s.args...))
					got := metered.call(t, DefaultGasLimit, s.fn, s.args...)
					if outcome(got) != want {
						t.Errorf("%s%v: metered %s, unmetered %s", s.fn, s.args, outcome(got), want)
					}
					if got.reason != ReasonNone {
						t.Errorf("%s%v: reason %v, want none", s.fn, s.args, got.reason)
					}
					if got.err == nil && got.gas == 0 {
						t.Errorf("%s%v: returned without charging gas", s.fn, s.args)
					}
					key := fmt.Sprintf("%s/%d", tc.name, i)
					if first, ok := gas[key]; !ok {
						gas[key] = got.gas
					} else if got.gas != first {
						t.Errorf("%s%v: %d gas on %s, %d on %s", s.fn, s.args, got.gas, e.name, first, engines[0].name)
					}
				}
			})
		}
	}
}
