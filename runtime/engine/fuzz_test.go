package engine_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// FuzzEngine_Validate: the deploy gate never panics and either accepts a module or returns a ValidationError.
// Run bounded, e.g. go test -run '^$' -fuzz FuzzEngine_Validate -fuzztime 30s ./runtime/engine/
func FuzzEngine_Validate(f *testing.F) {
	files, _ := filepath.Glob("testdata/wat/*.wasm")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	e, err := engine.New(engine.NewConfig().WithMaxModuleBytes(1 << 20))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, wasm []byte) {
		_, err := e.Validate(wasm)
		var ve *engine.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("Validate returned %T %v, want a *ValidationError", err, err)
		}
	})
}

// FuzzEngine_Load: the whole deploy pipeline (gate, gas instrumentation, rewrite, compile, _initialize) never
// panics; it accepts a module or returns a ValidationError, or a TrapError from _initialize. Accepted modules also
// take a call, which ends one way or another within the default gas limit.
// Run bounded, e.g. go test -run '^$' -fuzz FuzzEngine_Load -fuzztime 30s ./runtime/engine/
func FuzzEngine_Load(f *testing.F) {
	files, _ := filepath.Glob("testdata/wat/*.wasm")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	e, err := engine.New(engine.NewConfig().WithMaxModuleBytes(1 << 20).WithMemoryCacheBytes(16 << 20))
	if err != nil {
		f.Fatal(err)
	}
	small := engine.Limits{MemoryPages: 16, Gas: 10_000_000}
	f.Fuzz(func(t *testing.T, wasm []byte) {
		c, err := e.Load(t.Context(), "fuzz", wasm, engine.ContractConfig{Limits: small})
		var ve *engine.ValidationError
		var te *engine.TrapError
		switch {
		case errors.As(err, &ve), errors.As(err, &te):
			return
		case err != nil:
			t.Fatalf("Load returned %T %v, want a *ValidationError or *TrapError", err, err)
		}
		defer c.Close(t.Context())
		_, err = c.Call(t.Context(), engine.Call{Function: "f", State: ledger.NewMemory()})
		var ce *engine.ContractError
		if err != nil && !errors.As(err, &te) && !errors.As(err, &ce) {
			t.Fatalf("Call returned %T %v", err, err)
		}
	})
}
