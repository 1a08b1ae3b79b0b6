package engine_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// TestEngine_Load_CacheHit: a second Load of the same bytes with the same pipeline inputs skips the gate and the
// rewrite (the cache is keyed by the submitted bytes' sha256), keeps the gate's ModuleInfo, serves calls; the
// contract's limits are still checked, and other limits that change the compiled module miss.
func TestEngine_Load_CacheHit(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, engine.NewConfig())
	big := watModule(t, "big_memory") // declares more initial pages than DefaultLimits allow
	first, err := e.Load(ctx, "first", guest(t), engine.ContractConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if tm := first.LoadTimings(); tm.CacheHit || tm.Validate == 0 || tm.Rewrite == 0 {
		t.Fatalf("first Load timings = %+v, want a miss that ran the gate and the rewrite", tm)
	}
	tests := []struct {
		name    string
		wasm    []byte
		cfg     engine.ContractConfig
		hit     bool
		wantErr engine.ValidationReason
	}{
		{"same bytes and limits", guest(t), engine.ContractConfig{Isolation: engine.Pooled}, true, ""},
		{"other memory limit", guest(t), engine.ContractConfig{Limits: engine.Limits{MemoryPages: 600}}, false, ""},
		{"big memory admitted", big, engine.ContractConfig{Limits: engine.Limits{MemoryPages: 2000}}, false, ""},
		{"big memory again", big, engine.ContractConfig{Limits: engine.Limits{MemoryPages: 2000}}, true, ""},
		{"big memory under the default limit", big, engine.ContractConfig{}, false, engine.ReasonMemory},
		{"still rejected the second time", big, engine.ContractConfig{}, false, engine.ReasonMemory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := e.CacheStats().Hits
			c, err := e.Load(ctx, "again", tt.wasm, tt.cfg)
			if tt.wantErr != "" {
				var ve *engine.ValidationError
				if !errors.As(err, &ve) || ve.Reason != tt.wantErr || !strings.Contains(ve.Message, "initial pages") {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			tm := c.LoadTimings()
			if tm.CacheHit != tt.hit || (e.CacheStats().Hits > hits) != tt.hit {
				t.Fatalf("CacheHit = %v, want %v", tm.CacheHit, tt.hit)
			}
			if tt.hit && (tm.Validate != 0 || tm.Rewrite != 0) {
				t.Fatalf("a cache hit ran the gate or the rewrite: %+v", tm)
			}
			if tt.hit && string(tt.wasm) == string(guest(t)) {
				if !reflect.DeepEqual(c.Info(), first.Info()) {
					t.Fatalf("cached ModuleInfo = %+v, want %+v", c.Info(), first.Info())
				}
				if res := mustCall(t, c, ledger.NewMemory(), "echo", `{"a":1}`); string(res.Output) != `{"a":1}` {
					t.Fatalf("echo = %s", res.Output)
				}
			}
		})
	}
	// Info hands out copies: a caller cannot change what other contracts of the module see.
	info := first.Info()
	info.Exports[0] = "changed"
	if first.Info().Exports[0] == "changed" {
		t.Fatal("Info shares its slices with the cache")
	}
}
