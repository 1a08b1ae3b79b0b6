package meter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// memoryLimitPages mirrors the ABI's default memory limit (§7: 512 pages, 32 MiB).
const memoryLimitPages = 512

// engines are the wazero engines every behaviour is checked on: gas must not depend on them.
var engines = []struct {
	name   string
	config func() wazero.RuntimeConfig
}{
	{"compiler", wazero.NewRuntimeConfigCompiler},
	{"interpreter", wazero.NewRuntimeConfigInterpreter},
}

// readTestdata returns testdata/name.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustInstrument instruments with cfg or fails the test.
func mustInstrument(t testing.TB, wasm []byte, cfg Config) []byte {
	t.Helper()
	out, _, err := Instrument(wasm, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stubHost is the "env" host module of the test modules: put(ptr, len) stages a write, which
// the harness keeps only if the call succeeds, and charges the host cost of len bytes when the
// guest is metered.
type stubHost struct {
	costs   CostTable
	staged  [][]byte
	written [][]byte
}

func (h *stubHost) put(ctx context.Context, mod api.Module, ptr, n uint32) {
	if c, err := Bind(mod); err == nil {
		if err := c.Charge(h.costs.HostCost(int(n))); err != nil {
			panic(err)
		}
	}
	b, ok := mod.Memory().Read(ptr, n)
	if !ok {
		panic(fmt.Errorf("put: out of bounds ptr=%d len=%d", ptr, n))
	}
	h.staged = append(h.staged, append([]byte(nil), b...))
}

// commit keeps the staged writes when err is nil and drops them otherwise, as the engine does.
func (h *stubHost) commit(err error) {
	if err == nil {
		h.written = append(h.written, h.staged...)
	}
	h.staged = nil
}

// compilationCache is shared by every runtime of the tests and kept on disk, so each module
// is compiled once per engine and wazero version, not once per test (the Go guest takes
// seconds to compile).
var compilationCache = func() wazero.CompilationCache {
	if c, err := wazero.NewCompilationCacheWithDir(filepath.Join(testCacheDir(), "wazero")); err == nil {
		return c
	}
	return wazero.NewCompilationCache()
}()

// testCacheDir is where tests keep build and compilation caches.
func testCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "medledger-meter")
}

// newRuntime returns a runtime with the ABI's memory limit and the stub host module.
func newRuntime(t testing.TB, config wazero.RuntimeConfig) (wazero.Runtime, *stubHost) {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, config.WithMemoryLimitPages(memoryLimitPages).WithCompilationCache(compilationCache))
	t.Cleanup(func() { r.Close(ctx) })
	h := &stubHost{costs: CostTableV1}
	_, err := r.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(h.put).Export("put").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r, h
}

// instance is one instantiated module, metered or not.
type instance struct {
	mod      api.Module
	counters *Counters // nil when not metered
}

// instantiate compiles and instantiates wasm under a fresh anonymous name.
func instantiate(t testing.TB, r wazero.Runtime, wasm []byte) *instance {
	t.Helper()
	ctx := context.Background()
	mod, err := r.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{mod: mod}
	if mod.ExportedGlobal(GasExport) != nil {
		if in.counters, err = Bind(mod); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// callResult is what a call produced: results or a trap, and for metered calls the gas used
// and the reason.
type callResult struct {
	results []uint64
	err     error
	gas     uint64
	reason  Reason
}

// call resets the counters (if metered) to gasLimit and DefaultDepthLimit and calls fn.
func (in *instance) call(t testing.TB, gasLimit uint64, fn string, args ...uint64) callResult {
	t.Helper()
	f := in.mod.ExportedFunction(fn)
	if f == nil {
		t.Fatalf("no export %q", fn)
	}
	if in.counters != nil {
		if err := in.counters.Reset(gasLimit, DefaultDepthLimit); err != nil {
			t.Fatal(err)
		}
	}
	res, err := f.Call(context.Background(), args...)
	out := callResult{results: res, err: err}
	if in.counters != nil {
		out.gas = in.counters.GasUsed(gasLimit)
		out.reason = in.counters.Reason()
	}
	return out
}
