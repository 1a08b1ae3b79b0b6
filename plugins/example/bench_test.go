package main

import (
	"strconv"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/engine"
)

// BenchmarkAdd measures a realistic small call (caller check, two reads, a JSON write, a counter write, an
// event) through the real engine, including the harness's commit. Run with
// go test -run '^$' -bench . -benchtime 1000x ./plugins/example/
func BenchmarkAdd(b *testing.B) {
	for _, mode := range []engine.Isolation{engine.Snapshot, engine.Pooled} {
		b.Run(mode.String(), func(b *testing.B) {
			h := sdktest.New(b, sdktest.Build(b, "."), sdktest.WithName("example"), sdktest.WithIsolation(mode))
			i := 0
			for b.Loop() {
				i++
				if r := h.Call("add", addArgs{ID: strconv.Itoa(i), Text: "bring the chart"}, sdktest.As(alice)); r.Err != nil {
					b.Fatal(r.Err)
				}
			}
		})
	}
}
