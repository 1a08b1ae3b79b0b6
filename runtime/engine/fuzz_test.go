package engine_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
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
