package contract

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/medledger/medledger/operator/api/v1alpha1"
	"github.com/medledger/medledger/runtime/engine"
)

// wat reads one of the runtime's own test modules, so these tests run the real gate on real modules.
func wat(t *testing.T, name string) Module {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "runtime", "engine", "testdata", "wat", name))
	if err != nil {
		t.Fatal(err)
	}
	m, f := newModule(b, "", name)
	if f != nil {
		t.Fatal(f)
	}
	return m
}

func newEngine(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.New(engine.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(t.Context()) })
	return e
}

func TestValidate(t *testing.T) {
	m := wat(t, "ok.wasm")
	info, f := Validate(newEngine(t), m)
	if f != nil {
		t.Fatalf("Validate(ok.wasm): %v", f)
	}
	if info.SHA256 != m.SHA256 || info.ABIVersion != 1 {
		t.Fatalf("got sha256 %s abi %d, want %s abi 1", info.SHA256, info.ABIVersion, m.SHA256)
	}
	exports := SortedExports(info)
	if !slices.IsSorted(exports) || !slices.Contains(exports, "invoke") || !slices.Contains(exports, "medledger_abi_v1") {
		t.Fatalf("exports %v: want sorted, with invoke and the ABI marker", exports)
	}
}

func TestValidate_Errors(t *testing.T) {
	tests := []struct {
		file, engineReason string
	}{
		{"forbidden_wasi.wasm", string(engine.ReasonForbiddenImport)},
		{"forbidden_env.wasm", string(engine.ReasonForbiddenImport)},
		{"no_invoke.wasm", string(engine.ReasonMissingExport)},
		{"no_marker.wasm", string(engine.ReasonABIVersion)},
		{"shared_memory.wasm", string(engine.ReasonThreads)},
		{"start.wasm", string(engine.ReasonStartFunction)},
		{"big_memory.wasm", string(engine.ReasonMemory)},
	}
	e := newEngine(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, f := Validate(e, wat(t, tt.file))
			if f == nil {
				t.Fatalf("Validate(%s) accepted it", tt.file)
			}
			if f.Condition != v1alpha1.SmartContractModuleValid || f.Reason != v1alpha1.ReasonModuleInvalid || f.Retry ||
				!strings.HasPrefix(f.Message, tt.engineReason+": ") {
				t.Fatalf("got %+v, want ModuleInvalid without retry, message starting %q", f, tt.engineReason)
			}
		})
	}
	_, f := Validate(e, Module{Bytes: []byte("not wasm")})
	if f == nil || !strings.HasPrefix(f.Message, string(engine.ReasonNotWasm)) {
		t.Fatalf("garbage: got %+v, want NotWasm", f)
	}
}
