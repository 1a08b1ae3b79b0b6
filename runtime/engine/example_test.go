package engine_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// Example loads a contract, calls it against an in-memory ledger and shows what the call wrote.
func Example() {
	ctx := context.Background()
	e, err := engine.New(engine.NewConfig())
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)

	wasm, err := os.ReadFile("testdata/wat/ok.wasm") // writes "k" = "v" and returns "ok"
	if err != nil {
		panic(err)
	}
	c, err := e.Load(ctx, "demo", wasm, engine.ContractConfig{Isolation: engine.Snapshot})
	if err != nil {
		panic(err)
	}
	st := ledger.NewMemory()
	res, err := c.Call(ctx, engine.Call{
		Function:  "anything",
		State:     st,
		TxID:      "tx-1",
		Timestamp: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		Caller:    engine.Identity{MSPID: "Hospital1MSP", Role: "client"},
	})
	if err != nil {
		panic(err)
	}
	rw, _ := st.Commit()
	fmt.Printf("output %q, writes %d\n", res.Output, res.Writes)
	for _, w := range rw.Writes {
		fmt.Printf("%s = %s\n", w.Key, w.Value)
	}
	// Output:
	// output "ok", writes 1
	// ns/demo/k = v
}
