// Package rewrite is the engine's deploy-time module rewrite: it exports every mutable global (so Snapshot
// isolation can save and restore them through wazero's api.MutableGlobal), sets the memory's declared maximum
// to the contract's page limit (so one wazero runtime enforces a different memory limit per contract), and moves
// the bytes of active data segments out of the module into an initial-memory image the engine copies in itself.
//
// Why the data move: a Go module has tens of thousands of data segments, which wazero applies one by one on every
// instantiation (~20 ms for a 3 MB module). Snapshot instances overwrite that memory anyway, and the others get it
// from the image with one copy. The segments stay in place with empty contents, so segment indices, counts and the
// spec's drop-after-instantiation behaviour of memory.init on active segments are unchanged.
//
// Only the memory, export and data sections are re-encoded; every other section is copied byte for byte, so the rewrite
// costs one copy of the module and cannot disturb code, data or sections the decoder does not model (DataCount).
package rewrite

import (
	"bytes"
	"fmt"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/leb128"
	"github.com/tetratelabs/wabin/wasm"
)

// Version names this rewrite; it is part of the compile cache key, so changing the rewrite never reuses stale code.
const Version = "rewrite/v2"

// GlobalExportPrefix prefixes the export name of each mutable global: "medledger_snapshot_g<index>".
const GlobalExportPrefix = "medledger_snapshot_g"

// Result is a rewritten module.
type Result struct {
	// Wasm is the module to compile.
	Wasm []byte
	// Globals are the export names of the module's mutable globals, in global index order.
	Globals []string
	// InitMemory is the memory's initial content (its declared initial pages) with every active data segment
	// applied: what wazero would have written at instantiation.
	InitMemory []byte
}

// pageSize is the WebAssembly page size.
const pageSize = 65536

// Rewrite returns orig with its mutable globals exported and its memory maximum set to min(declared, pages). m is
// orig decoded (by the gate), which must have a memory and an export section; m is modified.
//
// # Errors
//
// An error when orig's sections cannot be walked (the gate rejects such modules first).
func Rewrite(orig []byte, m *wasm.Module, memoryPages uint32) (Result, error) {
	var res Result
	imported := m.ImportGlobalCount()
	for i, g := range m.GlobalSection {
		if !g.Type.Mutable {
			continue
		}
		idx := imported + uint32(i)
		name := fmt.Sprintf("%s%d", GlobalExportPrefix, idx)
		m.ExportSection = append(m.ExportSection, &wasm.Export{Type: wasm.ExternTypeGlobal, Name: name, Index: idx})
		res.Globals = append(res.Globals, name)
	}
	mem := m.MemorySection
	if mem == nil || len(m.ExportSection) == 0 {
		return res, fmt.Errorf("rewrite: module has no memory or no exports")
	}
	if !mem.IsMaxEncoded || mem.Max > memoryPages {
		mem.Max, mem.IsMaxEncoded = memoryPages, true
	}
	init, err := moveData(m, mem.Min)
	if err != nil {
		return res, err
	}
	res.InitMemory = init
	// Encode just these sections by encoding a module that has nothing else.
	part := binary.EncodeModule(&wasm.Module{MemorySection: mem, ExportSection: m.ExportSection, DataSection: m.DataSection})
	replaced := map[byte][]byte{}
	if err := walk(part, func(id byte, raw []byte) { replaced[id] = raw }); err != nil {
		return res, err
	}
	out := make([]byte, 0, len(orig)+len(replaced[wasm.SectionIDExport]))
	out = append(out, orig[:8]...)
	err = walk(orig, func(id byte, raw []byte) {
		if r, ok := replaced[id]; ok && id != wasm.SectionIDCustom {
			raw = r
		}
		out = append(out, raw...)
	})
	res.Wasm = out
	return res, err
}

// walk calls fn with each section's id and raw bytes (header included).
func walk(b []byte, fn func(id byte, raw []byte)) error {
	r := bytes.NewReader(b[8:])
	for r.Len() > 0 {
		start := len(b) - r.Len()
		id, _ := r.ReadByte()
		size, _, err := leb128.DecodeUint32(r)
		if err != nil || int64(size) > int64(r.Len()) {
			return fmt.Errorf("rewrite: section at offset %d is malformed", start)
		}
		end := len(b) - r.Len() + int(size)
		fn(id, b[start:end])
		_, _ = r.Seek(int64(size), 1)
	}
	return nil
}

// moveData applies every active data segment to a zeroed memory of minPages and empties the segment.
func moveData(m *wasm.Module, minPages uint32) ([]byte, error) {
	init := make([]byte, int(minPages)*pageSize)
	for i, d := range m.DataSection {
		if d.OffsetExpression == nil { // passive: used by memory.init at run time, left alone
			continue
		}
		if d.OffsetExpression.Opcode != wasm.OpcodeI32Const {
			return nil, fmt.Errorf("rewrite: data segment %d: offset is not an i32.const", i)
		}
		off, _, err := leb128.DecodeInt32(bytes.NewReader(d.OffsetExpression.Data))
		if err != nil {
			return nil, fmt.Errorf("rewrite: data segment %d: offset: %w", i, err)
		}
		if end := int64(uint32(off)) + int64(len(d.Init)); end > int64(len(init)) {
			return nil, fmt.Errorf("rewrite: data segment %d (%d bytes at %d) is outside the initial memory (%d bytes)",
				i, len(d.Init), uint32(off), len(init))
		}
		copy(init[uint32(off):], d.Init)
		d.Init = nil
	}
	return init, nil
}
