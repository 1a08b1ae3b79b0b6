// Package gate is the deploy-time validation of contract modules (ABI.md §2, §6, §7): the one check the operator,
// the CLI and every peer run before a module is accepted.
package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/abi"
)

// Reasons; the engine maps them 1:1 onto engine.ValidationReason.
const (
	NotWasm         = "NotWasm"
	Malformed       = "Malformed"
	TooBig          = "TooBig"
	ForbiddenImport = "ForbiddenImport"
	MissingExport   = "MissingExport"
	ABIVersion      = "ABIVersion"
	Threads         = "Threads"
	Memory          = "Memory"
	StartFunction   = "StartFunction"
	Reserved        = "Reserved"
)

// ReservedExportPrefix is the export-name prefix the host keeps for itself (snapshot globals, gas counters); a
// guest may use it only for the ABI marker.
const ReservedExportPrefix = "medledger_"

// Features are the WebAssembly features a module may use (decode side; wazero enforces the same at compile).
const Features = wasm.CoreFeaturesV2

// Error is a rejected module: Reason is one of the constants above, Msg names the offending item.
type Error struct {
	Reason string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

func fail(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Msg: fmt.Sprintf(format, args...)}
}

// Options are the bounds the gate checks against.
type Options struct {
	MaxModuleBytes int
	MemoryPages    uint32
}

// Info is what the gate learned; the engine copies it into engine.ModuleInfo.
type Info struct {
	SHA256         string
	Size           int
	ABIVersion     int
	Imports        []string
	Exports        []string
	MemoryMinPages uint32
	MemoryMaxPages uint32
	HasInitialize  bool
	Functions      int
	MutableGlobals int
}

// Check validates wasm and returns its Info and the decoded module (for the deploy-time rewrite).
//
// # Errors
//
// *Error for every rejection; see the reason constants.
func Check(wasmBytes []byte, opt Options) (Info, *wasm.Module, error) {
	if len(wasmBytes) > opt.MaxModuleBytes {
		return Info{}, nil, fail(TooBig, "module is %d bytes, limit %d", len(wasmBytes), opt.MaxModuleBytes)
	}
	bounded, err := scan(wasmBytes)
	if err != nil {
		return Info{}, nil, err
	}
	m, err := binary.DecodeModule(bounded, Features)
	if err != nil {
		return Info{}, nil, fail(Malformed, "module is malformed: %v", err)
	}
	sum := sha256.Sum256(wasmBytes)
	info := Info{SHA256: hex.EncodeToString(sum[:]), Size: len(wasmBytes), Functions: len(m.FunctionSection)}
	if err := checkImports(m, &info); err != nil {
		return Info{}, nil, err
	}
	if err := checkMemory(m, opt, &info); err != nil {
		return Info{}, nil, err
	}
	if m.StartSection != nil {
		return Info{}, nil, fail(StartFunction, "module has a start section (function %d); contracts must initialise in %s", *m.StartSection, abi.ExportInitialize)
	}
	if err := checkExports(m, &info); err != nil {
		return Info{}, nil, err
	}
	for _, g := range m.GlobalSection {
		if g.Type.Mutable {
			info.MutableGlobals++
		}
	}
	return info, m, nil
}

// Decode decodes a module the host produced from one that passed Check (the metering instrumentation's output),
// with the same structural scan first, and checks nothing else: such a module legitimately carries the host's
// reserved exports.
//
// # Errors
//
// *Error (NotWasm, Malformed) when the bytes do not decode.
func Decode(wasmBytes []byte) (*wasm.Module, error) {
	bounded, err := scan(wasmBytes)
	if err != nil {
		return nil, err
	}
	m, err := binary.DecodeModule(bounded, Features)
	if err != nil {
		return nil, fail(Malformed, "module is malformed: %v", err)
	}
	return m, nil
}

// funcType returns the type of function index idx (imports first, then defined functions), or nil.
func funcType(m *wasm.Module, idx uint32) *wasm.FunctionType {
	imported := uint32(0)
	for _, im := range m.ImportSection {
		if im.Type != wasm.ExternTypeFunc {
			continue
		}
		if imported == idx {
			return typeAt(m, im.DescFunc)
		}
		imported++
	}
	local := idx - imported
	if idx < imported || local >= uint32(len(m.FunctionSection)) {
		return nil
	}
	return typeAt(m, m.FunctionSection[local])
}

func typeAt(m *wasm.Module, ti uint32) *wasm.FunctionType {
	if ti >= uint32(len(m.TypeSection)) {
		return nil
	}
	return m.TypeSection[ti]
}

func sigString(params, results []byte) string {
	names := func(vs []byte) string {
		s := make([]string, len(vs))
		for i, v := range vs {
			s[i] = wasm.ValueTypeName(v)
		}
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("(%s) -> (%s)", names(params), names(results))
}

func sameSig(ft *wasm.FunctionType, s abi.Signature) bool {
	if ft == nil || len(ft.Params) != len(s.Params) || len(ft.Results) != len(s.Results) {
		return false
	}
	for i, p := range s.Params {
		if ft.Params[i] != byte(p) {
			return false
		}
	}
	for i, r := range s.Results {
		if ft.Results[i] != byte(r) {
			return false
		}
	}
	return true
}

func abiSigString(s abi.Signature) string {
	toBytes := func(vs []abi.ValType) []byte {
		b := make([]byte, len(vs))
		for i, v := range vs {
			b[i] = byte(v)
		}
		return b
	}
	return sigString(toBytes(s.Params), toBytes(s.Results))
}
