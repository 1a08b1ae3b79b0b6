package meter

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestCostTable_Validate(t *testing.T) {
	if err := CostTableV1.Validate(); err != nil {
		t.Fatal(err)
	}
	max := CostTableV1
	v := reflect.ValueOf(&max).Elem()
	for i := 0; i < v.NumField(); i++ {
		if name := v.Type().Field(i).Name; name != "BulkBytesPerGas" {
			v.Field(i).SetUint(MaxCost)
		}
	}
	if err := max.Validate(); err != nil {
		t.Errorf("every cost at MaxCost: %v", err)
	}
}

func TestCostTable_Validate_Errors(t *testing.T) {
	with := func(f func(*CostTable)) CostTable { c := CostTableV1; f(&c); return c }
	tests := []struct {
		name  string
		table CostTable
		want  string
	}{
		{"instruction too high", with(func(c *CostTable) { c.Instruction = MaxCost + 1 }), "Instruction = 1048577 exceeds MaxCost"},
		{"per page too high", with(func(c *CostTable) { c.MemoryGrowPerPage = math.MaxUint32 }), "MemoryGrowPerPage"},
		{"host call too high", with(func(c *CostTable) { c.HostCall = MaxCost + 1 }), "HostCall"},
		{"bulk bytes zero", with(func(c *CostTable) { c.BulkBytesPerGas = 0 }), "BulkBytesPerGas = 0 must be a power of two"},
		{"bulk bytes not a power of two", with(func(c *CostTable) { c.BulkBytesPerGas = 24 }), "BulkBytesPerGas = 24"},
		{"host bytes zero", with(func(c *CostTable) { c.HostBytesPerGas = 0 }), "HostBytesPerGas must be at least 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.table.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCostTable_Hash pins the hash of CostTableV1 (changing a default price must be a
// deliberate act that updates this test and ABI-gas.md) and checks every field counts.
func TestCostTable_Hash(t *testing.T) {
	const v1 = "37567d6866a64b24698a93a68f26e443a1f53b5276f58389697487df23253b5f"
	if got := CostTableV1.Hash(); got != v1 {
		t.Errorf("CostTableV1.Hash() = %s, pinned %s", got, v1)
	}
	seen := map[string]string{CostTableV1.Hash(): "V1"}
	v := reflect.ValueOf(CostTableV1)
	for i := 0; i < v.NumField(); i++ {
		c := CostTableV1
		f := reflect.ValueOf(&c).Elem().Field(i)
		f.SetUint(f.Uint() + 1)
		name := v.Type().Field(i).Name
		h := c.Hash()
		if other, dup := seen[h]; dup {
			t.Errorf("changing %s gives the hash of %s", name, other)
		}
		seen[h] = name
	}
	if a, b := CostTableV1.Hash(), CostTableV1.Hash(); a != b {
		t.Errorf("hash is not stable: %s then %s", a, b)
	}
}

func TestCostTable_HostCost(t *testing.T) {
	tests := []struct {
		perGas uint32
		n      int
		want   uint64
	}{
		{1, 0, 1000},
		{1, 10, 1010},
		{1, -5, 1000},
		{16, 1, 1001},
		{16, 16, 1001},
		{16, 17, 1002},
		{3, 1 << 30, 1000 + (1<<30+2)/3},
	}
	for _, tc := range tests {
		c := CostTableV1
		c.HostBytesPerGas = tc.perGas
		if got := c.HostCost(tc.n); got != tc.want {
			t.Errorf("HostCost(%d) with %d bytes per gas = %d, want %d", tc.n, tc.perGas, got, tc.want)
		}
	}
}
