package rewrite_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/leb128"
	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/engine/internal/rewrite"
)

func decode(t *testing.T, b []byte) *wasm.Module {
	t.Helper()
	m, err := binary.DecodeModule(b, wasm.CoreFeaturesV2)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// module builds a minimal module: memory (min 1, max as given), one mutable and one immutable global, an export,
// and the given data segments.
func module(max *uint32, data ...*wasm.DataSegment) []byte {
	mem := &wasm.Memory{Min: 1}
	if max != nil {
		mem.Max, mem.IsMaxEncoded = *max, true
	}
	return binary.EncodeModule(&wasm.Module{
		MemorySection: mem,
		GlobalSection: []*wasm.Global{
			{Type: &wasm.GlobalType{ValType: wasm.ValueTypeI32, Mutable: true}, Init: i32(0)},
			{Type: &wasm.GlobalType{ValType: wasm.ValueTypeI32}, Init: i32(0)},
			{Type: &wasm.GlobalType{ValType: wasm.ValueTypeI64, Mutable: true}, Init: &wasm.ConstantExpression{Opcode: wasm.OpcodeI64Const, Data: leb128.EncodeInt64(0)}},
		},
		ExportSection: []*wasm.Export{{Type: wasm.ExternTypeMemory, Name: "memory"}},
		DataSection:   data,
	})
}

func i32(v int32) *wasm.ConstantExpression {
	return &wasm.ConstantExpression{Opcode: wasm.OpcodeI32Const, Data: leb128.EncodeInt32(v)}
}

func TestRewrite(t *testing.T) {
	ten := uint32(10)
	tests := []struct {
		name    string
		max     *uint32
		pages   uint32
		wantMax uint32
	}{
		{"no declared max gets the limit", nil, 5, 5},
		{"declared max above the limit is lowered", &ten, 5, 5},
		{"declared max below the limit is kept", &ten, 50, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := module(tt.max, &wasm.DataSegment{OffsetExpression: i32(16), Init: []byte("hello")},
				&wasm.DataSegment{Init: []byte("passive")})
			res, err := rewrite.Rewrite(orig, decode(t, orig), tt.pages)
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, res.Wasm)
			if !m.MemorySection.IsMaxEncoded || m.MemorySection.Max != tt.wantMax {
				t.Errorf("memory max = %d (encoded %v), want %d", m.MemorySection.Max, m.MemorySection.IsMaxEncoded, tt.wantMax)
			}
			if strings.Join(res.Globals, ",") != "medledger_snapshot_g0,medledger_snapshot_g2" {
				t.Errorf("globals = %v", res.Globals)
			}
			if n := len(m.ExportSection); n != 3 || m.ExportSection[2].Type != wasm.ExternTypeGlobal || m.ExportSection[2].Index != 2 {
				t.Errorf("exports = %+v", m.ExportSection)
			}
			if len(m.DataSection) != 2 || len(m.DataSection[0].Init) != 0 || string(m.DataSection[1].Init) != "passive" {
				t.Errorf("data = %+v, want the active segment emptied, the passive one kept", m.DataSection)
			}
			if len(res.InitMemory) != 65536 || string(res.InitMemory[16:21]) != "hello" {
				t.Errorf("init memory = %d bytes, %q at 16", len(res.InitMemory), res.InitMemory[16:21])
			}
		})
	}
}

func TestRewrite_Errors(t *testing.T) {
	tests := []struct {
		name   string
		wasm   []byte
		errSub string
	}{
		{"segment past the initial memory", module(nil, &wasm.DataSegment{OffsetExpression: i32(65534), Init: []byte("xyz")}),
			"data segment 0 (3 bytes at 65534) is outside the initial memory (65536 bytes)"},
		{"non-constant offset", module(nil, &wasm.DataSegment{OffsetExpression: &wasm.ConstantExpression{Opcode: wasm.OpcodeGlobalGet, Data: []byte{0}}, Init: []byte("x")}),
			"data segment 0: offset is not an i32.const"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rewrite.Rewrite(tt.wasm, decode(t, tt.wasm), 4)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("err = %v, want %q", err, tt.errSub)
			}
		})
	}
}

// TestRewrite_WatModules rewrites the engine's test modules: other sections are copied verbatim, so they decode.
func TestRewrite_WatModules(t *testing.T) {
	for _, f := range []string{"ok", "grow", "dirty"} {
		orig, err := os.ReadFile("../../testdata/wat/" + f + ".wasm")
		if err != nil {
			t.Fatal(err)
		}
		res, err := rewrite.Rewrite(orig, decode(t, orig), 3)
		if err != nil {
			t.Fatal(err)
		}
		if m := decode(t, res.Wasm); m.MemorySection.Max != 3 {
			t.Errorf("%s: max = %d", f, m.MemorySection.Max)
		}
	}
}
