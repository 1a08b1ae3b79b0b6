package engine_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

var (
	sharedOnce sync.Once
	sharedEng  *engine.Engine
	sharedErr  error
)

// sharedEngine is one engine for the tests that only call contracts, so the Go guest is loaded once per mode.
func sharedEngine(t testing.TB) *engine.Engine {
	t.Helper()
	sharedOnce.Do(func() {
		sharedEng, sharedErr = engine.New(engine.NewConfig().WithCacheDir(testCacheDir(t)))
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedEng
}

var (
	contractsMu sync.Mutex
	contracts   = map[string]*engine.Contract{}
)

// limited are small limits so hostile tests stay fast; MemoryPages stays at the default so the compiled code is
// shared with the default contracts.
var limited = engine.Limits{
	MaxKeyBytes: 64, MaxValueBytes: 1024, MaxResultBytes: 4096, MaxEvents: 4, MaxEventNameBytes: 16,
	MaxEventPayloadBytes: 64, MaxLogBytes: 256, MaxWrites: 10, MaxRangePage: 3, MaxRangeBytes: 1 << 10,
	MaxFunctionBytes: 16, MaxArgsBytes: 1 << 10,
}

// goContract returns the Go test guest loaded as name with cfg, loading it once per (name, cfg).
func goContract(t testing.TB, name string, cfg engine.ContractConfig) *engine.Contract {
	t.Helper()
	key := name + "/" + cfg.Isolation.String() + "/" + strings.TrimSpace(func() string {
		if cfg.Limits == (engine.Limits{}) {
			return "default"
		}
		return "limited"
	}())
	contractsMu.Lock()
	defer contractsMu.Unlock()
	if c, ok := contracts[key]; ok {
		return c
	}
	c, err := sharedEngine(t).Load(context.Background(), name, guest(t), cfg)
	if err != nil {
		t.Fatalf("load %s: %v", key, err)
	}
	contracts[key] = c
	return c
}

var modes = []engine.Isolation{engine.Snapshot, engine.Fresh, engine.Pooled}

var testTime = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

// call runs fn with args on c against st; on success it commits st, on failure it checks that nothing was written
// and rolls back (so later reads see committed state only).
func call(t *testing.T, c *engine.Contract, st *ledger.Memory, fn, args string) (engine.Result, error) {
	t.Helper()
	res, err := c.Call(context.Background(), engine.Call{
		Function: fn, Args: []byte(args), State: st, TxID: "tx-" + fn, Timestamp: testTime,
		Caller: engine.Identity{MSPID: "Hospital1MSP", ID: "x509::CN=alice::CN=ca", Subject: "CN=alice", Issuer: "CN=ca", Role: "client", Attrs: map[string]string{"role": "clinician"}},
	})
	if err != nil {
		if rw := st.RWSet(); rw.HasWrites() {
			t.Errorf("%s failed (%v) but wrote %+v", fn, err, rw.Writes)
		}
		if len(res.Events) != 0 || len(res.Output) != 0 {
			t.Errorf("%s failed (%v) but returned events %v / output %q", fn, err, res.Events, res.Output)
		}
		st.Rollback()
		return res, err
	}
	if _, cerr := st.Commit(); cerr != nil {
		t.Fatalf("commit after %s: %v", fn, cerr)
	}
	return res, nil
}

func mustCall(t *testing.T, c *engine.Contract, st *ledger.Memory, fn, args string) engine.Result {
	t.Helper()
	res, err := call(t, c, st, fn, args)
	if err != nil {
		t.Fatalf("%s(%s): %v", fn, args, err)
	}
	return res
}

// watModule reads a generated test module from testdata/wat.
func watModule(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/wat/" + name + ".wasm")
	if err != nil {
		t.Fatalf("%v (run go generate ./runtime/engine)", err)
	}
	return b
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
