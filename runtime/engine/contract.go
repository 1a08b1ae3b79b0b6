package engine

import (
	"context"
	"slices"
	"time"
)

// Contract is a loaded contract: validated, compiled, initialised. It is safe for concurrent use; each concurrent
// call runs on its own instance.
type Contract struct {
	*contract
}

// Name returns the contract's name (its key namespace).
func (c *Contract) Name() string { return c.name }

// Info returns what the validation gate learned about the module as submitted.
func (c *Contract) Info() ModuleInfo {
	info := c.info // shared with the compile cache and other contracts of the same module
	info.Imports, info.Exports = slices.Clone(info.Imports), slices.Clone(info.Exports)
	return info
}

// Config returns the contract's configuration with defaults applied.
func (c *Contract) Config() ContractConfig { return c.cfg }

// Call runs one call. On success the call's writes are applied to call.State (in write order; deletes, and puts
// of an empty value, as DelState/DelPrivateData) and the Result carries the output and events. On failure nothing
// is written to call.State and Result still carries the log and duration. After a trap the instance that ran the
// call is discarded; after a contract error it is kept (reset first under Snapshot), as after a success.
//
// # Errors
//
//   - ErrClosed when the contract or its engine is closed;
//   - ErrInvalidCall (wrapped) for a nil State, an empty, non-UTF-8 or too long function name, or arguments
//     above Limits.MaxArgsBytes;
//   - *ContractError when the contract reported an error (non-zero status, abort);
//   - *TrapError for a trap (Kind names which: wasm trap, host limit, ABI misuse, exit, timeout, host/ledger
//     failure), including a State that fails while the results are flushed (then the State may hold part of the
//     writes: a Fabric stub never fails there, Memory never does).
func (c *Contract) Call(ctx context.Context, call Call) (Result, error) { return c.call(ctx, call) }

// LoadTimings says where Load spent its time for this contract. On a CacheHit the module was known (same bytes,
// same pipeline inputs): Validate, Instrument and Rewrite are zero, because the gate's result and the instrumented,
// rewritten, compiled module come from the cache, and Compile is the lookup (hashing the submitted bytes).
type LoadTimings struct {
	// Validate is the deploy-time gate (decoding the module).
	Validate time.Duration
	// Instrument is the gas-metering instrumentation (meter.Instrument) and decoding its output; zero on an
	// unmetered engine.
	Instrument time.Duration
	// Rewrite is the deploy-time rewrite (global exports, memory maximum).
	Rewrite time.Duration
	// Compile is compilation, or the compile-cache lookup: from memory on a CacheHit, else wazero's compile,
	// which reads the disk compilation cache when the engine has one and the module is in it.
	Compile  time.Duration
	CacheHit bool
	// Initialize is instantiating the first instance, running _initialize and taking the snapshot.
	Initialize time.Duration
}

// LoadTimings returns where Load spent its time.
func (c *Contract) LoadTimings() LoadTimings { return c.timings }

// Instances returns the number of live instances of this contract (idle and running).
func (c *Contract) Instances() int { return int(c.live.Load()) }

// Close releases the contract's idle instances and its reference to the compiled module. Running calls finish;
// later calls return ErrClosed. Close is idempotent.
func (c *Contract) Close(ctx context.Context) error { return c.close(ctx) }
