package meter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/meter/internal/inject"
	"github.com/medledger/medledger/runtime/meter/internal/wasmbin"
)

// Info describes one instrumentation.
type Info struct {
	// ConfigHash is Config.Hash of the configuration used.
	ConfigHash string
	// Functions is the number of module-defined functions rewritten.
	Functions int
	// ChargePoints counts static gas charges injected, DynamicCharges the size-dependent ones
	// (bulk memory, tables, memory.grow).
	ChargePoints, DynamicCharges int
	// DepthCounted is the number of functions that count call depth (those that call module
	// functions or call_indirect); MaxDepthWeight is the largest weight of one of their frames.
	DepthCounted   int
	MaxDepthWeight uint32
	// InputBytes and OutputBytes are the module sizes before and after.
	InputBytes, OutputBytes int
	// DroppedSections lists custom sections removed because instrumentation invalidates
	// them (DWARF and source maps address code bytes that moved).
	DroppedSections []string
}

// ErrInvalidModule is wrapped by every error Instrument returns for a module it refuses.
var ErrInvalidModule = errors.New("invalid module")

// Instrument returns wasm with gas metering and a call-depth limit injected, as described in
// the package documentation, and what it did. The input is not modified. The result is a
// valid module whenever the input is; it exports GasExport, DepthExport and ReasonExport.
//
// # Errors
//
//   - cfg is invalid (see Config.Validate).
//   - ErrInvalidModule (wrapped, with the cause) when the module is larger than the
//     configured maximum, is not a structurally valid WebAssembly 1.0 binary, uses an
//     instruction outside WebAssembly 2.0 without SIMD (SIMD, threads, tail calls,
//     exceptions), has a function with too many locals, refers to a function, global,
//     type, table, memory, element or data segment it does not have, or already exports
//     one of the names Instrument adds.
func Instrument(wasmBytes []byte, cfg Config) (out []byte, info Info, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, Info{}, fmt.Errorf("meter: %w", err)
	}
	defer func() {
		if r := recover(); r != nil { // a bug, never a property of the input; fuzzing hunts for it
			out, info, err = nil, Info{}, fmt.Errorf("meter: %w: internal error: %v", ErrInvalidModule, r)
		}
	}()
	if len(wasmBytes) > cfg.maxModuleBytes {
		return nil, Info{}, invalid("module is %d bytes, more than the %d allowed", len(wasmBytes), cfg.maxModuleBytes)
	}
	layout, err := wasmbin.Scan(wasmBytes, wasmbin.Limits{
		MaxFunctionLocals: cfg.maxFunctionLocals,
		MaxModuleLocals:   cfg.maxModuleLocals,
	})
	if err != nil {
		return nil, Info{}, invalid("%v", err)
	}
	m, err := wasmbin.Decode(wasmBytes, layout)
	if err != nil {
		return nil, Info{}, invalid("%v", err)
	}
	mod, err := newModuleInfo(m, layout)
	if err != nil {
		return nil, Info{}, invalid("%v", err)
	}
	b := newBuilder(wasmBytes, layout, m, mod, cfg)
	if err := b.rewriteCode(); err != nil {
		return nil, Info{}, invalid("%v", err)
	}
	out = b.encode()
	b.info.InputBytes, b.info.OutputBytes = len(wasmBytes), len(out)
	return out, b.info, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("meter: %w: %s", ErrInvalidModule, fmt.Sprintf(format, args...))
}

// newModuleInfo gathers the index spaces of the original module and checks every module-level
// reference into them, so that the functions, globals and types Instrument appends can never
// turn an invalid reference into a valid one.
func newModuleInfo(m *wasm.Module, l *wasmbin.Layout) (*inject.Module, error) {
	mod := &inject.Module{Types: m.TypeSection, HasDataCount: l.HasDataCount, DataCount: l.DataCount}
	types := uint32(len(m.TypeSection))
	for i, imp := range m.ImportSection {
		switch imp.Type {
		case wasm.ExternTypeFunc:
			if imp.DescFunc >= types {
				return nil, fmt.Errorf("import %d (%s.%s): type index %d out of range (%d types)", i, imp.Module, imp.Name, imp.DescFunc, types)
			}
			mod.FuncTypes = append(mod.FuncTypes, imp.DescFunc)
		case wasm.ExternTypeGlobal:
			mod.Globals++
		case wasm.ExternTypeTable:
			mod.Tables++
		case wasm.ExternTypeMemory:
			mod.Memories++
		}
	}
	mod.ImportedFuncs = uint32(len(mod.FuncTypes))
	for i, t := range m.FunctionSection {
		if t >= types {
			return nil, fmt.Errorf("function %d: type index %d out of range (%d types)", int(mod.ImportedFuncs)+i, t, types)
		}
		mod.FuncTypes = append(mod.FuncTypes, t)
	}
	mod.Globals += uint32(len(m.GlobalSection))
	mod.Tables += uint32(len(m.TableSection))
	if m.MemorySection != nil {
		mod.Memories++
	}
	mod.Elems = uint32(len(m.ElementSection))
	funcs := uint32(len(mod.FuncTypes))

	if l.MaxFuncRef >= int64(funcs) {
		return nil, fmt.Errorf("a constant expression or element segment refers to function %d (the module has %d)", l.MaxFuncRef, funcs)
	}
	if l.MaxGlobalRef >= int64(mod.Globals) {
		return nil, fmt.Errorf("a constant expression refers to global %d (the module has %d)", l.MaxGlobalRef, mod.Globals)
	}
	if l.MaxTableRef >= int64(mod.Tables) {
		return nil, fmt.Errorf("an element segment refers to table %d (the module has %d)", l.MaxTableRef, mod.Tables)
	}
	if m.StartSection != nil && *m.StartSection >= funcs {
		return nil, fmt.Errorf("start function %d out of range (the module has %d)", *m.StartSection, funcs)
	}
	limits := map[wasm.ExternType]uint32{
		wasm.ExternTypeFunc: funcs, wasm.ExternTypeGlobal: mod.Globals,
		wasm.ExternTypeTable: mod.Tables, wasm.ExternTypeMemory: mod.Memories,
	}
	for _, e := range m.ExportSection {
		switch e.Name {
		case GasExport, DepthExport, ReasonExport:
			return nil, fmt.Errorf("export %q is reserved for metering (is the module instrumented already?)", e.Name)
		}
		if e.Index >= limits[e.Type] {
			return nil, fmt.Errorf("export %q: %s index %d out of range (the module has %d)", e.Name, wasm.ExternTypeName(e.Type), e.Index, limits[e.Type])
		}
	}
	return mod, nil
}

// droppedSection reports custom sections that address code bytes, which instrumentation moves.
func droppedSection(name string) bool {
	return strings.HasPrefix(name, ".debug_") || name == "sourceMappingURL" || name == "external_debug_info"
}
