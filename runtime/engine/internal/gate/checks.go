package gate

import (
	"sort"
	"strings"

	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/abi"
)

// AllowedImports describes the allowlist for error messages.
func AllowedImports() string {
	names := make([]string, 0, len(abi.WASIFunctions))
	for n := range abi.WASIFunctions {
		names = append(names, n)
	}
	sort.Strings(names)
	return abi.ModuleName + ".* (ABI.md §3), " + abi.WASIModuleName + ".{" + strings.Join(names, ",") + "}"
}

func checkImports(m *wasm.Module, info *Info) error {
	for _, im := range m.ImportSection {
		name := im.Module + "." + im.Name
		if im.Type != wasm.ExternTypeFunc {
			return fail(ForbiddenImport, "import %s is a %s; only functions may be imported (allowed: %s)",
				name, wasm.ExternTypeName(im.Type), AllowedImports())
		}
		var sig abi.Signature
		var ok bool
		switch im.Module {
		case abi.ModuleName:
			sig, ok = abi.HostFunctions[im.Name]
		case abi.WASIModuleName:
			sig, ok = abi.WASIFunctions[im.Name]
		}
		if !ok {
			return fail(ForbiddenImport, "import %s is not allowed (allowed: %s)", name, AllowedImports())
		}
		ft := typeAt(m, im.DescFunc)
		if !sameSig(ft, sig) {
			got := "unknown type"
			if ft != nil {
				got = sigString(ft.Params, ft.Results)
			}
			return fail(ForbiddenImport, "import %s has type %s, want %s", name, got, abiSigString(sig))
		}
		info.Imports = append(info.Imports, name)
	}
	return nil
}

func checkMemory(m *wasm.Module, opt Options, info *Info) error {
	if m.MemorySection == nil {
		return fail(Memory, "module defines no memory; it must define and export %q", abi.ExportMemory)
	}
	mem := m.MemorySection
	if err := checkInitialPages(mem.Min, opt); err != nil {
		return err
	}
	info.MemoryMinPages = mem.Min
	if mem.IsMaxEncoded {
		info.MemoryMaxPages = mem.Max
	}
	return nil
}

func checkExports(m *wasm.Module, info *Info) error {
	var haveMemory, haveInvoke bool
	for _, ex := range m.ExportSection {
		info.Exports = append(info.Exports, ex.Name)
		switch {
		case ex.Name == abi.ExportMemory:
			if ex.Type != wasm.ExternTypeMemory {
				return fail(MissingExport, "export %q is a %s, want the memory", ex.Name, wasm.ExternTypeName(ex.Type))
			}
			haveMemory = true
		case ex.Name == abi.ExportInvoke:
			if err := wantFunc(m, ex, nil, []byte{wasm.ValueTypeI32}); err != nil {
				return err
			}
			haveInvoke = true
		case ex.Name == abi.ExportInitialize:
			if err := wantFunc(m, ex, nil, nil); err != nil {
				return err
			}
			info.HasInitialize = true
		case ex.Name == abi.ExportStart:
			return fail(StartFunction, "module exports %q (a WASI command); contracts are reactors (Go: -buildmode=c-shared)", ex.Name)
		case strings.HasPrefix(ex.Name, "medledger_abi_v"):
			if ex.Name != abi.ExportMarkerV1 {
				return fail(ABIVersion, "module declares ABI %q; this host supports %q", ex.Name, abi.ExportMarkerV1)
			}
			if err := wantFunc(m, ex, nil, nil); err != nil {
				return err
			}
			info.ABIVersion = abi.Version
		case strings.HasPrefix(ex.Name, ReservedExportPrefix):
			return fail(Reserved, "export %q uses the prefix %q reserved for the host", ex.Name, ReservedExportPrefix)
		}
	}
	switch {
	case info.ABIVersion == 0:
		return fail(ABIVersion, "module has no ABI marker export %q", abi.ExportMarkerV1)
	case !haveMemory:
		return fail(MissingExport, "module does not export its memory as %q", abi.ExportMemory)
	case !haveInvoke:
		return fail(MissingExport, "module does not export %q (func () -> i32)", abi.ExportInvoke)
	}
	return nil
}

func wantFunc(m *wasm.Module, ex *wasm.Export, params, results []byte) error {
	if ex.Type != wasm.ExternTypeFunc {
		return fail(MissingExport, "export %q is a %s, want a function %s", ex.Name, wasm.ExternTypeName(ex.Type), sigString(params, results))
	}
	ft := funcType(m, ex.Index)
	if ft == nil {
		return fail(Malformed, "export %q names function %d, which does not exist", ex.Name, ex.Index)
	}
	if !ft.EqualsSignature(params, results) {
		return fail(MissingExport, "export %q has type %s, want %s", ex.Name, sigString(ft.Params, ft.Results), sigString(params, results))
	}
	return nil
}

func checkInitialPages(min uint32, opt Options) error {
	if min > opt.MemoryPages {
		return fail(Memory, "memory declares %d initial pages (%d KiB), limit %d pages", min, min*64, opt.MemoryPages)
	}
	return nil
}

// Recheck applies the checks of Check that depend on opt to the Info of a module that passed Check before,
// possibly with other options: the engine keeps Info with its compiled module and rechecks it on a cache hit
// instead of decoding the module again.
//
// # Errors
//
// *Error (TooBig, Memory) as Check would report.
func Recheck(info Info, opt Options) error {
	if info.Size > opt.MaxModuleBytes {
		return fail(TooBig, "module is %d bytes, limit %d", info.Size, opt.MaxModuleBytes)
	}
	return checkInitialPages(info.MemoryMinPages, opt)
}
