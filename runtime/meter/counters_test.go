package meter

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// meteredInstance returns an instrumented instance of testdata/loops.wasm on the interpreter.
func meteredInstance(t *testing.T) *instance {
	t.Helper()
	r, _ := newRuntime(t, wazero.NewRuntimeConfigInterpreter())
	return instantiate(t, r, mustInstrument(t, readTestdata(t, "loops.wasm"), NewConfig()))
}

func TestBind_Errors(t *testing.T) {
	r, _ := newRuntime(t, wazero.NewRuntimeConfigInterpreter())
	tests := []struct {
		name string
		wasm []byte
		want string
	}{
		{"not instrumented", readTestdata(t, "loops.wasm"), `no mutable i64 global "medledger_gas_left"`},
		{"immutable gas global", readTestdata(t, "impostor.wasm"), `no mutable i64 global "medledger_gas_left"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mod, err := r.InstantiateWithConfig(context.Background(), tc.wasm, wazero.NewModuleConfig().WithName(""))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Bind(mod); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if err := Charge(mod, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Charge: error %v, want %q", err, tc.want)
			}
			if got := ReasonOf(mod); got != ReasonNone {
				t.Errorf("ReasonOf = %v, want none", got)
			}
		})
	}
}

func TestCounters_Reset(t *testing.T) {
	c := meteredInstance(t).counters
	if c.GasLeft() != DefaultInitialGas || c.DepthLeft() != DefaultDepthLimit || c.Reason() != ReasonNone {
		t.Fatalf("a new instance has %d gas, %d depth, reason %v; want the initial values", c.GasLeft(), c.DepthLeft(), c.Reason())
	}
	c.reason.Set(uint64(ReasonOutOfGas))
	if err := c.Reset(math.MaxInt64, math.MaxInt32); err != nil {
		t.Fatal(err)
	}
	if c.GasLeft() != math.MaxInt64 || c.DepthLeft() != math.MaxInt32 || c.Reason() != ReasonNone {
		t.Errorf("after Reset: %d gas, %d depth, reason %v", c.GasLeft(), c.DepthLeft(), c.Reason())
	}
}

func TestCounters_Reset_Errors(t *testing.T) {
	c := meteredInstance(t).counters
	tests := []struct {
		name  string
		gas   uint64
		depth uint32
		want  string
	}{
		{"gas", math.MaxInt64 + 1, 10, "gas limit 9223372036854775808 exceeds math.MaxInt64"},
		{"depth", 10, math.MaxInt32 + 1, "depth limit 2147483648 exceeds math.MaxInt32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := c.Reset(500, 5); err != nil {
				t.Fatal(err)
			}
			c.reason.Set(uint64(ReasonDepthExceeded))
			err := c.Reset(tc.gas, tc.depth)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if c.GasLeft() != 500 || c.DepthLeft() != 5 || c.Reason() != ReasonDepthExceeded {
				t.Errorf("a refused Reset changed the counters: %d gas, %d depth, reason %v", c.GasLeft(), c.DepthLeft(), c.Reason())
			}
		})
	}
}

func TestCounters_Charge(t *testing.T) {
	c := meteredInstance(t).counters
	tests := []struct {
		name    string
		left    uint64 // raw counter before (two's complement for negatives)
		amount  uint64
		wantErr bool
		wantRaw int64
	}{
		{"within", 100, 30, false, 70},
		{"all of it", 100, 100, false, 0},
		{"zero", 0, 0, false, 0},
		{"one too many", 100, 101, true, -1},
		{"far too many", 100, 1000, true, -900},
		{"more than MaxInt64", 100, math.MaxUint64, true, -1},
		{"already exhausted", uint64(1<<64 - 5), 1, true, -5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := c.Reset(0, 1); err != nil {
				t.Fatal(err)
			}
			c.gas.Set(tc.left)
			err := c.Charge(tc.amount)
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, ErrOutOfGas)) {
				t.Fatalf("Charge(%d) = %v, want error %v", tc.amount, err, tc.wantErr)
			}
			if raw := int64(c.gas.Get()); raw != tc.wantRaw {
				t.Errorf("counter %d, want %d", raw, tc.wantRaw)
			}
			wantReason := ReasonNone
			if tc.wantErr {
				wantReason = ReasonOutOfGas
			}
			if c.Reason() != wantReason || !errors.Is(c.Err(), wantReason.Err()) {
				t.Errorf("reason %v, want %v", c.Reason(), wantReason)
			}
		})
	}
}

func TestCounters_GasUsed(t *testing.T) {
	c := meteredInstance(t).counters
	tests := []struct {
		limit, left uint64
		want        uint64
	}{
		{1000, 1000, 0},
		{1000, 400, 600},
		{1000, 0, 1000},
		{1000, uint64(1<<64 - 3), 1000}, // ran out: negative counter
		{1000, 5000, 0},                 // more left than the limit (the host set it higher)
	}
	for _, tc := range tests {
		c.gas.Set(tc.left)
		if got := c.GasUsed(tc.limit); got != tc.want {
			t.Errorf("limit %d, counter %d: GasUsed = %d, want %d", tc.limit, int64(tc.left), got, tc.want)
		}
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		r       Reason
		str     string
		err     error
		errText string
	}{
		{ReasonNone, "none", nil, ""},
		{ReasonOutOfGas, "out of gas", ErrOutOfGas, "out of gas"},
		{ReasonDepthExceeded, "call depth exceeded", ErrCallDepthExceeded, "call depth exceeded"},
		{Reason(9), "unknown reason 9", nil, "meter: unknown reason 9"},
	}
	for _, tc := range tests {
		if got := tc.r.String(); got != tc.str {
			t.Errorf("Reason(%d).String() = %q, want %q", uint32(tc.r), got, tc.str)
		}
		err := tc.r.Err()
		if tc.err != nil && !errors.Is(err, tc.err) || tc.errText == "" && err != nil || tc.errText != "" && (err == nil || err.Error() != tc.errText) {
			t.Errorf("Reason(%d).Err() = %v, want %q", uint32(tc.r), err, tc.errText)
		}
	}
}

// TestReasonOf reads the reason straight from the instance after a trap.
func TestReasonOf(t *testing.T) {
	in := meteredInstance(t)
	if got := in.call(t, 10, "sum", 1000); got.err == nil {
		t.Fatal("sum(1000) ran on 10 gas")
	}
	if got := ReasonOf(in.mod); got != ReasonOutOfGas {
		t.Errorf("ReasonOf = %v, want out of gas", got)
	}
	if err := Charge(in.mod, 1); !errors.Is(err, ErrOutOfGas) {
		t.Errorf("Charge after running out = %v, want ErrOutOfGas", err)
	}
}
