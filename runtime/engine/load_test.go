package engine_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
	"github.com/medledger/medledger/runtime/meter"
)

func TestEngine_Load_Errors(t *testing.T) {
	e := sharedEngine(t)
	ok := watModule(t, "ok")
	tests := []struct {
		name     string
		contract string
		wasm     []byte
		cfg      engine.ContractConfig
		reason   engine.ValidationReason
		substr   string
	}{
		{"bad name", "Bad/Name", ok, engine.ContractConfig{}, engine.ReasonName, `byte 0 ('B') is not allowed`},
		{"empty name", "", ok, engine.ContractConfig{}, engine.ReasonName, "contract name is empty"},
		{"limit above ceiling", "x", ok, engine.ContractConfig{Limits: engine.Limits{MaxValueBytes: 1 << 30}}, engine.ReasonLimits,
			"limit MaxValueBytes = 1073741824 is above the host ceiling 16777216"},
		{"negative limit", "x", ok, engine.ContractConfig{Limits: engine.Limits{MaxEvents: -1}}, engine.ReasonLimits, "limit MaxEvents = -1 is negative"},
		{"timeout without close-on-done", "x", ok, engine.ContractConfig{Limits: engine.Limits{Timeout: time.Second}}, engine.ReasonLimits,
			"Timeout needs an engine configured WithCloseOnContextDone(true)"},
		{"unknown isolation", "x", ok, engine.ContractConfig{Isolation: 7}, engine.ReasonLimits, "unknown isolation 7"},
		{"memory above contract limit", "x", watModule(t, "big_memory"), engine.ContractConfig{Limits: engine.Limits{MemoryPages: 2000}},
			"", ""}, // allowed when the contract's limit admits it
		{"memory above smaller contract limit", "x", ok, engine.ContractConfig{Limits: engine.Limits{MemoryPages: 1}}, "", ""},
		{"atomics rejected by the instrumentation", "x", watModule(t, "atomics"), engine.ContractConfig{}, engine.ReasonMetering,
			"function 1: offset 2: unsupported instruction prefix 0xfe (threads)"},
		{"forbidden import", "x", watModule(t, "forbidden_env"), engine.ContractConfig{}, engine.ReasonForbiddenImport, "import env.now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.Load(context.Background(), tt.contract, tt.wasm, tt.cfg)
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = c.Close(context.Background())
				return
			}
			var ve *engine.ValidationError
			if !errors.As(err, &ve) || ve.Reason != tt.reason || !strings.Contains(ve.Message, tt.substr) {
				t.Fatalf("err = %v, want %s containing %q", err, tt.reason, tt.substr)
			}
		})
	}
}

func TestEngine_Load_InitErrors(t *testing.T) {
	tests := []struct {
		file   string
		kind   engine.TrapKind
		substr string
	}{
		{"init_trap", engine.TrapWasm, "unreachable"},
		{"init_state", engine.TrapABI, "state_put: not available during _initialize"},
		{"init_spin", engine.TrapOutOfGas, fmt.Sprintf("out of gas: the call used all of its %d gas", meter.DefaultInitialGas)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := sharedEngine(t).Load(context.Background(), "x", watModule(t, tt.file), engine.ContractConfig{})
			requireTrap(t, err, tt.kind, tt.substr)
		})
	}
}

// TestContract_Call_WasmTraps runs the hand-written hostile modules: each traps with a message naming the cause,
// writes nothing, and the next call on the same contract works again.
func TestContract_Call_WasmTraps(t *testing.T) {
	tests := []struct {
		file   string
		kind   engine.TrapKind
		substr string
	}{
		{"unreachable", engine.TrapWasm, "unreachable"},
		{"oob", engine.TrapWasm, "out of bounds memory access"},
		{"divzero", engine.TrapWasm, "integer divide by zero"},
		{"recurse", engine.TrapDepth, "call depth exceeded"},
		{"exit3", engine.TrapExit, "contract exited with code 3"},
	}
	e := sharedEngine(t)
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.file, func(t *testing.T) {
				c, err := e.Load(context.Background(), "hostile", watModule(t, tt.file), engine.ContractConfig{Isolation: mode})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(context.Background())
				st := ledger.NewMemory()
				for i := 0; i < 2; i++ { // twice: a discarded instance is replaced
					_, err = call(t, c, st, "anything", "")
					requireTrap(t, err, tt.kind, tt.substr)
				}
			})
		}
	}
}

func TestContract_Call_WasmExit0AndGrow(t *testing.T) {
	e := sharedEngine(t)
	c, err := e.Load(context.Background(), "exit0", watModule(t, "exit0"), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st := ledger.NewMemory()
	res := mustCall(t, c, st, "x", "")
	if v, _, _ := st.Get("ns/exit0/k"); string(v) != "v" || len(res.Output) != 0 {
		t.Fatalf("proc_exit(0): output %q, k = %q; want a success that keeps its write", res.Output, v)
	}
	// memory.grow stops at the contract's page limit, set per contract in one runtime.
	for _, pages := range []uint32{3, 17} {
		g, err := e.Load(context.Background(), "grow", watModule(t, "grow"), engine.ContractConfig{Limits: engine.Limits{MemoryPages: pages}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = call(t, g, ledger.NewMemory(), "x", "")
		var ce *engine.ContractError
		if !errors.As(err, &ce) || len(ce.Message) != 4 {
			t.Fatalf("err = %v", err)
		}
		if got := binary.LittleEndian.Uint32([]byte(ce.Message)); got != pages {
			t.Fatalf("memory grew to %d pages, limit %d", got, pages)
		}
	}
}

func TestContract_Call_Timeout(t *testing.T) {
	e := newEngine(t, engine.NewConfig().WithCloseOnContextDone(true))
	// The most gas the host allows (seconds of spinning), so the 50 ms wall-clock guard stops the call first.
	c, err := e.Load(context.Background(), "spin", watModule(t, "spin"), engine.ContractConfig{
		Limits: engine.Limits{Timeout: 50 * time.Millisecond, Gas: engine.CeilingLimits.Gas}})
	if err != nil {
		t.Fatal(err)
	}
	st := ledger.NewMemory()
	_, err = call(t, c, st, "spin", "")
	requireTrap(t, err, engine.TrapTimeout, "wall-clock limit 50ms exceeded")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Call(ctx, engine.Call{Function: "spin", State: st})
	requireTrap(t, err, engine.TrapTimeout, "call canceled")
}

func TestEngine_CacheStats(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEngine(t, engine.NewConfig().WithRegisterer(reg))
	ctx := context.Background()
	ok := watModule(t, "ok")
	a, err := e.Load(ctx, "a", ok, engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Load(ctx, "b", ok, engine.ContractConfig{Isolation: engine.Pooled}) // same final bytes: a hit
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(ctx, "c", ok, engine.ContractConfig{Limits: engine.Limits{MemoryPages: 7}}); err != nil { // other bytes
		t.Fatal(err)
	}
	s := e.CacheStats()
	if s.Hits != 1 || s.Misses != 2 || s.Entries != 2 || s.Bytes <= 0 {
		t.Fatalf("stats = %+v, want 1 hit, 2 misses, 2 entries", s)
	}
	st := ledger.NewMemory()
	mustCall(t, a, st, "x", "")
	mustCall(t, b, st, "x", "")
	_, _ = a.Call(ctx, engine.Call{Function: "", State: st})
	if got := metricValue(t, reg, "medledger_compile_cache_hits_total", nil); got != 1 {
		t.Errorf("cache hits metric = %v", got)
	}
	if got := metricValue(t, reg, "medledger_compile_cache_misses_total", nil); got != 2 {
		t.Errorf("cache misses metric = %v", got)
	}
	if got := metricValue(t, reg, "medledger_contract_calls_total", map[string]string{"contract": "a", "outcome": "ok"}); got != 1 {
		t.Errorf("calls{a,ok} = %v", got)
	}
	if got := metricValue(t, reg, "medledger_contract_calls_total", map[string]string{"contract": "a", "outcome": "invalid"}); got != 1 {
		t.Errorf("calls{a,invalid} = %v", got)
	}
	if got := metricValue(t, reg, "medledger_contract_instances_live", map[string]string{"contract": "b"}); got != 1 {
		t.Errorf("instances{b} = %v", got)
	}
	if n := seriesCount(t, reg, "medledger_contract_call_duration_seconds"); n != 3 { // one per loaded contract
		t.Errorf("duration series = %d, want 3", n)
	}
	// A second engine cannot register the same metrics on the same registry.
	if _, err := engine.New(engine.NewConfig().WithRegisterer(reg)); err == nil || !strings.Contains(err.Error(), "metrics") {
		t.Errorf("duplicate registration: err = %v", err)
	}
}

func TestEngine_Close(t *testing.T) {
	ctx := context.Background()
	e, err := engine.New(engine.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Load(ctx, "ok", watModule(t, "ok"), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := e.Load(ctx, "ok2", watModule(t, "ok"), engine.ContractConfig{Isolation: engine.Pooled})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := ledger.NewMemory()
	if _, err := c.Call(ctx, engine.Call{Function: "x", State: st}); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("call on closed contract: %v", err)
	}
	if c.Instances() != 0 {
		t.Fatalf("closed contract keeps %d instances", c.Instances())
	}
	mustCall(t, c2, st, "x", "") // closing one contract leaves the others serving
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c2.Call(ctx, engine.Call{Function: "x", State: st}); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("call after engine Close: %v", err)
	}
	if _, err := e.Load(ctx, "ok", watModule(t, "ok"), engine.ContractConfig{}); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("load after Close: %v", err)
	}
}

func TestEngine_New_Errors(t *testing.T) {
	tests := []struct {
		name   string
		cfg    engine.Config
		errSub string
	}{
		{"zero module cap", engine.NewConfig().WithMaxModuleBytes(0), "MaxModuleBytes must be positive"},
		{"negative ceiling", engine.NewConfig().WithCeilings(engine.Limits{MemoryPages: 1, MaxEvents: -1}), "limit MaxEvents = -1 is negative"},
		{"no memory ceiling", engine.NewConfig().WithCeilings(engine.Limits{}), "ceiling MemoryPages must be 1..65535"},
		{"cache dir is a file", engine.NewConfig().WithCacheDir("load_test.go"), "cache dir"},
		{"metering without a gas ceiling", engine.NewConfig().WithCeilings(engine.Limits{MemoryPages: 1}), "ceiling Gas must be positive when metering"},
		{"gas ceiling above the counter", engine.NewConfig().WithCeilings(engine.Limits{MemoryPages: 1, Gas: 1 << 63}),
			"limit Gas = 9223372036854775808 is above the largest gas counter"},
		{"invalid cost table", engine.NewConfig().WithMeter(meter.NewConfig().WithCostTable(meter.CostTable{BulkBytesPerGas: 3, HostBytesPerGas: 1})),
			"BulkBytesPerGas = 3 must be a power of two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := engine.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("err = %v, want %q", err, tt.errSub)
			}
		})
	}
}
