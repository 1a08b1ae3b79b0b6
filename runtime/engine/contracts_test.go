package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// scriptStep is one line of a recorded contract script (testdata/contracts/*.jsonl): a call, or a value seeded
// into the ledger as an earlier transaction would have left it. The scripts were recorded from the contracts'
// own test suites (plugins/*), one harness (one fresh ledger) per H.
type scriptStep struct {
	H        string          `json:"h"`
	Contract string          `json:"contract"`
	Fn       string          `json:"fn"`
	Args     []byte          `json:"args"`
	Caller   engine.Identity `json:"caller"`
	TxID     string          `json:"txId"`
	TS       time.Time       `json:"ts"`
	SeedColl string          `json:"seedColl"`
	SeedKey  string          `json:"seedKey"`
	SeedVal  []byte          `json:"seedValue"`
}

// readScript returns the steps of a script grouped by harness, in recording order.
func readScript(t testing.TB, path string) [][]scriptStep {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]scriptStep
	index := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var s scriptStep
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		i, ok := index[s.H]
		if !ok {
			i = len(out)
			index[s.H] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// outcome is everything a call produced that must not depend on metering.
type outcome struct {
	Output []byte
	Events []engine.Event
	Err    string
	RWSet  ledger.RWSet
	Gas    uint64 `json:"-"`
}

// replay runs one harness's steps on c against a fresh ledger, committing successes like sdktest does.
func replay(t testing.TB, c *engine.Contract, steps []scriptStep, gas uint64) []outcome {
	t.Helper()
	st := ledger.NewMemory()
	var out []outcome
	for _, s := range steps {
		if s.Fn == "" {
			if s.SeedColl != "" {
				_ = st.PutPrivateData(s.SeedColl, s.SeedKey, s.SeedVal)
			} else {
				_ = st.PutState(s.SeedKey, s.SeedVal)
			}
			if _, err := st.Commit(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		res, err := c.Call(context.Background(), engine.Call{Function: s.Fn, Args: s.Args, State: st, Caller: s.Caller,
			TxID: s.TxID, Timestamp: s.TS, GasLimit: gas})
		o := outcome{Output: res.Output, Events: res.Events, RWSet: st.RWSet(), Gas: res.GasUsed}
		if err != nil {
			o.Err = err.Error()
			st.Rollback()
		} else if _, cerr := st.Commit(); cerr != nil {
			t.Fatal(cerr)
		}
		out = append(out, o)
	}
	return out
}

// scriptDir holds the recorded scripts (see its README.md).
const scriptDir = "testdata/contracts"

// TestContract_Call_MeteredUnmetered: the example contract and the three health contracts, built from source with
// sdktest, give byte-identical results (outputs, events, errors, read/write sets) metered and unmetered over real
// call sequences recorded from their own test suites, so instrumentation preserves their semantics; and every
// metered call reports gas.
func TestContract_Call_MeteredUnmetered(t *testing.T) {
	ctx := context.Background()
	metered := newEngine(t, engine.NewConfig())
	unmetered := newEngine(t, engine.NewConfig().WithMetering(false))
	for _, name := range []string{"example", "consent", "traceability", "healthplan"} {
		t.Run(name, func(t *testing.T) {
			wasm := sdktest.Build(t, filepath.Join("..", "..", "plugins", name))
			m, err := metered.Load(ctx, name, wasm, engine.ContractConfig{})
			if err != nil {
				t.Fatal(err)
			}
			u, err := unmetered.Load(ctx, name, wasm, engine.ContractConfig{})
			if err != nil {
				t.Fatal(err)
			}
			calls, maxGas := 0, uint64(0)
			for _, steps := range readScript(t, filepath.Join(scriptDir, name+".jsonl")) {
				got := replay(t, m, steps, engine.CeilingLimits.Gas)
				want := replay(t, u, steps, 0)
				for i := range want {
					if !reflect.DeepEqual(got[i], outcomeNoGas(want[i], got[i].Gas)) {
						t.Fatalf("%s call %d differs metered:\n%s\nunmetered:\n%s", steps[0].H, i, dump(got[i]), dump(want[i]))
					}
					if got[i].Gas == 0 {
						t.Fatalf("%s call %d: metered call reports no gas", steps[0].H, i)
					}
					maxGas = max(maxGas, got[i].Gas)
				}
				calls += len(want)
			}
			t.Logf("%s: %d calls identical metered and unmetered; the costliest used %d gas", name, calls, maxGas)
		})
	}
}

func outcomeNoGas(o outcome, gas uint64) outcome { o.Gas = gas; return o }

func dump(o outcome) string {
	b, _ := json.MarshalIndent(o, "", "  ")
	return string(bytes.TrimSpace(b))
}
