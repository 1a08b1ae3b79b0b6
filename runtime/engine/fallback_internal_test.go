package engine

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/medledger/medledger/runtime/ledger"
)

// TestContract_Call_CopyFallback covers Snapshot isolation without copy-on-write images (non-Linux hosts, or a
// kernel without pagemap): the whole snapshot is copied back before each call.
func TestContract_Call_CopyFallback(t *testing.T) {
	copyOnWrite = false
	defer func() { copyOnWrite = true }()
	wasm, err := os.ReadFile("testdata/wat/dirty.wasm")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	c, err := e.Load(context.Background(), "dirty", wasm, ContractConfig{MaxIdleInstances: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.image != nil {
		t.Fatal("image in use although disabled")
	}
	for i := 0; i < 3; i++ {
		res, err := c.Call(context.Background(), Call{Function: "x", State: ledger.NewMemory()})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", res.Output); got != "000000000100000000000000" {
			t.Fatalf("call %d saw %s", i, got)
		}
	}
}
