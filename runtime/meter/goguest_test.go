package meter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/medledger/medledger/runtime/meter/internal/wasmbin"
	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

var goGuestOnce struct {
	sync.Once
	wasm []byte
	err  error
}

// goGuest returns testdata/goguest built with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared.
// The build is cached in the user cache directory under a hash of the source and the Go
// version, so only the first run pays for it.
func goGuest(t testing.TB) []byte {
	t.Helper()
	goGuestOnce.Do(func() {
		src, err := os.ReadFile("testdata/goguest/main.go")
		if err != nil {
			goGuestOnce.err = err
			return
		}
		sum := sha256.Sum256(append(src, runtime.Version()...))
		out := filepath.Join(testCacheDir(), "goguest-"+hex.EncodeToString(sum[:8])+".wasm")
		if b, err := os.ReadFile(out); err == nil {
			goGuestOnce.wasm = b
			return
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			goGuestOnce.err = err
			return
		}
		tmp := out + ".tmp"
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", tmp, "./testdata/goguest")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			goGuestOnce.err = fmt.Errorf("building the Go guest: %w\n%s", err, msg)
			return
		}
		if err := os.Rename(tmp, out); err != nil {
			goGuestOnce.err = err
			return
		}
		goGuestOnce.wasm, goGuestOnce.err = os.ReadFile(out)
	})
	if goGuestOnce.err != nil {
		t.Fatal(goGuestOnce.err)
	}
	return goGuestOnce.wasm
}

// newGoRuntime is newRuntime plus WASI, which a Go guest imports.
func newGoRuntime(t testing.TB, config wazero.RuntimeConfig) wazero.Runtime {
	t.Helper()
	r, _ := newRuntime(t, config)
	wasi_snapshot_preview1.MustInstantiate(context.Background(), r)
	return r
}

// instantiateGo instantiates a Go reactor and runs _initialize, metered with the initial gas.
func instantiateGo(t testing.TB, r wazero.Runtime, wasm []byte) *instance {
	t.Helper()
	ctx := context.Background()
	mod, err := r.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{mod: mod}
	if mod.ExportedGlobal(GasExport) != nil {
		if in.counters, err = Bind(mod); err != nil {
			t.Fatal(err)
		}
	}
	if got := in.call(t, DefaultInitialGas, "_initialize"); got.err != nil {
		t.Fatalf("_initialize: %v", got.err)
	}
	return in
}

// exportMutableGlobals exports every mutable global as snapshot_<index>, the rewrite the
// engine makes for snapshot isolation, done here by splicing as the meter does. It returns
// the new module and the export names.
func exportMutableGlobals(t testing.TB, wasm []byte) ([]byte, []string) {
	t.Helper()
	l, err := wasmbin.Scan(wasm, wasmbin.Limits{MaxFunctionLocals: 1 << 20, MaxModuleLocals: 1 << 24})
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasmbin.Decode(wasm, l)
	if err != nil {
		t.Fatal(err)
	}
	imported := 0
	for _, imp := range m.ImportSection {
		if imp.Type == 0x03 {
			imported++
		}
	}
	var entries []byte
	var names []string
	for i, g := range m.GlobalSection {
		if g.Type.Mutable {
			name := fmt.Sprintf("snapshot_%d", imported+i)
			entries = wasmcode.AppendU32(entries, uint32(len(name)))
			entries = append(append(entries, name...), 0x03)
			entries = wasmcode.AppendU32(entries, uint32(imported+i))
			names = append(names, name)
		}
	}
	var orig []byte
	if s := l.Find(wasmbin.SectionExport); s != nil {
		orig = wasm[s.Payload:s.End]
	}
	payload := wasmbin.ExtendVector(orig, len(names), entries)
	return wasmbin.Splice(wasm, l, map[byte][]byte{wasmbin.SectionExport: payload}, func(string) bool { return true }), names
}

// snapshot is an instance's memory and mutable globals after _initialize.
type snapshot struct {
	mem     []byte
	globals []api.MutableGlobal
	values  []uint64
}

func takeSnapshot(t testing.TB, mod api.Module, globals []string) *snapshot {
	t.Helper()
	mem, ok := mod.Memory().Read(0, mod.Memory().Size())
	if !ok {
		t.Fatal("reading memory")
	}
	s := &snapshot{mem: append([]byte(nil), mem...)}
	for _, name := range globals {
		g, ok := mod.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			t.Fatalf("no mutable global %q", name)
		}
		s.globals = append(s.globals, g)
		s.values = append(s.values, g.Get())
	}
	return s
}

// restore puts memory and globals back; memory grown since is zeroed past the snapshot.
func (s *snapshot) restore(t testing.TB, mod api.Module) {
	t.Helper()
	mem := mod.Memory()
	if !mem.Write(0, s.mem) {
		t.Fatal("writing memory")
	}
	if extra := mem.Size() - uint32(len(s.mem)); extra > 0 {
		mem.Write(uint32(len(s.mem)), make([]byte, extra))
	}
	for i, g := range s.globals {
		g.Set(s.values[i])
	}
}

// goCalls are the Go guest calls the tests make; reps is how often the isolation-mode test
// repeats one from a snapshot (records grows memory, so each repetition needs a new instance).
var goCalls = []struct {
	fn   string
	arg  uint64
	reps int
}{
	{"check_consent", 42, 1000}, {"fib", 20, 1000}, {"records", 200, 10}, {"depth", 100, 0}, {"alloc", 8, 0},
}

// TestInstrument_GoGuest instruments a real Go-built module and requires the same results
// metered and unmetered, on both engines, and the same gas on both.
func TestInstrument_GoGuest(t *testing.T) {
	src := goGuest(t)
	metered, info, err := Instrument(src, NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Go guest: %d -> %d bytes, %d functions, %d charge points, %d dynamic, %d count depth",
		info.InputBytes, info.OutputBytes, info.Functions, info.ChargePoints, info.DynamicCharges, info.DepthCounted)
	gas := map[string]uint64{}
	for _, e := range engines {
		r := newGoRuntime(t, e.config())
		// One instance of each for the whole sequence: the calls see the same guest state
		// metered and unmetered, and instantiating a Go guest costs a runtime start.
		plain, meteredIn := instantiateGo(t, r, src), instantiateGo(t, r, metered)
		for _, c := range goCalls {
			t.Run(fmt.Sprintf("%s/%s(%d)", e.name, c.fn, c.arg), func(t *testing.T) {
				want := plain.call(t, 0, c.fn, c.arg)
				got := meteredIn.call(t, DefaultGasLimit, c.fn, c.arg)
				if want.err != nil || got.err != nil {
					t.Fatalf("unmetered error %v, metered error %v", want.err, got.err)
				}
				if fmt.Sprint(got.results) != fmt.Sprint(want.results) {
					t.Fatalf("metered %v, unmetered %v", got.results, want.results)
				}
				t.Logf("%s(%d) = %v, %d gas", c.fn, c.arg, got.results, got.gas)
				if first, ok := gas[c.fn]; !ok {
					gas[c.fn] = got.gas
				} else if got.gas != first {
					t.Errorf("%d gas on %s, %d on %s", got.gas, e.name, first, engines[0].name)
				}
			})
		}
	}
}

// TestInstrument_GoGuestIsolationModes: the same call gives the same gas, to the unit, 1,000
// times from a snapshot (10 for records, whose instance is replaced every time) and on fresh
// instances. A pooled instance (reused without restoring
// memory) carries the guest's state from call to call, so its gas follows that state: its
// first call matches a fresh instance, and two pooled instances fed the same calls agree call
// by call.
func TestInstrument_GoGuestIsolationModes(t *testing.T) {
	metered, globals := exportMutableGlobals(t, mustInstrument(t, goGuest(t), NewConfig()))
	r := newGoRuntime(t, wazero.NewRuntimeConfigCompiler())
	for _, c := range goCalls[:3] {
		t.Run(fmt.Sprintf("%s(%d)", c.fn, c.arg), func(t *testing.T) {
			want := instantiateGo(t, r, metered).call(t, DefaultGasLimit, c.fn, c.arg)
			if want.err != nil {
				t.Fatal(want.err)
			}
			check := func(mode string, i int, got callResult) {
				t.Helper()
				if got.err != nil || got.gas != want.gas || fmt.Sprint(got.results) != fmt.Sprint(want.results) {
					t.Fatalf("%s, repetition %d: %v, %d gas, error %v; want %v, %d gas", mode, i, got.results, got.gas, got.err, want.results, want.gas)
				}
			}

			// Snapshot: restore memory and globals before each call. Memory cannot shrink, and
			// Go's sbrk grows it again past the restored break, so an instance whose memory grew
			// is replaced, as the engine must do.
			snap := instantiateGo(t, r, metered)
			s := takeSnapshot(t, snap.mod, globals)
			replaced := 0
			for i := 0; i < c.reps; i++ {
				if snap.mod.Memory().Size() > uint32(len(s.mem)) {
					snap.mod.Close(context.Background())
					snap, replaced = instantiateGo(t, r, metered), replaced+1
				}
				s.restore(t, snap.mod)
				check("snapshot", i, snap.call(t, DefaultGasLimit, c.fn, c.arg))
			}
			for i := 0; i < 3; i++ {
				in := instantiateGo(t, r, metered)
				check("fresh", i, in.call(t, DefaultGasLimit, c.fn, c.arg))
				in.mod.Close(context.Background())
			}
			p1, p2 := instantiateGo(t, r, metered), instantiateGo(t, r, metered)
			check("pooled", 0, p1.call(t, DefaultGasLimit, c.fn, c.arg))
			check("pooled", 0, p2.call(t, DefaultGasLimit, c.fn, c.arg))
			var warm []uint64
			for i := 1; i < 50; i++ {
				a, b := p1.call(t, DefaultGasLimit, c.fn, c.arg), p2.call(t, DefaultGasLimit, c.fn, c.arg)
				if a.err != nil || b.err != nil || a.gas != b.gas {
					t.Fatalf("pooled call %d: %d gas (error %v) and %d gas (error %v) on two instances", i, a.gas, a.err, b.gas, b.err)
				}
				warm = append(warm, a.gas)
			}
			t.Logf("%s(%d): %d gas from a snapshot (instance replaced %d times) and fresh; pooled %d then %v...",
				c.fn, c.arg, want.gas, replaced, want.gas, warm[:3])
		})
	}
}

// TestInstrument_GoGuestDepth: ordinary Go recursion fits the default depth limit; runaway
// recursion stops with ReasonDepthExceeded, not with an engine stack overflow.
func TestInstrument_GoGuestDepth(t *testing.T) {
	metered := mustInstrument(t, goGuest(t), NewConfig())
	for _, e := range engines {
		r := newGoRuntime(t, e.config())
		t.Run(e.name, func(t *testing.T) {
			if got := instantiateGo(t, r, metered).call(t, DefaultGasLimit, "depth", 500); got.err != nil {
				t.Fatalf("depth(500): %v", got.err)
			}
			got := instantiateGo(t, r, metered).call(t, DefaultGasLimit, "depth", 100000)
			if got.reason != ReasonDepthExceeded {
				t.Fatalf("depth(100000): reason %v, error %v; want depth exceeded", got.reason, got.err)
			}
		})
	}
}
