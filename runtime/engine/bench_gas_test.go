package engine_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// BenchmarkCall_Metering is the metering overhead on the realistic small call (the Go guest's consent call,
// Snapshot isolation) through the whole engine: the same module loaded in a metered and an unmetered engine,
// called alternately in one loop, so both halves of each pair see the same background load. overhead-% is the
// median of the per-pair ratios; metered-µs and unmetered-µs are the medians of each. Run with -count 5.
func BenchmarkCall_Metering(b *testing.B) {
	ctx := context.Background()
	load := func(cfg engine.Config) *engine.Contract {
		c, err := newEngine(b, cfg).Load(ctx, "consent", guest(b), engine.ContractConfig{})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	metered, unmetered := load(engine.NewConfig()), load(engine.NewConfig().WithMetering(false))
	st := benchState()
	call := engine.Call{Function: "consent", Args: consentArgs, State: st, TxID: "tx-1", Timestamp: time.Unix(1_700_000_000, 0)}
	run := func(c *engine.Contract) time.Duration {
		t0 := time.Now()
		res, err := c.Call(ctx, call)
		d := time.Since(t0)
		if err != nil || res.Writes != 1 {
			b.Fatalf("call: %v (writes %d)", err, res.Writes)
		}
		st.Rollback()
		return d
	}
	run(metered)
	run(unmetered)
	var ms, us []time.Duration
	var ratios []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var m, u time.Duration
		if i%2 == 0 {
			m, u = run(metered), run(unmetered)
		} else {
			u, m = run(unmetered), run(metered)
		}
		ms, us = append(ms, m), append(us, u)
		ratios = append(ratios, float64(m)/float64(u))
	}
	b.StopTimer()
	slices.Sort(ms)
	slices.Sort(us)
	slices.Sort(ratios)
	b.ReportMetric(float64(ms[len(ms)/2].Nanoseconds())/1e3, "metered-µs")
	b.ReportMetric(float64(us[len(us)/2].Nanoseconds())/1e3, "unmetered-µs")
	b.ReportMetric((ratios[len(ratios)/2]-1)*100, "overhead-%")
}

// BenchmarkBombs reports how long each hostile module runs before the default gas limit (or the depth limit)
// stops it, under Snapshot isolation: ms/op per bomb.
func BenchmarkBombs(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b, engine.NewConfig())
	for _, file := range []string{"spin", "recurse", "grow_bomb", "fill_bomb"} {
		b.Run(file, func(b *testing.B) {
			c, err := e.Load(ctx, "bomb", watModule(b, file), engine.ContractConfig{})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close(ctx)
			var gas uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := c.Call(ctx, engine.Call{Function: "x", State: ledger.NewMemory()})
				var te *engine.TrapError
				if !errorsAs(err, &te) || (te.Kind != engine.TrapOutOfGas && te.Kind != engine.TrapDepth) {
					b.Fatalf("%s: %v", file, err)
				}
				gas = res.GasUsed
			}
			b.ReportMetric(float64(gas), "gas")
		})
	}
}
