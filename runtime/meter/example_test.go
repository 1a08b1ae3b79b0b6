package meter_test

import (
	"context"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"

	"github.com/medledger/medledger/runtime/meter"
)

// Example shows the engine's side: instrument at deploy, then per call reset the counters,
// call, and read gas used and the reason.
func Example() {
	ctx := context.Background()
	src, err := os.ReadFile("testdata/loops.wasm")
	if err != nil {
		panic(err)
	}
	// Deploy time, once per module and cost table; cache by module hash + Config.Hash.
	metered, _, err := meter.Instrument(src, meter.NewConfig())
	if err != nil {
		panic(err)
	}

	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, metered)
	if err != nil {
		panic(err)
	}
	counters, err := meter.Bind(mod) // once per instance
	if err != nil {
		panic(err)
	}

	for _, limit := range []uint64{1_000_000, 100} {
		if err := counters.Reset(limit, meter.DefaultDepthLimit); err != nil { // before every call
			panic(err)
		}
		res, err := mod.ExportedFunction("sum").Call(ctx, 10)
		if err != nil {
			fmt.Printf("limit %d: trapped (%v), gas used %d\n", limit, counters.Reason(), counters.GasUsed(limit))
			continue
		}
		fmt.Printf("limit %d: sum = %d, gas used %d\n", limit, res[0], counters.GasUsed(limit))
	}
	// Output:
	// limit 1000000: sum = 45, gas used 155
	// limit 100: trapped (out of gas), gas used 100
}
