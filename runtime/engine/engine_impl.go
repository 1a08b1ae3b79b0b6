package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/medledger/medledger/runtime/engine/internal/rewrite"
)

// pipelineVersion names everything between the submitted bytes and the compiled code that is not visible in the
// final module bytes (host function semantics the compiled code depends on, the rewrite).
const pipelineVersion = "medledger-engine/v1+" + rewrite.Version

// compiledSizeFactor estimates compiled code size from module size, for the byte bound of the in-memory cache
// (wazero does not report the size of compiled code).
const compiledSizeFactor = 3

// compileKey is the one place the compile cache key is composed: the sha256 of the pipeline parts and the final
// (rewritten) module bytes. The metering cost-table hash becomes one more part when metering lands.
func compileKey(final []byte, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	h.Write(final)
	return hex.EncodeToString(h.Sum(nil))
}

type engine struct {
	cfg     Config
	rt      wazero.Runtime
	disk    wazero.CompilationCache
	cache   *cache.Cache[wazero.CompiledModule]
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
	e.cache = cache.New(cfg.memoryCacheBytes, func(cm wazero.CompiledModule) { _ = cm.Close(context.Background()) })
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
	var tm LoadTimings
	t0 := time.Now()
	info, mod, err := gate.Check(wasm, gate.Options{MaxModuleBytes: e.cfg.maxModuleBytes, MemoryPages: cfg.Limits.MemoryPages})
	if err != nil {
		return nil, validationError(err)
	}
	tm.Validate = time.Since(t0)
	t0 = time.Now()
	rw, err := rewrite.Rewrite(wasm, mod, cfg.Limits.MemoryPages)
	if err != nil {
		return nil, &ValidationError{Reason: ReasonMalformed, Message: err.Error()}
	}
	tm.Rewrite = time.Since(t0)
	t0 = time.Now()
	entry, hit, err := e.cache.Acquire(compileKey(rw.Wasm, pipelineVersion), func() (wazero.CompiledModule, int64, error) {
		cm, err := e.rt.CompileModule(ctx, rw.Wasm)
		return cm, int64(len(rw.Wasm)) * compiledSizeFactor, err
	})
	tm.Compile, tm.CacheHit = time.Since(t0), hit
	if hit {
		e.metrics.hits.Inc()
	} else {
		e.metrics.misses.Inc()
	}
	if err != nil {
		return nil, &ValidationError{Reason: ReasonCompile, Message: "module does not compile: " + err.Error()}
	}
	t0 = time.Now()
	c, err := newContract(ctx, e, name, ModuleInfo(info), cfg, entry, rw.Globals, rw.InitMemory)
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
