package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/medledger/medledger/runtime/engine/internal/gate"
	"github.com/medledger/medledger/runtime/engine/internal/rewrite"
	"github.com/medledger/medledger/runtime/meter"
)

// pipelineVersion names everything between the submitted bytes and the compiled code that the cache key does not
// otherwise cover: host function semantics the compiled code depends on, and the rewrite.
const pipelineVersion = "medledger-engine/v3+" + rewrite.Version

// compiledSizeFactor estimates compiled code size from module size, for the byte bound of the in-memory cache
// (wazero does not report the size of compiled code).
const compiledSizeFactor = 3

// compiled is one cache entry: the deploy pipeline's whole output for one submitted module and one set of
// pipeline inputs, so a cache hit needs neither the gate nor the rewrite.
type compiled struct {
	module  wazero.CompiledModule
	info    ModuleInfo // the gate's result; rechecked against the contract's limits on every Load
	globals []string   // exported mutable globals, restored by Snapshot isolation
	initMem []byte     // initial memory (data segments applied), trailing zeros trimmed
	metered bool
	meter   meter.Info // what the instrumentation did (zero when unmetered)
	// Where the pipeline spent its time when the entry was built.
	validate, instrument, rewrite time.Duration
}

// compileKey is the one place the compile cache key is composed: the sha256 of the submitted module, the
// pipeline version and every input that changes the compiled bytes: the metering configuration's hash (cost
// table, instrumentation algorithm; "unmetered" without metering) and the memory page limit the rewrite writes
// into the module. The key is computed before anything decodes the module, so a known module skips the deploy
// pipeline entirely, and no change of prices can reuse code instrumented with other prices.
func compileKey(sum [32]byte, meterHash string, memoryPages uint32) string {
	h := sha256.New()
	h.Write(sum[:])
	for _, part := range []string{pipelineVersion, meterHash} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(binary.LittleEndian.AppendUint32(nil, memoryPages))
	return hex.EncodeToString(h.Sum(nil))
}

// meterHash is the metering part of the compile cache key.
func (e *engine) meterHash() string {
	if !e.cfg.metering {
		return "unmetered"
	}
	return e.cfg.meter.Hash()
}

// instrument injects gas and call-depth metering into wasm (which passed the gate).
//
// # Errors
//
// A *ValidationError with ReasonMetering naming why the instrumentation refuses the module.
func (e *engine) instrument(wasm []byte) ([]byte, meter.Info, error) {
	out, info, err := meter.Instrument(wasm, e.cfg.meter)
	if err != nil {
		return nil, meter.Info{}, &ValidationError{Reason: ReasonMetering, Message: strings.TrimPrefix(err.Error(), "meter: ")}
	}
	return out, info, nil
}

// build runs the deploy pipeline on a cache miss: gate → meter.Instrument → rewrite → compile. The gate sees the
// module as submitted (its reserved-export rule keeps the meter's names free); the rewrite exports the mutable
// globals of the instrumented module, the meter's counters included, so a snapshot restores them too.
//
// # Errors
//
// A *ValidationError: the gate's rejections, ReasonMetering when the instrumentation refuses the module,
// ReasonMalformed when the rewrite fails, ReasonCompile when wazero rejects the code.
func (e *engine) build(ctx context.Context, wasm []byte, opt gate.Options) (*compiled, int64, error) {
	t0 := time.Now()
	info, mod, err := gate.Check(wasm, opt)
	if err != nil {
		return nil, 0, validationError(err)
	}
	out := &compiled{info: ModuleInfo(info), validate: time.Since(t0), metered: e.cfg.metering}
	if out.metered {
		t0 = time.Now()
		if wasm, out.meter, err = e.instrument(wasm); err != nil {
			return nil, 0, err
		}
		if mod, err = gate.Decode(wasm); err != nil {
			return nil, 0, &ValidationError{Reason: ReasonMetering, Message: "instrumented module: " + err.Error()}
		}
		out.instrument = time.Since(t0)
	}
	t0 = time.Now()
	rw, err := rewrite.Rewrite(wasm, mod, opt.MemoryPages)
	if err != nil {
		return nil, 0, &ValidationError{Reason: ReasonMalformed, Message: err.Error()}
	}
	out.rewrite = time.Since(t0)
	out.globals = rw.Globals
	out.initMem = bytes.TrimRight(rw.InitMemory, "\x00")
	if out.module, err = e.rt.CompileModule(ctx, rw.Wasm); err != nil {
		return nil, 0, &ValidationError{Reason: ReasonCompile, Message: "module does not compile: " + err.Error()}
	}
	return out, int64(len(rw.Wasm))*compiledSizeFactor + int64(len(out.initMem)), nil
}
