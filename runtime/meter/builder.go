package meter

import (
	"fmt"

	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/meter/internal/inject"
	"github.com/medledger/medledger/runtime/meter/internal/wasmbin"
	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// builder appends the metering globals, helper functions and exports to a module and
// rewrites its code section.
type builder struct {
	src    []byte
	layout *wasmbin.Layout
	m      *wasm.Module
	mod    *inject.Module
	cfg    Config
	costs  inject.Costs
	env    inject.Env
	info   Info

	newTypes []*wasm.FunctionType // appended after the original types
	code     []byte               // the new code section's entries, helpers excluded
}

// Helper functions appended after the module's own, in this order.
const (
	helperOutOfGas      = iota // () -> (): reason = out of gas; unreachable
	helperDepthExceeded        // () -> (): reason = depth exceeded; unreachable
	numHelpers
)

func newBuilder(src []byte, l *wasmbin.Layout, m *wasm.Module, mod *inject.Module, cfg Config) *builder {
	b := &builder{src: src, layout: l, m: m, mod: mod, cfg: cfg}
	b.info.ConfigHash = cfg.Hash()
	t := cfg.costs
	b.costs.Class[wasmcode.ClassPlain] = int64(t.Instruction)
	b.costs.Class[wasmcode.ClassBranch] = int64(t.Branch)
	b.costs.Class[wasmcode.ClassCall] = int64(t.Call)
	b.costs.Class[wasmcode.ClassCallIndirect] = int64(t.CallIndirect)
	b.costs.Class[wasmcode.ClassMemory] = int64(t.Memory)
	b.costs.Class[wasmcode.ClassDivision] = int64(t.Division)
	b.costs.Class[wasmcode.ClassMemoryGrow] = int64(t.MemoryGrow)
	b.costs.Class[wasmcode.ClassBulkMemory] = int64(t.BulkMemory)
	b.costs.Class[wasmcode.ClassBulkTable] = int64(t.BulkTable)
	b.costs.BulkBytes = true
	for t.BulkBytesPerGas>>b.costs.BulkByteShift > 1 {
		b.costs.BulkByteShift++
	}
	b.costs.TableElement = int64(t.TablePerElement)
	b.costs.MemoryPage = int64(t.MemoryGrowPerPage)

	globals := mod.Globals
	funcs := uint32(len(mod.FuncTypes))
	b.env = inject.Env{
		Gas: globals, Depth: globals + 1,
		OutOfGas: funcs + helperOutOfGas, DepthExceeded: funcs + helperDepthExceeded,
		BlockType:         b.blockType,
		SlotsPerDepthUnit: DepthSlotsPerUnit,
	}
	b.addType(nil, nil) // the helpers' type
	return b
}

// addType returns the index of a new type with the signature, reusing an added one.
func (b *builder) addType(params, results []wasm.ValueType) uint32 {
	for i, t := range b.newTypes {
		if t.EqualsSignature(params, results) {
			return uint32(len(b.mod.Types) + i)
		}
	}
	b.newTypes = append(b.newTypes, &wasm.FunctionType{Params: params, Results: results})
	return uint32(len(b.mod.Types) + len(b.newTypes) - 1)
}

// blockType encodes the type of a block that yields results: a single byte for zero or one
// result, else a type index (multi-value).
func (b *builder) blockType(results []wasm.ValueType) []byte {
	switch len(results) {
	case 0:
		return []byte{0x40}
	case 1:
		return []byte{results[0]}
	}
	return wasmcode.AppendS64(nil, int64(b.addType(nil, results)))
}

func (b *builder) rewriteCode() error {
	for i, c := range b.m.CodeSection {
		fn := b.mod.ImportedFuncs + uint32(i)
		res, err := inject.Function(b.mod, &b.env, &b.costs, fn, c.LocalTypes, c.Body)
		if err != nil {
			return fmt.Errorf("function %d: %w", fn, err)
		}
		b.code = wasmbin.AppendCode(b.code, res.Locals, res.Body)
		b.info.Functions++
		b.info.ChargePoints += res.ChargePoints
		b.info.DynamicCharges += res.DynamicCharges
		if res.DepthWeight > 0 {
			b.info.DepthCounted++
			b.info.MaxDepthWeight = max(b.info.MaxDepthWeight, res.DepthWeight)
		}
	}
	return nil
}

// encode splices the new and extended sections into the original module.
func (b *builder) encode() []byte {
	payload := func(id byte) []byte {
		if s := b.layout.Find(id); s != nil {
			return b.src[s.Payload:s.End]
		}
		return nil
	}
	var types, funcs, globals, exports, code []byte
	for _, t := range b.newTypes {
		types = append(types, 0x60)
		types = wasmcode.AppendU32(types, uint32(len(t.Params)))
		types = append(types, t.Params...)
		types = wasmcode.AppendU32(types, uint32(len(t.Results)))
		types = append(types, t.Results...)
	}
	helperType := uint32(len(b.mod.Types))
	for i := 0; i < numHelpers; i++ {
		funcs = wasmcode.AppendU32(funcs, helperType)
	}
	globals = appendGlobal(globals, wasm.ValueTypeI64, 0x42, int64(b.cfg.initialGas))
	globals = appendGlobal(globals, wasm.ValueTypeI32, 0x41, int64(b.cfg.initialDepth))
	globals = appendGlobal(globals, wasm.ValueTypeI32, 0x41, int64(ReasonNone))
	for i, name := range []string{GasExport, DepthExport, ReasonExport} {
		exports = wasmcode.AppendU32(exports, uint32(len(name)))
		exports = append(exports, name...)
		exports = append(exports, wasm.ExternTypeGlobal)
		exports = wasmcode.AppendU32(exports, b.env.Gas+uint32(i))
	}
	code = append(code, b.code...)
	for _, body := range b.helperBodies() {
		code = wasmbin.AppendCode(code, nil, body)
	}

	payloads := map[byte][]byte{
		wasmbin.SectionType:     wasmbin.ExtendVector(payload(wasmbin.SectionType), len(b.newTypes), types),
		wasmbin.SectionFunction: wasmbin.ExtendVector(payload(wasmbin.SectionFunction), numHelpers, funcs),
		wasmbin.SectionGlobal:   wasmbin.ExtendVector(payload(wasmbin.SectionGlobal), 3, globals),
		wasmbin.SectionExport:   wasmbin.ExtendVector(payload(wasmbin.SectionExport), 3, exports),
		wasmbin.SectionCode:     append(wasmcode.AppendU32(nil, uint32(len(b.m.CodeSection)+numHelpers)), code...),
	}
	return wasmbin.Splice(b.src, b.layout, payloads, func(name string) bool {
		if droppedSection(name) {
			b.info.DroppedSections = append(b.info.DroppedSections, name)
			return false
		}
		return true
	})
}

func appendGlobal(dst []byte, t wasm.ValueType, constOp byte, v int64) []byte {
	dst = append(dst, t, 1, constOp) // mutable
	dst = wasmcode.AppendS64(dst, v)
	return append(dst, 0x0b)
}

// helperBodies returns the bodies of the helper functions, in helper order.
func (b *builder) helperBodies() [][]byte {
	setReason := func(r Reason) []byte { // i32.const r; global.set reason
		out := wasmcode.AppendS64([]byte{0x41}, int64(r))
		return wasmcode.AppendU32(append(out, 0x24), b.env.Gas+2)
	}
	return [][]byte{
		append(setReason(ReasonOutOfGas), 0x00, 0x0b), // ...; unreachable; end
		append(setReason(ReasonDepthExceeded), 0x00, 0x0b),
	}
}
