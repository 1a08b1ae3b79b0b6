package meter

import (
	"math"
	"strings"
	"testing"
)

// TestConfig_With: every With method returns a changed copy and leaves the receiver alone.
func TestConfig_With(t *testing.T) {
	base := NewConfig()
	cheap := CostTableV1
	cheap.Call = 1
	tests := []struct {
		name   string
		change func(Config) Config
		check  func(Config) bool
	}{
		{"cost table", func(c Config) Config { return c.WithCostTable(cheap) }, func(c Config) bool { return c.CostTable() == cheap }},
		{"initial gas", func(c Config) Config { return c.WithInitialGas(7) }, func(c Config) bool { return c.initialGas == 7 }},
		{"initial depth", func(c Config) Config { return c.WithInitialDepth(9) }, func(c Config) bool { return c.initialDepth == 9 }},
		{"max module bytes", func(c Config) Config { return c.WithMaxModuleBytes(10) }, func(c Config) bool { return c.maxModuleBytes == 10 }},
		{"max locals", func(c Config) Config { return c.WithMaxFunctionLocals(3) }, func(c Config) bool { return c.maxFunctionLocals == 3 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			changed := tc.change(base)
			if !tc.check(changed) {
				t.Error("the copy does not carry the change")
			}
			if tc.check(base) || base != NewConfig() {
				t.Error("the receiver changed")
			}
		})
	}
	if base.CostTable() != CostTableV1 || base.initialGas != DefaultInitialGas || base.initialDepth != DefaultDepthLimit {
		t.Errorf("NewConfig() = %+v does not hold the documented defaults", base)
	}
}

func TestConfig_Validate_Errors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"cost table", NewConfig().WithCostTable(CostTable{}), "BulkBytesPerGas = 0"},
		{"initial gas", NewConfig().WithInitialGas(math.MaxInt64 + 1), "initial gas 9223372036854775808 exceeds math.MaxInt64"},
		{"initial depth", NewConfig().WithInitialDepth(math.MaxInt32 + 1), "initial depth 2147483648 exceeds math.MaxInt32"},
		{"module bytes", NewConfig().WithMaxModuleBytes(0), "max module bytes must be positive"},
	}
	if err := NewConfig().Validate(); err != nil {
		t.Fatalf("NewConfig: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestConfig_Hash: what decides the instrumented bytes changes the hash; acceptance limits
// do not. The default hash is pinned like the cost table's.
func TestConfig_Hash(t *testing.T) {
	const pinned = "2a04ef062da08cdd7cb45e3e36ef558760f13b58c64de22a2528bf82e355ab65"
	base := NewConfig()
	if base.Hash() != pinned {
		t.Errorf("NewConfig().Hash() = %s, pinned %s", base.Hash(), pinned)
	}
	cheap := CostTableV1
	cheap.Instruction = 2
	for name, c := range map[string]Config{
		"cost table":    base.WithCostTable(cheap),
		"initial gas":   base.WithInitialGas(1),
		"initial depth": base.WithInitialDepth(1),
	} {
		if c.Hash() == base.Hash() {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}
	for name, c := range map[string]Config{
		"max module bytes": base.WithMaxModuleBytes(1),
		"max locals":       base.WithMaxFunctionLocals(1),
	} {
		if c.Hash() != base.Hash() {
			t.Errorf("changing the %s changes the hash", name)
		}
	}
}
