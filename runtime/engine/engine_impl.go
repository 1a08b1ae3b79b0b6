package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/engine/internal/cache"
	"github.com/medledger/medledger/runtime/engine/internal/gate"
	"github.com/medledger/medledger/runtime/engine/internal/host"
)

type engine struct {
	cfg     Config
	rt      wazero.Runtime
	disk    wazero.CompilationCache
	cache   *cache.Cache[*compiled]
	metrics *metrics

	mu        sync.Mutex
	contracts map[*contract]struct{}
	closed    atomic.Bool
}

func newEngine(cfg Config) (*engine, error) {
	if cfg.maxModuleBytes <= 0 {
		return nil, fmt.Errorf("engine: MaxModuleBytes must be positive, got %d", cfg.maxModuleBytes)
	}
	if err := cfg.ceilings.check(cfg.ceilings); err != nil {
		return nil, fmt.Errorf("engine: ceilings: %w", err)
	}
	if cfg.ceilings.MemoryPages == 0 || cfg.ceilings.MemoryPages > 65535 {
		return nil, fmt.Errorf("engine: ceiling MemoryPages must be 1..65535, got %d", cfg.ceilings.MemoryPages)
	}
	if cfg.metering {
		if cfg.ceilings.Gas == 0 {
			return nil, fmt.Errorf("engine: ceiling Gas must be positive when metering")
		}
		cfg.meter = cfg.meter.WithMaxModuleBytes(cfg.maxModuleBytes)
		if err := cfg.meter.Validate(); err != nil {
			return nil, fmt.Errorf("engine: meter: %w", err)
		}
	}
	m, err := newMetrics(cfg.registerer)
	if err != nil {
		return nil, fmt.Errorf("engine: metrics: %w", err)
	}
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2).
		WithCloseOnContextDone(cfg.closeOnContextDone).
		WithMemoryLimitPages(cfg.ceilings.MemoryPages)
	var disk wazero.CompilationCache
	if cfg.cacheDir != "" {
		if err := os.MkdirAll(cfg.cacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("engine: cache dir: %w", err)
		}
		if disk, err = wazero.NewCompilationCacheWithDir(cfg.cacheDir); err != nil {
			return nil, fmt.Errorf("engine: cache dir %s: %w", cfg.cacheDir, err)
		}
		rc = rc.WithCompilationCache(disk)
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	if err := host.Instantiate(ctx, rt); err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("engine: host modules: %w", err)
	}
	e := &engine{cfg: cfg, rt: rt, disk: disk, metrics: m, contracts: map[*contract]struct{}{}}
	e.cache = cache.New(cfg.memoryCacheBytes, func(c *compiled) { _ = c.module.Close(context.Background()) })
	return e, nil
}

func validationError(err error) error {
	var ge *gate.Error
	if errors.As(err, &ge) {
		return &ValidationError{Reason: ValidationReason(ge.Reason), Message: ge.Msg}
	}
	return err
}

func (e *engine) validate(wasm []byte, pages uint32) (ModuleInfo, error) {
	info, _, err := gate.Check(wasm, gate.Options{MaxModuleBytes: e.cfg.maxModuleBytes, MemoryPages: pages})
	if err != nil {
		return ModuleInfo{}, validationError(err)
	}
	if e.cfg.metering { // what the instrumentation refuses, every peer's Load would refuse
		if _, _, err := e.instrument(wasm); err != nil {
			return ModuleInfo{}, err
		}
	}
	return ModuleInfo(info), nil
}

func (e *engine) cacheStats() CacheStats {
	h, m, n, b := e.cache.Stats()
	return CacheStats{Hits: h, Misses: m, Entries: n, Bytes: b}
}

func (e *engine) load(ctx context.Context, name string, wasm []byte, cfg ContractConfig) (*Contract, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	if err := abi.ValidateContractName(name); err != nil {
		return nil, &ValidationError{Reason: ReasonName, Message: err.Error()}
	}
	if cfg.Isolation < Snapshot || cfg.Isolation > Pooled {
		return nil, &ValidationError{Reason: ReasonLimits, Message: fmt.Sprintf("unknown isolation %d", int(cfg.Isolation))}
	}
	if cfg.MaxIdleInstances < 0 {
		return nil, &ValidationError{Reason: ReasonLimits, Message: fmt.Sprintf("MaxIdleInstances = %d is negative", cfg.MaxIdleInstances)}
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if err := cfg.Limits.check(e.cfg.ceilings); err != nil {
		return nil, &ValidationError{Reason: ReasonLimits, Message: err.Error()}
	}
	if cfg.Limits.Timeout > 0 && !e.cfg.closeOnContextDone {
		return nil, &ValidationError{Reason: ReasonLimits, Message: "limit Timeout needs an engine configured WithCloseOnContextDone(true)"}
	}
	opt := gate.Options{MaxModuleBytes: e.cfg.maxModuleBytes, MemoryPages: cfg.Limits.MemoryPages}
	if len(wasm) > opt.MaxModuleBytes { // before hashing it
		return nil, validationError(gate.Recheck(gate.Info{Size: len(wasm)}, opt))
	}
	var tm LoadTimings
	t0 := time.Now()
	entry, hit, err := e.cache.Acquire(compileKey(sha256.Sum256(wasm), e.meterHash(), cfg.Limits.MemoryPages), func() (*compiled, int64, error) {
		return e.build(ctx, wasm, opt)
	})
	if hit {
		e.metrics.hits.Inc()
	} else {
		e.metrics.misses.Inc()
	}
	if err != nil {
		return nil, err
	}
	if err := gate.Recheck(gate.Info(entry.Value.info), opt); err != nil {
		e.cache.Release(entry)
		return nil, validationError(err)
	}
	tm.CacheHit = hit
	if hit {
		tm.Compile = time.Since(t0) // the lookup
	} else {
		v := entry.Value
		tm.Validate, tm.Instrument, tm.Rewrite = v.validate, v.instrument, v.rewrite
		tm.Compile = time.Since(t0) - tm.Validate - tm.Instrument - tm.Rewrite
	}
	t0 = time.Now()
	c, err := newContract(ctx, e, name, cfg, entry)
	if err != nil {
		e.cache.Release(entry)
		return nil, err
	}
	tm.Initialize = time.Since(t0)
	c.timings = tm
	e.mu.Lock()
	if e.closed.Load() {
		e.mu.Unlock()
		_ = c.close(ctx)
		return nil, ErrClosed
	}
	e.contracts[c] = struct{}{}
	e.mu.Unlock()
	return &Contract{c}, nil
}

func (e *engine) forget(c *contract) {
	e.mu.Lock()
	delete(e.contracts, c)
	e.mu.Unlock()
}

func (e *engine) close(ctx context.Context) error {
	if e.closed.Swap(true) {
		return nil
	}
	e.mu.Lock()
	cs := make([]*contract, 0, len(e.contracts))
	for c := range e.contracts {
		cs = append(cs, c)
	}
	e.mu.Unlock()
	for _, c := range cs {
		_ = c.close(ctx)
	}
	e.cache.Close()
	err := e.rt.Close(ctx)
	if e.disk != nil {
		if cerr := e.disk.Close(ctx); err == nil {
			err = cerr
		}
	}
	return err
}
