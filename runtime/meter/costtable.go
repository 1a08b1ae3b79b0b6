package meter

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
)

// MaxCost bounds every entry of a CostTable. With it no charge the instrumented code computes
// can overflow the signed 64-bit gas counter: a per-byte or per-element count is below 2^32,
// so a dynamic charge stays below 2^52.
const MaxCost = 1 << 20

// CostTable prices guest execution in gas units. One unit is about one simple instruction.
// The table is data: hosts pick a table per network, and its Hash is part of the compiled
// module cache key (through Config.Hash), so changing a price never reuses stale code.
//
// Every cost must be at most MaxCost. BulkBytesPerGas must be a power of two (the charge is a
// shift, not a division, because Go guests run memory.copy for almost every memmove) and
// HostBytesPerGas must be at least 1.
type CostTable struct {
	// Version is a label for humans and logs; the hash covers every field, so two tables
	// with the same label but different prices still hash differently.
	Version uint32

	// Instruction is the cost of constants, locals, globals, arithmetic, comparisons,
	// conversions, drop, select, reference and table element instructions, memory.size,
	// data.drop, elem.drop and unreachable. nop, block, loop, else and end are free.
	Instruction uint32
	// Branch is the cost of br, br_if, br_table, if and return.
	Branch uint32
	// Call is the cost of call, on top of what the callee's own instructions cost.
	Call uint32
	// CallIndirect is the cost of call_indirect.
	CallIndirect uint32
	// Memory is the cost of every load and store.
	Memory uint32
	// Division is the cost of integer division and remainder, float division and square root.
	Division uint32

	// MemoryGrow is the fixed cost of memory.grow; MemoryGrowPerPage is added for every
	// 64 KiB page requested, whether or not the grow succeeds.
	MemoryGrow        uint32
	MemoryGrowPerPage uint32
	// BulkMemory is the fixed cost of memory.copy, memory.fill and memory.init;
	// ceil(n / BulkBytesPerGas) is added for n bytes, before the operation runs.
	BulkMemory      uint32
	BulkBytesPerGas uint32
	// BulkTable is the fixed cost of table.copy, table.fill, table.init and table.grow;
	// TablePerElement is added per element.
	BulkTable       uint32
	TablePerElement uint32

	// HostCall and HostBytesPerGas price host functions, which charge through Charge:
	// HostCost(n) = HostCall + ceil(n / HostBytesPerGas) for n bytes moved.
	HostCall        uint32
	HostBytesPerGas uint32
}

// CostTableV1 is the default cost table. The ratios come from wazero's compiler on amd64
// (see ABI-gas.md): one gas unit is roughly one nanosecond of straight-line guest code.
var CostTableV1 = CostTable{
	Version:           1,
	Instruction:       1,
	Branch:            1,
	Call:              4,
	CallIndirect:      6,
	Memory:            1,
	Division:          4,
	MemoryGrow:        100,
	MemoryGrowPerPage: 65536,
	BulkMemory:        16,
	BulkBytesPerGas:   16,
	BulkTable:         16,
	TablePerElement:   1,
	HostCall:          1000,
	HostBytesPerGas:   1,
}

// Validate reports whether every cost is within bounds.
//
// # Errors
//
//   - a cost above MaxCost, naming the field.
//   - BulkBytesPerGas that is not a power of two, or HostBytesPerGas of 0.
func (t CostTable) Validate() error {
	for _, f := range t.fields() {
		if f.name != "Version" && f.value > MaxCost {
			return fmt.Errorf("cost table: %s = %d exceeds MaxCost (%d)", f.name, f.value, MaxCost)
		}
	}
	if t.BulkBytesPerGas == 0 || bits.OnesCount32(t.BulkBytesPerGas) != 1 {
		return fmt.Errorf("cost table: BulkBytesPerGas = %d must be a power of two", t.BulkBytesPerGas)
	}
	if t.HostBytesPerGas == 0 {
		return fmt.Errorf("cost table: HostBytesPerGas must be at least 1")
	}
	return nil
}

// HostCost is what a host function that moves n bytes charges: HostCall + ceil(n / HostBytesPerGas).
// A negative n counts as 0.
func (t CostTable) HostCost(n int) uint64 {
	per := uint64(max(t.HostBytesPerGas, 1))
	return uint64(t.HostCall) + (uint64(max(n, 0))+per-1)/per
}

// Hash returns the hex SHA-256 of the table's canonical encoding: a domain string and every
// field, in declaration order, as little-endian uint32.
func (t CostTable) Hash() string {
	sum := sha256.Sum256(t.canonical())
	return hex.EncodeToString(sum[:])
}

func (t CostTable) canonical() []byte {
	b := []byte("medledger/meter cost table\x00")
	for _, f := range t.fields() {
		b = binary.LittleEndian.AppendUint32(b, f.value)
	}
	return b
}

type field struct {
	name  string
	value uint32
}

// fields lists the table in declaration order; the order is part of the hash.
func (t CostTable) fields() []field {
	return []field{
		{"Version", t.Version}, {"Instruction", t.Instruction}, {"Branch", t.Branch},
		{"Call", t.Call}, {"CallIndirect", t.CallIndirect}, {"Memory", t.Memory},
		{"Division", t.Division}, {"MemoryGrow", t.MemoryGrow},
		{"MemoryGrowPerPage", t.MemoryGrowPerPage}, {"BulkMemory", t.BulkMemory},
		{"BulkBytesPerGas", t.BulkBytesPerGas}, {"BulkTable", t.BulkTable},
		{"TablePerElement", t.TablePerElement}, {"HostCall", t.HostCall},
		{"HostBytesPerGas", t.HostBytesPerGas},
	}
}
