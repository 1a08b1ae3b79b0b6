package meter

import (
	"context"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// BenchmarkCalibrate reports ns/gas for kinds of work priced differently by the cost table:
// ordinary code (fnv), bulk memory, memory.grow (successful and failing) and host calls. A
// balanced table gives similar ns/gas across them. Compiler engine, memory reserved up to the
// limit (see TestInstrument_StopsHostileGuests); metered module.
func BenchmarkCalibrate(b *testing.B) {
	calib := mustInstrument(b, readTestdata(b, "calibrate.wasm"), NewConfig())
	for _, tc := range []struct {
		name  string
		fn    string
		args  []uint64
		fresh bool // a new instance per call (memory.grow changes the instance)
	}{
		{"code", "fnv", []uint64{100}, false},
		{"fill-64KiB", "fill", []uint64{100, 65536}, false},
		{"fill-64B", "fill", []uint64{10000, 64}, false},
		{"copy-4KiB", "copy", []uint64{1000, 4096}, false},
		{"copy-16B", "copy", []uint64{10000, 16}, false},
		{"grow-ok-511", "grow", []uint64{511}, true},
		{"grow-fail", "grow", []uint64{1000 + 511}, true},
		{"host-0B", "put", []uint64{10000, 0}, false},
		{"host-4KiB", "put", []uint64{1000, 4096}, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r, h := newRuntime(b, wazero.NewRuntimeConfigCompiler().WithMemoryCapacityFromMax(true))
			in := instantiate(b, r, calib)
			var elapsed time.Duration
			var gas uint64
			for i := 0; i < b.N; i++ {
				if tc.fresh {
					b.StopTimer()
					in.mod.Close(context.Background())
					in = instantiate(b, r, calib)
					b.StartTimer()
				}
				start := time.Now()
				got := in.call(b, DefaultGasLimit*10, tc.fn, tc.args...)
				elapsed += time.Since(start)
				if got.err != nil {
					b.Fatal(got.err)
				}
				gas += got.gas
				h.staged = nil
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(gas), "ns/gas")
			b.ReportMetric(float64(gas)/float64(b.N), "gas/op")
		})
	}
}
