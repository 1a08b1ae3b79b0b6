package meter

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/medledger/medledger/runtime/meter/internal/wasmbin"
	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// TestInstrument checks the output of every valid test module: it compiles on both engines,
// binds, reports what was done, and the input is left as it was.
func TestInstrument(t *testing.T) {
	tests := []struct {
		file         string
		functions    int
		depthCounted int
		dynamic      int
	}{
		{"loops.wasm", 3, 0, 1},
		{"control.wasm", 19, 4, 8},
		{"bombs.wasm", 6, 2, 3},
		{"host.wasm", 1, 0, 0},
		{"calibrate.wasm", 5, 0, 3},
		{"start.wasm", 1, 0, 0},
	}
	cfg := NewConfig()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			src := readTestdata(t, tc.file)
			orig := bytes.Clone(src)
			out, info, err := Instrument(src, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(src, orig) {
				t.Error("Instrument modified its input")
			}
			again, _, _ := Instrument(src, cfg)
			if !bytes.Equal(out, again) {
				t.Error("two instrumentations of the same module differ")
			}
			if info.ConfigHash != cfg.Hash() || info.InputBytes != len(src) || info.OutputBytes != len(out) {
				t.Errorf("info %+v does not describe this run", info)
			}
			if info.Functions != tc.functions || info.DepthCounted != tc.depthCounted || info.DynamicCharges != tc.dynamic {
				t.Errorf("functions %d, depth counted %d, dynamic charges %d; want %d, %d, %d",
					info.Functions, info.DepthCounted, info.DynamicCharges, tc.functions, tc.depthCounted, tc.dynamic)
			}
			if info.ChargePoints == 0 || len(info.DroppedSections) != 0 {
				t.Errorf("charge points %d, dropped %v", info.ChargePoints, info.DroppedSections)
			}
			for _, e := range engines {
				r, _ := newRuntime(t, e.config())
				if _, err := r.CompileModule(context.Background(), out); err != nil {
					t.Fatalf("%s: %v", e.name, err)
				}
			}
		})
	}
}

// TestInstrument_StartFunction: a start function runs on the initial gas, so one that never
// ends fails instantiation with out of gas instead of hanging the deploy.
func TestInstrument_StartFunction(t *testing.T) {
	ctx := context.Background()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			r, _ := newRuntime(t, e.config())
			ok := mustInstrument(t, readTestdata(t, "start.wasm"), NewConfig().WithInitialGas(10_000))
			mod, err := r.InstantiateWithConfig(ctx, ok, wazero.NewModuleConfig().WithName(""))
			if err != nil {
				t.Fatalf("start within its gas: %v", err)
			}
			c, err := Bind(mod)
			if err != nil {
				t.Fatal(err)
			}
			if n := mod.ExportedGlobal("n").Get(); n != 1000 || c.GasLeft() >= 10_000 {
				t.Errorf("start ran to n = %d leaving %d gas", n, c.GasLeft())
			}

			forever := mustInstrument(t, readTestdata(t, "start_forever.wasm"), NewConfig().WithInitialGas(100_000))
			_, err = r.InstantiateWithConfig(ctx, forever, wazero.NewModuleConfig().WithName(""))
			if err == nil || !strings.Contains(err.Error(), "unreachable") {
				t.Fatalf("endless start function: error %v, want a trap", err)
			}
		})
	}
}

// TestInstrument_CustomSections: DWARF and source maps address code bytes that move, so they
// are dropped; the name section and other custom sections stay.
func TestInstrument_CustomSections(t *testing.T) {
	src := readTestdata(t, "loops.wasm")
	for _, name := range []string{".debug_info", "keep.me", "sourceMappingURL", "name"} {
		payload := wasmcode.AppendU32(nil, uint32(len(name)))
		payload = append(payload, name...)
		if name == "name" {
			payload = append(payload, 0, 4, 3, 'm', 'o', 'd') // module name subsection "mod"
		} else {
			payload = append(payload, "data"...)
		}
		src = wasmbin.AppendSection(src, 0, payload)
	}
	out, info, err := Instrument(src, NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(info.DroppedSections, ","); got != ".debug_info,sourceMappingURL" {
		t.Errorf("dropped %q", got)
	}
	l, err := wasmbin.Scan(out, wasmbin.Limits{MaxFunctionLocals: 100, MaxModuleLocals: 100})
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, s := range l.Sections {
		if s.ID == wasmbin.SectionCustom {
			kept = append(kept, s.Name)
		}
	}
	if got := strings.Join(kept, ","); got != "keep.me,name" {
		t.Errorf("kept %q, want keep.me,name", got)
	}
}

// TestInstrument_Errors feeds modules the instrumenter must refuse, with the cause named.
// Every invalid module here is one wazero refuses too; instrumentation must not make it valid.
func TestInstrument_Errors(t *testing.T) {
	control := readTestdata(t, "control.wasm")
	noDataCount := withoutSection(t, control, wasmbin.SectionDataCount)
	instrumented := mustInstrument(t, readTestdata(t, "loops.wasm"), NewConfig())
	countBomb := append(bytes.Clone(wasmbin.Header), 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f) // 4 billion types
	localsBomb := append(bytes.Clone(wasmbin.Header),
		1, 4, 1, 0x60, 0, 0, // type () -> ()
		3, 2, 1, 0, // one function
		10, 9, 1, 7, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f) // 4 billion i32 locals, no body
	tests := []struct {
		name string
		wasm []byte
		cfg  Config
		want string
	}{
		{"empty", nil, NewConfig(), "bad magic number"},
		{"not wasm", []byte("\x7fELF\x02\x01\x01\x00"), NewConfig(), "bad magic number"},
		{"version 2", append([]byte("\x00asm"), 2, 0, 0, 0), NewConfig(), "unsupported WebAssembly version"},
		{"truncated", control[:len(control)/2], NewConfig(), "overruns the module"},
		{"count bomb", countBomb, NewConfig(), "count 4294967295 exceeds"},
		{"locals bomb", localsBomb, NewConfig(), "too many locals"},
		{"too large", control, NewConfig().WithMaxModuleBytes(100), "more than the 100 allowed"},
		{"too many locals", readTestdata(t, "loops.wasm"), NewConfig().WithMaxFunctionLocals(1), "too many locals"},
		{"SIMD", readTestdata(t, "simd.wasm"), NewConfig(), "SIMD"},
		{"reserved export", readTestdata(t, "impostor.wasm"), NewConfig(), `export "medledger_gas_left" is reserved`},
		{"instrumented twice", instrumented, NewConfig(), "instrumented already"},
		{"memory.init without data count", noDataCount, NewConfig(), "requires a data count section"},
		{"global out of range", invalidModule(t, "global"), NewConfig(), "global index 0 out of range"},
		{"call out of range", invalidModule(t, "call"), NewConfig(), "function index 1 out of range"},
		{"local out of range", invalidModule(t, "local"), NewConfig(), "local index 0 out of range"},
		{"type out of range", invalidModule(t, "type"), NewConfig(), "type index 1 out of range"},
		{"export out of range", invalidModule(t, "export"), NewConfig(), `export "f": func index 1 out of range`},
		{"global export out of range", invalidModule(t, "export_global"), NewConfig(), `export "g": global index 0 out of range`},
		{"start out of range", invalidModule(t, "start"), NewConfig(), "start function 1 out of range"},
		{"element out of range", invalidModule(t, "elem"), NewConfig(), "refers to function 1"},
		{"data offset global out of range", invalidModule(t, "data_global"), NewConfig(), "refers to global 1"},
		{"branch too deep", invalidModule(t, "branch"), NewConfig(), "branch depth 1 exceeds"},
		{"bad cost table", control, NewConfig().WithCostTable(CostTable{BulkBytesPerGas: 3, HostBytesPerGas: 1}), "must be a power of two"},
		{"initial gas too large", control, NewConfig().WithInitialGas(1 << 63), "exceeds math.MaxInt64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := bytes.Clone(tc.wasm)
			out, info, err := Instrument(tc.wasm, tc.cfg)
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if out != nil || info.Functions != 0 {
				t.Errorf("returned %d bytes and %+v with the error", len(out), info)
			}
			if !bytes.Equal(tc.wasm, orig) {
				t.Error("Instrument modified its input")
			}
			configErr := tc.name == "bad cost table" || tc.name == "initial gas too large"
			if errors.Is(err, ErrInvalidModule) == configErr {
				t.Errorf("errors.Is(%q, ErrInvalidModule) = %v", err, !configErr)
			}
		})
	}
}

// TestInstrument_InvalidStaysInvalid: wazero refuses every module of testdata/invalid, which is
// the premise of TestInstrument_Errors (they would otherwise test nothing).
func TestInstrument_InvalidStaysInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.wasm")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid modules: %v", err)
	}
	r, _ := newRuntime(t, wazero.NewRuntimeConfigInterpreter())
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.CompileModule(context.Background(), b); err == nil {
			t.Errorf("%s: wazero accepts it; it is meant to be invalid", f)
		}
	}
}

func invalidModule(t *testing.T, name string) []byte {
	return readTestdata(t, filepath.Join("invalid", name+".wasm"))
}

// withoutSection returns wasm without its sections of the id.
func withoutSection(t *testing.T, wasm []byte, id byte) []byte {
	t.Helper()
	l, err := wasmbin.Scan(wasm, wasmbin.Limits{MaxFunctionLocals: 100, MaxModuleLocals: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(wasmbin.Header)
	for _, s := range l.Sections {
		if s.ID != id {
			out = append(out, wasm[s.Start:s.End]...)
		}
	}
	return out
}
