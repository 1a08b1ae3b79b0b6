package inject

import (
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// costs prices every instruction 1 except structure (0) and calls (4).
func testCosts() *Costs {
	c := &Costs{BulkBytes: true, BulkByteShift: 4, TableElement: 1, MemoryPage: 10}
	for i := range c.Class {
		c.Class[i] = 1
	}
	c.Class[wasmcode.ClassFree], c.Class[wasmcode.ClassCall] = 0, 4
	return c
}

// testModule has one type (i32) -> () and two functions of it: an import and a defined one.
func testModule() *Module {
	return &Module{
		Types:     []*wasm.FunctionType{{Params: []wasm.ValueType{wasm.ValueTypeI32}}},
		FuncTypes: []uint32{0, 0}, ImportedFuncs: 1, Memories: 1,
	}
}

// TestAnalyse pins where basic blocks start and what each costs.
func TestAnalyse(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		segs    []int64
		nonLeaf bool
	}{
		{"straight line", []byte{0x41, 1, 0x1a, 0x0b}, []int64{2}, false},
		// block; loop; local.get 0; br_if 1 (exits the loop: no new block); local.get 0; drop;
		// br 0; end; end; end: one charge of 5 per iteration, nothing at entry.
		{"while loop", []byte{0x02, 0x40, 0x03, 0x40, 0x20, 0, 0x0d, 1, 0x20, 0, 0x1a, 0x0c, 0, 0x0b, 0x0b, 0x0b},
			[]int64{0, 5}, false},
		// loop; local.get 0; br_if 0 (stays in the loop: new block); end; i32.const 0; drop; end:
		// the code after the loop is charged at entry, with nothing escaping the loop.
		{"do-while loop", []byte{0x03, 0x40, 0x20, 0, 0x0d, 0, 0x0b, 0x41, 0, 0x1a, 0x0b},
			[]int64{2, 2, 0}, false},
		// block; local.get 0; if; br 1; else; nop; end; i32.const 0; drop; end; end: the then arm
		// leaves the if early, so the code after the if is a block of its own.
		{"if with an escape", []byte{0x02, 0x40, 0x20, 0, 0x04, 0x40, 0x0c, 1, 0x05, 0x01, 0x0b, 0x41, 0, 0x1a, 0x0b, 0x0b},
			[]int64{2, 1, 0, 2}, false},
		// local.get 0; if; i32.const 1; drop; end; i32.const 2; drop; end: no escape, so the code
		// after the if is paid with the code before it.
		{"if without an escape", []byte{0x20, 0, 0x04, 0x40, 0x41, 1, 0x1a, 0x0b, 0x41, 2, 0x1a, 0x0b},
			[]int64{4, 2}, false},
		// local.get 0; call 0 (import: a leaf still); local.get 0; call 1 (module function); end
		{"calls", []byte{0x20, 0, 0x10, 0, 0x20, 0, 0x10, 1, 0x0b}, []int64{10}, true},
		// unreachable code after return is not charged
		{"dead code", []byte{0x0f, 0x41, 1, 0x1a, 0x0b}, []int64{1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testModule()
			p, err := analyse(m, testCosts(), m.Types[0], 0, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.segs, tc.segs) || p.nonLeaf != tc.nonLeaf {
				t.Errorf("segments %v, non-leaf %v; want %v, %v", p.segs, p.nonLeaf, tc.segs, tc.nonLeaf)
			}
		})
	}
}

func TestAnalyse_Errors(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"no end", []byte{0x01}, "unexpected end"},
		{"bytes after end", []byte{0x0b, 0x01}, "1 bytes after the function's final end"},
		{"else without if", []byte{0x02, 0x40, 0x05, 0x0b, 0x0b}, "else without if"},
		{"branch too deep", []byte{0x0c, 1, 0x0b}, "branch depth 1 exceeds the 1 enclosing blocks"},
		{"br_table too deep", []byte{0x41, 0, 0x0e, 1, 0, 5, 0x0b}, "branch depth 5 exceeds"},
		{"local", []byte{0x20, 1, 0x1a, 0x0b}, "local index 1 out of range (the module has 1)"},
		{"global", []byte{0x23, 0, 0x1a, 0x0b}, "global index 0 out of range"},
		{"function", []byte{0x10, 2, 0x0b}, "function index 2 out of range"},
		{"table", []byte{0x41, 0, 0x25, 0, 0x1a, 0x0b}, "table index 0 out of range"},
		{"data without data count", []byte{0xfc, 9, 0, 0x0b}, "requires a data count section"},
		{"block type", []byte{0x02, 0x07, 0x0b, 0x0b}, "type index 7 out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testModule()
			_, err := analyse(m, testCosts(), m.Types[0], 0, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
