package meter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/medledger/medledger/runtime/meter/internal/wasmbin"
)

// FuzzInstrument feeds arbitrary bytes to Instrument, seeded with every test module. It must
// never panic (a recovered panic surfaces as "internal error" and fails the target), and it
// must keep validity as wazero judges it: a module that wazero accepts and Instrument accepts
// stays acceptable after instrumentation, and one wazero refuses is refused by Instrument or
// stays refused. (Instrument may refuse more than wazero: wazero also speaks proposals the
// ABI excludes, such as exception handling's exnref.)
//
// wazero is only asked about inputs that pass the structural scan: its own decoder allocates
// from the counts it reads (2 GB for a 150-byte module whose type claims 251 million
// parameters, found by this target), so structurally broken bytes must never reach it.
//
//	go test -run '^$' -fuzz FuzzInstrument -fuzztime 60s ./runtime/meter
func FuzzInstrument(f *testing.F) {
	for _, pattern := range []string{"testdata/*.wasm", "testdata/invalid/*.wasm"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	cfg := NewConfig()
	limits := wasmbin.Limits{MaxFunctionLocals: DefaultMaxFunctionLocals, MaxModuleLocals: DefaultMaxModuleLocals}
	// valid asks wazero, with custom sections removed: they never decide validity, and wazero
	// wrongly refuses a module that ends with a custom section holding only its name (a
	// zero-length read at the end of input returns EOF), which instrumentation then "fixes"
	// by appending sections after it.
	valid := func(b []byte) bool {
		l, err := wasmbin.Scan(b, limits)
		if err != nil {
			return false
		}
		stripped := append([]byte(nil), wasmbin.Header...)
		for _, s := range l.Sections {
			if s.ID != wasmbin.SectionCustom {
				stripped = append(stripped, b[s.Start:s.End]...)
			}
		}
		cm, err := r.CompileModule(ctx, stripped)
		if err == nil {
			cm.Close(ctx) // keep the runtime's module cache from growing with the corpus
		}
		return err == nil
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, _, err := Instrument(in, cfg)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") || errors.Is(err, wasmbin.ErrDecoderPanic) {
				t.Fatalf("Instrument panicked: %v", err)
			}
			return // refusing is always safe; only accepting can go wrong
		}
		switch inOK, outOK := valid(in), valid(out); {
		case inOK && !outOK:
			t.Fatal("instrumentation broke a valid module")
		case !inOK && outOK:
			t.Fatal("instrumentation made an invalid module valid")
		}
	})
}
