package meter

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
)

// Algorithm is the version of the instrumentation algorithm. It changes whenever the same
// module and Config would produce different bytes or different gas, and it is part of
// Config.Hash.
const Algorithm = 1

// DepthSlotsPerUnit sets the weight of a frame in the depth limit: a call takes
// 1 + slots/DepthSlotsPerUnit units, where slots are the function's parameters, locals and
// maximum operand stack height. Ordinary frames weigh 1; a frame with thousands of locals
// weighs more, so the limit bounds stack memory and not just frame count.
const DepthSlotsPerUnit = 256

// Defaults, stated here and nowhere else.
const (
	// DefaultGasLimit is a suggested per-call gas limit: about 0.2 s of tight guest code.
	DefaultGasLimit uint64 = 200_000_000
	// DefaultDepthLimit is the default call-depth limit in units (see DepthSlotsPerUnit). It
	// stays below wazero's interpreter ceiling of 2,000 frames, so the limit, not the engine,
	// decides on every wazero engine.
	DefaultDepthLimit uint32 = 1000
	// DefaultInitialGas is the gas counter's value when an instance is created, which is all
	// the gas a start function has; Go's runtime start (_initialize) takes about 1.4 million.
	// Hosts reset the counter before calling _initialize like any export.
	DefaultInitialGas uint64 = 200_000_000
	// DefaultMaxModuleBytes is the largest module Instrument accepts (ABI §7).
	DefaultMaxModuleBytes = 16 << 20
	// DefaultMaxFunctionLocals caps the locals of one function.
	DefaultMaxFunctionLocals = 50_000
	// DefaultMaxModuleLocals caps the locals of all functions together.
	DefaultMaxModuleLocals = 4 << 20
)

// Config is the instrumenter's configuration. It is immutable: every With method returns a
// changed copy. The zero value is not useful; start from NewConfig.
type Config struct {
	costs             CostTable
	initialGas        uint64
	initialDepth      uint32
	maxModuleBytes    int
	maxFunctionLocals uint32
	maxModuleLocals   uint32
}

// NewConfig returns the default configuration: CostTableV1, DefaultInitialGas,
// DefaultDepthLimit as the initial depth, DefaultMaxModuleBytes, DefaultMaxFunctionLocals and
// DefaultMaxModuleLocals.
func NewConfig() Config {
	return Config{
		costs:             CostTableV1,
		initialGas:        DefaultInitialGas,
		initialDepth:      DefaultDepthLimit,
		maxModuleBytes:    DefaultMaxModuleBytes,
		maxFunctionLocals: DefaultMaxFunctionLocals,
		maxModuleLocals:   DefaultMaxModuleLocals,
	}
}

// WithCostTable returns a copy that prices execution with t.
func (c Config) WithCostTable(t CostTable) Config { c.costs = t; return c }

// WithInitialGas returns a copy whose instances start with g gas (at most math.MaxInt64).
func (c Config) WithInitialGas(g uint64) Config { c.initialGas = g; return c }

// WithInitialDepth returns a copy whose instances start with d depth units (at most math.MaxInt32).
func (c Config) WithInitialDepth(d uint32) Config { c.initialDepth = d; return c }

// WithMaxModuleBytes returns a copy that refuses modules larger than n bytes.
func (c Config) WithMaxModuleBytes(n int) Config { c.maxModuleBytes = n; return c }

// WithMaxFunctionLocals returns a copy that refuses functions with more than n locals.
func (c Config) WithMaxFunctionLocals(n uint32) Config { c.maxFunctionLocals = n; return c }

// CostTable returns the configured cost table.
func (c Config) CostTable() CostTable { return c.costs }

// Validate reports whether the configuration can be used.
//
// # Errors
//
//   - the cost table's own errors (see CostTable.Validate).
//   - an initial gas above math.MaxInt64 or an initial depth above math.MaxInt32.
//   - a non-positive module size limit.
func (c Config) Validate() error {
	if err := c.costs.Validate(); err != nil {
		return err
	}
	if c.initialGas > math.MaxInt64 {
		return fmt.Errorf("initial gas %d exceeds math.MaxInt64", c.initialGas)
	}
	if c.initialDepth > math.MaxInt32 {
		return fmt.Errorf("initial depth %d exceeds math.MaxInt32", c.initialDepth)
	}
	if c.maxModuleBytes <= 0 {
		return fmt.Errorf("max module bytes must be positive, got %d", c.maxModuleBytes)
	}
	return nil
}

// Hash returns the hex SHA-256 of everything that decides the instrumented bytes: Algorithm,
// DepthSlotsPerUnit, the cost table's hash and the initial gas and depth. The acceptance
// limits (module size, locals) are left out: they decide whether a module is instrumented,
// never how. Use it with the module's own hash as the compiled-module cache key.
func (c Config) Hash() string {
	b := []byte("medledger/meter config\x00")
	b = binary.LittleEndian.AppendUint32(b, Algorithm)
	b = binary.LittleEndian.AppendUint32(b, DepthSlotsPerUnit)
	b = append(b, c.costs.Hash()...)
	b = binary.LittleEndian.AppendUint64(b, c.initialGas)
	b = binary.LittleEndian.AppendUint32(b, c.initialDepth)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
