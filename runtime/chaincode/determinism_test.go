package chaincode_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

// TestChaincode_Determinism runs the same randomized proposals of a real Go contract (plugins/example: JSON,
// range scans, events) on two independent wasmcc instances, one of which loads the contract from the ledger,
// and requires byte-identical responses, events and read/write sets: what Fabric's endorsement comparison needs.
func TestChaincode_Determinism(t *testing.T) {
	wasm := sdktest.Build(t, "../../plugins/example")
	a, b := defaultEnv(t), defaultEnv(t)
	a.govern(t)
	a.deploy(t, "example", "1", wasm, nil)
	b.p.Restore(a.p.Snapshot())
	rng := rand.New(rand.NewPCG(42, 7))
	writer := peertest.MustIdentity("Hospital2MSP", "nurse", "client", nil)
	for i := range 120 {
		id := fmt.Sprintf("n%d", rng.IntN(30))
		var call []string
		switch rng.IntN(5) {
		case 0, 1:
			call = []string{"invoke", "example", "add", fmt.Sprintf(`{"id":%q,"text":"note %d"}`, id, i)}
		case 2:
			call = []string{"invoke", "example", "get", fmt.Sprintf(`{"id":%q}`, id)}
		case 3:
			call = []string{"invoke", "example", "list", `{}`}
		case 4:
			call = []string{"invoke", "example", "remove", fmt.Sprintf(`{"id":%q}`, id)}
		}
		prop := peertest.Proposal{Creator: writer, Args: args(call...), TxID: fmt.Sprintf("tx-%d", i), Timestamp: time.Unix(1_800_000_000+int64(i), 0)}
		ra, err := a.p.Submit(prop)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.p.Submit(prop)
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(struct {
			R any
			E any
			W peertest.RWSet
		}{ra.Response, ra.Event, ra.RWSet})
		jb, _ := json.Marshal(struct {
			R any
			E any
			W peertest.RWSet
		}{rb.Response, rb.Event, rb.RWSet})
		if string(ja) != string(jb) {
			t.Fatalf("call %d %v: the two peers disagree:\n%s\n%s", i, call, ja, jb)
		}
	}
	if n := len(a.p.Keys("ns/example/note/")); n == 0 {
		t.Error("the random calls wrote no notes")
	}
}
