package meter

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// pairBench measures one guest function metered and unmetered side by side: each iteration
// calls both, alternating which goes first, and the per-pair ratio's median is reported as
// overhead-%. On a shared, loaded machine this is far steadier than comparing two separate
// benchmarks, because both halves of a pair see the same background load.
func pairBench(b *testing.B, plain, metered api.Function, counters *Counters, args ...uint64) {
	ctx := context.Background()
	stackP := make([]uint64, max(len(args), 1))
	stackM := make([]uint64, max(len(args), 1))
	run := func(f api.Function, stack []uint64, meter bool) time.Duration {
		copy(stack, args)
		if meter {
			if err := counters.Reset(DefaultGasLimit, DefaultDepthLimit); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		if err := f.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	ratios := make([]float64, 0, b.N)
	var sumP, sumM time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var p, m time.Duration
		if i%2 == 0 {
			p, m = run(plain, stackP, false), run(metered, stackM, true)
		} else {
			m, p = run(metered, stackM, true), run(plain, stackP, false)
		}
		sumP, sumM = sumP+p, sumM+m
		ratios = append(ratios, float64(m)/float64(p))
	}
	slices.Sort(ratios)
	b.ReportMetric(float64(sumP.Nanoseconds())/float64(b.N), "unmetered-ns/op")
	b.ReportMetric(float64(sumM.Nanoseconds())/float64(b.N), "metered-ns/op")
	b.ReportMetric((ratios[len(ratios)/2]-1)*100, "overhead-%")
}

// BenchmarkOverhead_Loops is the metering overhead on loop-heavy code (testdata/loops.wat),
// compiler engine. Run with -count 5 and take the median of overhead-%.
func BenchmarkOverhead_Loops(b *testing.B) {
	src := readTestdata(b, "loops.wasm")
	metered := mustInstrument(b, src, NewConfig())
	r, _ := newRuntime(b, wazero.NewRuntimeConfigCompiler())
	p, m := instantiate(b, r, src), instantiate(b, r, metered)
	for _, tc := range []struct {
		fn  string
		arg uint64
	}{
		{"sum", 40000},   // the smallest possible loop body: the worst case
		{"fnv", 10},      // hashing: a load, xor, multiply per byte (do-while loop)
		{"sieve", 65536}, // sieve of Eratosthenes: stores, nested while loops, if
	} {
		b.Run(tc.fn, func(b *testing.B) {
			pairBench(b, p.mod.ExportedFunction(tc.fn), m.mod.ExportedFunction(tc.fn), m.counters, tc.arg)
		})
	}
}

// BenchmarkOverhead_GoGuest is the metering overhead on the Go-built guest: check_consent is
// the realistic small call (decode a JSON consent, check a rule, hash it), records(200) a
// heavier one that allocates and sorts. Pooled instances, warmed by one call.
func BenchmarkOverhead_GoGuest(b *testing.B) {
	src := goGuest(b)
	metered := mustInstrument(b, src, NewConfig())
	r := newGoRuntime(b, wazero.NewRuntimeConfigCompiler())
	p, m := instantiateGo(b, r, src), instantiateGo(b, r, metered)
	for _, tc := range []struct {
		fn  string
		arg uint64
	}{
		{"check_consent", 42},
		{"records", 200},
	} {
		b.Run(tc.fn, func(b *testing.B) {
			p.call(b, 0, tc.fn, tc.arg)
			m.call(b, DefaultGasLimit, tc.fn, tc.arg)
			pairBench(b, p.mod.ExportedFunction(tc.fn), m.mod.ExportedFunction(tc.fn), m.counters, tc.arg)
		})
	}
}

// BenchmarkInstrument_GoGuest is the deploy-time cost of instrumenting the Go-built guest
// (about 3.5 MB).
func BenchmarkInstrument_GoGuest(b *testing.B) {
	src := goGuest(b)
	cfg := NewConfig()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Instrument(src, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
