package engine

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/medledger/medledger/runtime/meter"
)

// Config configures an Engine. It is immutable: every With* method returns a modified copy, so a Config can be
// shared and specialised freely. The zero Config is not valid; start from NewConfig.
type Config struct {
	cacheDir           string
	memoryCacheBytes   int64
	registerer         prometheus.Registerer
	closeOnContextDone bool
	maxModuleBytes     int
	ceilings           Limits
	metering           bool
	meter              meter.Config
}

// defaultConfig holds every engine default in one place.
var defaultConfig = Config{
	cacheDir:           "",
	memoryCacheBytes:   256 << 20,
	registerer:         nil,
	closeOnContextDone: false,
	maxModuleBytes:     16 << 20,
	ceilings:           CeilingLimits,
	metering:           true,
	meter:              meter.NewConfig(),
}

// NewConfig returns the default configuration:
//   - no disk compilation cache (WithCacheDir),
//   - a 256 MiB in-memory cache of compiled modules (WithMemoryCacheBytes),
//   - metrics not registered anywhere (WithRegisterer),
//   - no wall-clock interruption of running guests (WithCloseOnContextDone(false)),
//   - a 16 MiB module size cap (WithMaxModuleBytes),
//   - CeilingLimits as the ceiling of any contract's Limits (WithCeilings),
//   - deterministic gas metering with meter.NewConfig() (cost table meter.CostTableV1) (WithMeter, WithMetering).
func NewConfig() Config { return defaultConfig }

// WithCacheDir returns a copy of c that keeps compiled code in dir (wazero's disk compilation cache), so a
// restarted process compiles a known module from disk instead of from scratch. "" disables the disk cache.
func (c Config) WithCacheDir(dir string) Config { c.cacheDir = dir; return c }

// WithMemoryCacheBytes returns a copy of c whose in-memory LRU of compiled modules holds at most n bytes of
// modules no loaded Contract uses (compiled size is estimated as 3× the module size: wazero does not report it).
// Modules in use are never evicted. n <= 0 keeps only modules in use.
func (c Config) WithMemoryCacheBytes(n int64) Config { c.memoryCacheBytes = n; return c }

// WithRegisterer returns a copy of c whose Engine registers its Prometheus metrics with r. nil (the default)
// keeps metrics unregistered. Two engines cannot share one registerer (their metric names collide).
func (c Config) WithRegisterer(r prometheus.Registerer) Config { c.registerer = r; return c }

// WithCloseOnContextDone returns a copy of c whose running guests stop when the call's context is done, and whose
// contracts may set Limits.Timeout. It makes compiled code check the context in loops and calls, and whether a
// call finishes would then depend on timing, so use it only for engines that serve read-only queries and
// simulation. The endorsement path runs without it: gas and the call-depth limit bound every call (ABI.md §11.8).
func (c Config) WithCloseOnContextDone(on bool) Config { c.closeOnContextDone = on; return c }

// WithMaxModuleBytes returns a copy of c that rejects modules larger than n bytes at validation.
func (c Config) WithMaxModuleBytes(n int) Config { c.maxModuleBytes = n; return c }

// WithCeilings returns a copy of c in which no contract's Limits may exceed l. l.Gas is also the most a single
// Call may ask for (Call.GasLimit).
func (c Config) WithCeilings(l Limits) Config { c.ceilings = l; return c }

// WithMeter returns a copy of c that instruments modules with m: its cost table prices every call, and its Hash is
// part of the compile cache key, so changing prices never reuses code compiled with other prices. Its module size
// limit is replaced by the engine's (WithMaxModuleBytes).
func (c Config) WithMeter(m meter.Config) Config { c.meter = m; return c }

// WithMetering returns a copy of c that meters gas and call depth (on, the default) or not. Turning it off is for
// tests and benchmarks that compare metered and unmetered runs of the same module: an unmetered call is bounded
// by nothing but a wall-clock guard (WithCloseOnContextDone), reports GasUsed 0, and compiles to other code (the
// compile cache keeps the two apart).
func (c Config) WithMetering(on bool) Config { c.metering = on; return c }

// CacheDir returns the disk compilation cache directory ("" when none).
func (c Config) CacheDir() string { return c.cacheDir }

// MaxModuleBytes returns the module size cap.
func (c Config) MaxModuleBytes() int { return c.maxModuleBytes }

// Ceilings returns the host ceilings of contract limits.
func (c Config) Ceilings() Limits { return c.ceilings }

// Metering reports whether the engine meters gas and call depth.
func (c Config) Metering() bool { return c.metering }

// Meter returns the instrumentation configuration (its cost table prices calls when Metering is on).
func (c Config) Meter() meter.Config { return c.meter }
