package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
	"github.com/medledger/medledger/runtime/meter"
)

// gasOf runs fn(args) on c against a fresh ledger holding the consent fixture and returns the gas it used.
func gasOf(t *testing.T, c *engine.Contract, fn string, args []byte) uint64 {
	t.Helper()
	res, err := c.Call(context.Background(), engine.Call{Function: fn, Args: args, State: benchState(), TxID: "tx-gas",
		Timestamp: testTime, Caller: engine.Identity{MSPID: "Hospital1MSP", ID: "x509::CN=alice::CN=ca"}})
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	if res.GasUsed == 0 || res.GasUsed >= res.GasLimit {
		t.Fatalf("%s used %d gas of %d", fn, res.GasUsed, res.GasLimit)
	}
	return res.GasUsed
}

// TestContract_Call_GasDeterministic: the same call uses the same gas, to the unit, over 1,000 repetitions and in
// every isolation mode (Pooled: on an instance's first call, after which the guest's own state carries over).
func TestContract_Call_GasDeterministic(t *testing.T) {
	e := newEngine(t, engine.NewConfig())
	load := func(name string, wasm []byte, iso engine.Isolation) *engine.Contract {
		c, err := e.Load(context.Background(), name, wasm, engine.ContractConfig{Isolation: iso})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name, fn string
		wasm     []byte
		args     []byte
		reps     map[engine.Isolation]int
	}{
		// The realistic small call of the Go guest: Fresh runs _initialize per call, so fewer repetitions.
		{"go guest consent", "consent", guest(t), consentArgs, map[engine.Isolation]int{engine.Snapshot: 1000, engine.Fresh: 10, engine.Pooled: 1}},
		{"wat host calls", "x", watModule(t, "hostcost"), []byte("some argument bytes"),
			map[engine.Isolation]int{engine.Snapshot: 1000, engine.Fresh: 1000, engine.Pooled: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want uint64
			for _, mode := range modes {
				c := load("consent", tt.wasm, mode)
				for i := 0; i < tt.reps[mode]; i++ {
					got := gasOf(t, c, tt.fn, tt.args)
					if want == 0 {
						want = got
					}
					if got != want {
						t.Fatalf("%s call %d used %d gas, the first %d", mode, i, got, want)
					}
				}
				_ = c.Close(context.Background())
			}
			t.Logf("%d gas in every call", want)
		})
	}
}

// TestContract_Call_GasBombs: an infinite loop, unbounded recursion, a memory.grow loop and a memory.fill bomb each
// stop with out-of-gas or depth-exceeded, write nothing, report their gas, and leave the host serving: the next call
// on the same contract (a new instance) stops the same way, and another contract still answers. Run once at the
// default gas limit (BenchmarkBombs reports how long that takes) and in every mode at a lower per-call limit.
func TestContract_Call_GasBombs(t *testing.T) {
	e := newEngine(t, engine.NewConfig())
	ok, err := e.Load(context.Background(), "ok", watModule(t, "ok"), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file   string
		kind   engine.TrapKind
		substr string
	}{
		{"spin", engine.TrapOutOfGas, "out of gas: the call used all of its"},
		{"recurse", engine.TrapDepth, "call depth exceeded"},
		{"grow_bomb", engine.TrapOutOfGas, "out of gas"},
		{"fill_bomb", engine.TrapOutOfGas, "out of gas"},
	}
	runs := []struct {
		mode  engine.Isolation
		limit uint64 // 0: the contract's default, DefaultLimits.Gas
	}{{engine.Snapshot, 0}, {engine.Snapshot, 50_000_000}, {engine.Fresh, 50_000_000}, {engine.Pooled, 50_000_000}}
	for _, run := range runs {
		for _, tt := range tests {
			t.Run(run.mode.String()+"/"+tt.file+"/"+map[bool]string{true: "default", false: "low"}[run.limit == 0], func(t *testing.T) {
				c, err := e.Load(context.Background(), "bomb", watModule(t, tt.file), engine.ContractConfig{Isolation: run.mode})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(context.Background())
				limit := run.limit
				if limit == 0 {
					limit = engine.DefaultLimits.Gas
				}
				st := ledger.NewMemory()
				for i := 0; i < 2; i++ {
					res, err := c.Call(context.Background(), engine.Call{Function: "x", State: st, GasLimit: run.limit})
					requireTrap(t, err, tt.kind, tt.substr)
					if rw := st.RWSet(); rw.HasWrites() || res.Writes != 0 {
						t.Fatalf("a stopped call wrote %+v", rw.Writes)
					}
					if res.GasLimit != limit || res.GasUsed == 0 || res.GasUsed > limit ||
						tt.kind == engine.TrapOutOfGas && res.GasUsed != limit {
						t.Fatalf("gas used %d of %d (limit %d)", res.GasUsed, res.GasLimit, limit)
					}
				}
				mustCall(t, ok, ledger.NewMemory(), "x", "")
			})
		}
	}
}

// TestContract_Call_GasLimit: the per-call limit defaults to the contract's Limits.Gas, may be raised up to the
// host ceiling and no further, and a call that needs more than its limit runs out of gas with GasUsed = limit.
func TestContract_Call_GasLimit(t *testing.T) {
	e := newEngine(t, engine.NewConfig())
	ctx := context.Background()
	def := goContract(t, "consent", engine.ContractConfig{})
	small, err := e.Load(ctx, "consent", guest(t), engine.ContractConfig{Limits: engine.Limits{Gas: 5_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		c         *engine.Contract
		gasLimit  uint64
		wantLimit uint64
		kind      engine.TrapKind // "" success
		invalid   string          // ErrInvalidCall containing
	}{
		{"contract default", def, 0, engine.DefaultLimits.Gas, "", ""},
		{"configured per contract", small, 0, 5_000_000, "", ""},
		{"raised per call", small, engine.CeilingLimits.Gas, engine.CeilingLimits.Gas, "", ""},
		{"lowered per call", def, 10_000, 10_000, engine.TrapOutOfGas, ""},
		{"above the ceiling", def, engine.CeilingLimits.Gas + 1, 0, "",
			"gas limit 2000000001 is above the host ceiling 2000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := benchState()
			res, err := tt.c.Call(ctx, engine.Call{Function: "consent", Args: consentArgs, State: st, GasLimit: tt.gasLimit})
			switch {
			case tt.invalid != "":
				if !errors.Is(err, engine.ErrInvalidCall) || !strings.Contains(err.Error(), tt.invalid) || res.GasUsed != 0 {
					t.Fatalf("err = %v, gas %d; want ErrInvalidCall containing %q", err, res.GasUsed, tt.invalid)
				}
				return
			case tt.kind != "":
				requireTrap(t, err, tt.kind, "out of gas")
				if res.GasUsed != tt.wantLimit || st.RWSet().HasWrites() {
					t.Fatalf("gas used %d, want the whole %d; writes %+v", res.GasUsed, tt.wantLimit, st.RWSet().Writes)
				}
			case err != nil:
				t.Fatal(err)
			}
			if res.GasLimit != tt.wantLimit {
				t.Fatalf("ran under %d gas, want %d", res.GasLimit, tt.wantLimit)
			}
		})
	}
	// A contract cannot be configured above the ceiling.
	_, err = e.Load(ctx, "x", watModule(t, "ok"), engine.ContractConfig{Limits: engine.Limits{Gas: engine.CeilingLimits.Gas + 1}})
	var ve *engine.ValidationError
	if !errors.As(err, &ve) || ve.Reason != engine.ReasonLimits || !strings.Contains(ve.Message, "limit Gas = 2000000001 is above the host ceiling") {
		t.Fatalf("Load above the gas ceiling: %v", err)
	}
}

// TestContract_Call_HostGas: host functions charge their base price plus one gas per byte moved, before moving
// it, and one that cannot be paid for ends the call as out of gas naming the function.
func TestContract_Call_HostGas(t *testing.T) {
	c, err := sharedEngine(t).Load(context.Background(), "hostcost", watModule(t, "hostcost"), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	small := gasOf(t, c, "x", []byte(strings.Repeat("a", 10)))
	large := gasOf(t, c, "x", []byte(strings.Repeat("a", 1010)))
	if large-small != 3*1000 { // input_args, register_read and state_put each move the 1,000 extra bytes
		t.Fatalf("1,000 more argument bytes cost %d more gas, want 3,000", large-small)
	}
	// Enough gas for the guest's instructions and input_args, not for register_read's copy of 100,000 bytes.
	args := []byte(strings.Repeat("a", 100_000))
	limit := small - 3*10 + 100_000 + uint64(meter.CostTableV1.HostCall) + 50_000
	st := ledger.NewMemory()
	res, err := c.Call(context.Background(), engine.Call{Function: "x", Args: args, State: st, GasLimit: limit})
	requireTrap(t, err, engine.TrapOutOfGas, "register_read: out of gas: moving 100000 bytes costs 100000 gas, 52001 left")
	if res.GasUsed != limit || st.RWSet().HasWrites() {
		t.Fatalf("gas used %d of %d, writes %+v", res.GasUsed, limit, st.RWSet().Writes)
	}
}

// TestContract_Call_GasReported: gas is reported with every outcome (success, contract error, trap) and in the
// medledger_contract_call_gas histogram by contract.
func TestContract_Call_GasReported(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEngine(t, engine.NewConfig().WithRegisterer(reg))
	c, err := e.Load(context.Background(), "consent", guest(t), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if tm := c.LoadTimings(); tm.CacheHit || tm.Instrument <= 0 {
		t.Fatalf("load timings %+v: want the instrumentation timed", tm)
	}
	var total uint64
	for _, fn := range []string{"echo", "fail", "panic"} {
		res, err := c.Call(context.Background(), engine.Call{Function: fn, Args: []byte(`{"value":"x"}`), State: ledger.NewMemory()})
		if (err == nil) != (fn == "echo") || res.GasUsed == 0 {
			t.Fatalf("%s: err %v, gas %d", fn, err, res.GasUsed)
		}
		total += res.GasUsed
	}
	count, sum := histogram(t, reg, "medledger_contract_call_gas", map[string]string{"contract": "consent"})
	if count != 3 || sum != float64(total) {
		t.Fatalf("gas histogram: %d calls, %v gas; want 3, %d", count, sum, total)
	}
}

// TestEngine_Load_CostTable: the cost table is part of the compile cache key, so engines with other prices never
// reuse each other's compiled code, even through a shared disk cache: the same call costs what each table says.
func TestEngine_Load_CostTable(t *testing.T) {
	dir := t.TempDir()
	costly := meter.CostTableV1
	costly.Version, costly.Instruction = 99, 2*costly.Instruction
	gas := map[string]uint64{}
	for _, run := range []struct {
		name  string
		table meter.CostTable
	}{{"v1", meter.CostTableV1}, {"costly", costly}, {"v1 again", meter.CostTableV1}} {
		e := newEngine(t, engine.NewConfig().WithCacheDir(dir).WithMeter(meter.NewConfig().WithCostTable(run.table)))
		c, err := e.Load(context.Background(), "hostcost", watModule(t, "hostcost"), engine.ContractConfig{})
		if err != nil {
			t.Fatal(err)
		}
		gas[run.name] = gasOf(t, c, "x", []byte("abc"))
	}
	if gas["costly"] <= gas["v1"] || gas["v1 again"] != gas["v1"] {
		t.Fatalf("gas by cost table = %v: want costly above v1, v1 twice the same", gas)
	}
	// Unmetered engines compile other code again, and report no gas.
	u := newEngine(t, engine.NewConfig().WithCacheDir(dir).WithMetering(false))
	c, err := u.Load(context.Background(), "hostcost", watModule(t, "hostcost"), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Call(context.Background(), engine.Call{Function: "x", State: ledger.NewMemory(), Timestamp: time.Unix(1, 0)})
	if err != nil || res.GasUsed != 0 || res.GasLimit != 0 || c.LoadTimings().Instrument != 0 {
		t.Fatalf("unmetered: err %v, gas %d of %d, instrument %v", err, res.GasUsed, res.GasLimit, c.LoadTimings().Instrument)
	}
}
