package engine

import (
	"context"
)

// ModuleInfo describes a module that passed the validation gate.
type ModuleInfo struct {
	// SHA256 is the hex sha256 of the module bytes as submitted (the deploy identity of the code).
	SHA256 string
	// Size is the module size in bytes.
	Size int
	// ABIVersion is the version its marker export declares.
	ABIVersion int
	// Imports are "module.name" of every imported function, in import order.
	Imports []string
	// Exports are the names of every export, in export order.
	Exports []string
	// MemoryMinPages is the declared initial memory; MemoryMaxPages the declared maximum (0 when undeclared).
	MemoryMinPages uint32
	MemoryMaxPages uint32
	// HasInitialize reports an _initialize export (Go c-shared reactors have one).
	HasInitialize bool
	// Functions is the number of functions defined (not imported) by the module.
	Functions int
	// MutableGlobals is the number of mutable globals the module defines (restored by Snapshot isolation).
	MutableGlobals int
}

// CacheStats are the compiled-module cache counters of an Engine.
type CacheStats struct {
	// Hits and Misses count Load lookups of the in-memory cache. A miss compiles (from the disk cache when the
	// engine has one and the module is in it).
	Hits, Misses uint64
	// Entries and Bytes are the in-memory cache's current content; Bytes is an estimate of compiled size.
	Entries int
	Bytes   int64
}

// Engine validates, compiles and runs contracts. It is safe for concurrent use.
type Engine struct {
	*engine
}

// New returns an Engine configured by cfg (start from NewConfig()).
//
// # Errors
//
//   - the disk cache directory cannot be created or opened;
//   - the ceilings are invalid (negative, MemoryPages outside 1..65535, Gas above math.MaxInt64 or, when
//     metering, 0) or MaxModuleBytes <= 0;
//   - the meter configuration is invalid (meter.Config.Validate);
//   - registering the metrics with the configured registerer fails (for example a duplicate registration).
func New(cfg Config) (*Engine, error) {
	e, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	return &Engine{e}, nil
}

// Validate runs the deploy-time gate on wasm with this engine's size cap and DefaultLimits' memory limit, and the
// gas instrumentation when the engine meters, and returns what the gate learned. It compiles nothing; Load also
// compiles and can therefore reject more (ReasonCompile).
//
// # Errors
//
// A *ValidationError whose Reason and Message name the problem: not WebAssembly, truncated or malformed, above
// the size cap, an import outside the allowlist (naming module.name and the allowed list) or with the wrong
// signature, a missing or mistyped required export (memory, invoke, medledger_abi_v1), an unknown ABI marker,
// shared memory (threads), no memory, an imported memory or one whose initial pages exceed the limit, a start
// section or _start export; ReasonMetering for what the instrumentation refuses (SIMD, threads, tail calls and
// exception instructions, out-of-range indices; ABI.md §11.1).
func (e *Engine) Validate(wasm []byte) (ModuleInfo, error) {
	return e.validate(wasm, DefaultLimits.MemoryPages)
}

// Load runs the deploy pipeline on wasm — the validation gate with cfg's limits, gas and call-depth
// instrumentation (ABI.md §11; unless the engine is configured WithMetering(false)), the engine's rewrite
// (exported mutable globals, memory maximum set to the page limit), compilation — and prepares the first instance
// (running _initialize on its own gas budget, then taking the snapshot), so no compilation or initialisation
// happens on the call path. The compiled module is cached under the sha256 of wasm as submitted, the pipeline and
// metering versions (cost table included) and the page limit, and that key is looked up first: loading a module
// the engine already compiled skips the gate, the instrumentation and the rewrite (the gate's result is cached
// with it and its limits rechecked). name is the contract's name and namespace.
//
// # Errors
//
//   - ErrClosed when the engine is closed;
//   - a *ValidationError: everything Validate reports, plus ReasonName for a bad name, ReasonLimits for limits
//     above the host ceilings (or a Timeout without WithCloseOnContextDone), ReasonMetering when the
//     instrumentation refuses the module (SIMD, threads, tail calls, exceptions, out-of-range indices),
//     ReasonCompile when wazero rejects the code;
//   - a *TrapError when _initialize traps, exits or runs out of gas.
func (e *Engine) Load(ctx context.Context, name string, wasm []byte, cfg ContractConfig) (*Contract, error) {
	return e.load(ctx, name, wasm, cfg)
}

// CacheStats returns the compiled-module cache counters.
func (e *Engine) CacheStats() CacheStats { return e.cacheStats() }

// Config returns the engine's configuration.
func (e *Engine) Config() Config { return e.cfg }

// Close closes every contract loaded by e and releases the runtime. Calls running at that moment fail with a
// TrapError; later Loads and Calls return ErrClosed. Close is idempotent.
func (e *Engine) Close(ctx context.Context) error { return e.close(ctx) }
