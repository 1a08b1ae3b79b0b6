package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/engine/internal/cache"
	"github.com/medledger/medledger/runtime/engine/internal/host"
	"github.com/medledger/medledger/runtime/engine/internal/snapmem"
	"github.com/medledger/medledger/runtime/meter"
)

type contract struct {
	e        *engine
	name     string
	ns       string
	info     ModuleInfo
	cfg      ContractConfig
	hostLim  host.Limits
	entry    *cache.Entry[*compiled]
	modCfg   wazero.ModuleConfig
	globals  []string // exported mutable globals, restored by Snapshot
	codeHash [32]byte
	initSeed [32]byte
	initMem  []byte // initial memory content (data segments applied, shared with the cache entry); kept for Fresh
	snap     *snapshot
	image    *snapmem.Image // copy-on-write snapshot memory; nil means copying the snapshot on reset
	idle     chan *instance
	live     atomic.Int64
	closed   atomic.Bool
	metrics  *contractMetrics
	timings  LoadTimings
}

// instance is one instantiated guest.
type instance struct {
	mod     api.Module
	mem     api.Memory
	invoke  api.Function
	init    api.Function // nil when the module has no _initialize
	globals []api.MutableGlobal
	gas     *meter.Counters // the metering globals; nil on an unmetered engine
	view    *snapmem.View   // the instance's private mapping of the contract's image, or nil
	dirty   bool            // must be reset to the snapshot before its next call
	stack   [1]uint64
}

// snapshot is a clean post-_initialize state: memory (up to the last non-zero byte) and mutable globals.
type snapshot struct {
	mem     []byte
	memSize uint32 // memory size in bytes when taken
	globals []uint64
}

func newContract(ctx context.Context, e *engine, name string, cfg ContractConfig, entry *cache.Entry[*compiled]) (*contract, error) {
	if cfg.MaxIdleInstances == 0 {
		cfg.MaxIdleInstances = runtime.GOMAXPROCS(0)
	}
	l := cfg.Limits
	c := &contract{
		e: e, name: name, ns: abi.Namespace(name), info: entry.Value.info, cfg: cfg, entry: entry,
		globals: entry.Value.globals, initMem: entry.Value.initMem,
		hostLim: host.Limits{
			MaxKeyBytes: l.MaxKeyBytes, MaxValueBytes: l.MaxValueBytes, MaxRangePage: l.MaxRangePage,
			MaxRangeBytes: l.MaxRangeBytes, MaxResultBytes: l.MaxResultBytes, MaxEvents: l.MaxEvents,
			MaxEventNameBytes: l.MaxEventNameBytes, MaxEventPayloadBytes: l.MaxEventPayloadBytes,
			MaxLogBytes: l.MaxLogBytes, MaxWrites: l.MaxWrites,
		},
		// Anonymous instances (many per compiled module) and no start functions: _initialize runs under our control.
		modCfg:  wazero.NewModuleConfig().WithName("").WithStartFunctions(),
		idle:    make(chan *instance, cfg.MaxIdleInstances),
		metrics: e.metrics.forContract(name, cfg.Isolation),
	}
	if _, err := hex.Decode(c.codeHash[:], []byte(c.info.SHA256)); err != nil { // the gate wrote it: 64 hex digits
		return nil, fmt.Errorf("engine: module hash %q: %w", c.info.SHA256, err)
	}
	c.initSeed = sha256.Sum256(c.codeHash[:])

	// The first instance proves the module instantiates and initialises, so a bad module fails at Load.
	inst, err := c.newInitialized(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Isolation == Fresh {
		c.discard(ctx, inst)
		return c, nil
	}
	c.snap = c.takeSnapshot(inst)
	c.initMem = nil
	buf, _ := inst.mem.Read(0, inst.mem.Size())
	if im, err := snapmem.NewImage(buf, int(cfg.Limits.MemoryPages)*PageSize); err == nil && copyOnWrite {
		// From now on instances map the image; the initialising instance (Go-heap memory) is not needed.
		c.image = im
		c.discard(ctx, inst)
		if inst, err = c.fromSnapshot(ctx); err != nil {
			c.image.Close()
			return nil, err
		}
	}
	c.release(ctx, inst)
	return c, nil
}

// instantiate creates a bare instance: memory from the data segments, nothing run. With an image, its memory is
// a private mapping of the image.
func (c *contract) instantiate(ctx context.Context) (*instance, error) {
	var view *snapmem.View
	if c.image != nil {
		ctx = experimental.WithMemoryAllocator(ctx, c.image.Allocator(func(v *snapmem.View) { view = v }))
	} else if a := snapmem.Anonymous(); a != nil { // memory.grow must not copy the memory (metering prices it linearly)
		ctx = experimental.WithMemoryAllocator(ctx, a)
	}
	mod, err := c.e.rt.InstantiateModule(ctx, c.entry.Value.module, c.modCfg)
	if err != nil {
		return nil, err
	}
	inst := &instance{mod: mod, view: view, mem: mod.ExportedMemory(abi.ExportMemory), invoke: mod.ExportedFunction(abi.ExportInvoke),
		init: mod.ExportedFunction(abi.ExportInitialize)}
	for _, g := range c.globals {
		mg, ok := mod.ExportedGlobal(g).(api.MutableGlobal)
		if !ok {
			_ = mod.Close(ctx)
			return nil, fmt.Errorf("engine: rewritten global %s is not mutable", g)
		}
		inst.globals = append(inst.globals, mg)
	}
	if c.entry.Value.metered {
		if inst.gas, err = meter.Bind(mod); err != nil {
			_ = mod.Close(ctx)
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	c.live.Add(1)
	c.metrics.instances.Inc()
	c.metrics.created.Inc()
	return inst, nil
}

// newInitialized instantiates and runs _initialize (Fresh, and the first instance of every contract).
func (c *contract) newInitialized(ctx context.Context) (*instance, error) {
	inst, err := c.instantiate(ctx)
	if err != nil {
		return nil, &ValidationError{Reason: ReasonCompile, Message: "module does not instantiate: " + err.Error()}
	}
	// The data segments' bytes, which the deploy-time rewrite moved out of the module.
	buf, ok := inst.mem.Read(0, uint32(len(c.initMem)))
	if !ok {
		c.discard(ctx, inst)
		return nil, &ValidationError{Reason: ReasonMemory, Message: "instance memory is smaller than its initial pages"}
	}
	copy(buf, c.initMem)
	if inst.init == nil {
		return inst, nil
	}
	hc := &host.Call{Contract: c.name, NS: c.ns, Function: abi.ExportInitialize, Limits: c.hostLim, Seed: c.initSeed,
		Timestamp: initTimestamp, Gas: c.gasFor(inst)}
	if err := c.resetGas(inst, initGas); err != nil {
		c.discard(ctx, inst)
		return nil, err
	}
	if err := inst.init.CallWithStack(host.WithCall(ctx, hc), inst.stack[:]); err != nil {
		hc.FinishLog()
		_, terr := c.classify(abi.ExportInitialize, hc, err, c.gasOutcome(inst, initGas))
		c.discard(ctx, inst)
		return nil, terr
	}
	return inst, nil
}

// copyOnWrite enables snapmem images; tests turn it off to cover the copying fallback.
var copyOnWrite = true

// initTimestamp is what every clock reads during _initialize: 1 ns after the Unix epoch, because Go's runtime
// refuses a clock that reads zero ("nanotime returning zero").
const initTimestamp = 1

// fromSnapshot makes a new instance in the snapshot state without running _initialize.
func (c *contract) fromSnapshot(ctx context.Context) (*instance, error) {
	inst, err := c.instantiate(ctx)
	if err != nil {
		return nil, err
	}
	if cur := inst.mem.Size(); cur < c.snap.memSize {
		if _, ok := inst.mem.Grow((c.snap.memSize - cur) / PageSize); !ok {
			c.discard(ctx, inst)
			return nil, fmt.Errorf("engine: cannot grow new instance to the snapshot's %d bytes", c.snap.memSize)
		}
	}
	if inst.view != nil {
		// Drop the pages wazero wrote while instantiating (data segments): the memory reads as the snapshot.
		buf, _ := inst.mem.Read(0, inst.mem.Size())
		if err := inst.view.Discard(buf); err != nil {
			c.discard(ctx, inst)
			return nil, err
		}
		c.setGlobals(inst)
		return inst, nil
	}
	inst.dirty = true
	return inst, nil
}

func (c *contract) setGlobals(inst *instance) {
	for i, g := range inst.globals {
		g.Set(c.snap.globals[i])
	}
	inst.dirty = false
}

func (c *contract) takeSnapshot(inst *instance) *snapshot {
	size := inst.mem.Size()
	buf, _ := inst.mem.Read(0, size)
	used := len(buf)
	for used > 0 && buf[used-1] == 0 {
		used--
	}
	s := &snapshot{mem: append([]byte(nil), buf[:used]...), memSize: size}
	for _, g := range inst.globals {
		s.globals = append(s.globals, g.Get())
	}
	return s
}

// reset puts inst back into the snapshot state: restore the memory and the mutable globals (an instance whose
// memory grew was discarded at release, so the sizes match). With an image only the pages the last call wrote are restored; without, the whole snapshot
// is copied.
//
// # Errors
//
// Reading the page map failed; the instance must then be discarded.
func (c *contract) reset(inst *instance) error {
	buf, _ := inst.mem.Read(0, inst.mem.Size())
	if inst.view != nil {
		if _, err := inst.view.Reset(buf); err != nil {
			return err
		}
	} else {
		n := copy(buf, c.snap.mem)
		clear(buf[n:])
	}
	c.setGlobals(inst)
	return nil
}

// acquire returns an instance ready for a call.
func (c *contract) acquire(ctx context.Context) (*instance, error) {
	if c.cfg.Isolation == Fresh {
		return c.newInitialized(ctx)
	}
	var inst *instance
	select {
	case inst = <-c.idle:
	default:
		var err error
		if inst, err = c.fromSnapshot(ctx); err != nil {
			return nil, err
		}
	}
	if inst.dirty {
		if err := c.reset(inst); err != nil {
			c.discard(ctx, inst)
			return nil, err
		}
	}
	return inst, nil
}

// release returns a healthy instance to the idle pool, or closes it when the pool is full or the contract closed.
func (c *contract) release(ctx context.Context, inst *instance) {
	if c.cfg.Isolation == Fresh || c.closed.Load() {
		c.discard(ctx, inst)
		return
	}
	// Snapshot resets before the next call; Pooled keeps the warm state as it is.
	inst.dirty = c.cfg.Isolation == Snapshot
	if inst.dirty && inst.mem.Size() != c.snap.memSize {
		// The call grew memory, which cannot shrink again: the next call must see the snapshot's memory.size
		// (and later, pay the same gas for growing), so this instance goes.
		c.discard(ctx, inst)
		return
	}
	select {
	case c.idle <- inst:
		if c.closed.Load() { // raced with close: drain again
			c.drain(ctx)
		}
	default:
		c.discard(ctx, inst)
	}
}

func (c *contract) discard(ctx context.Context, inst *instance) {
	_ = inst.mod.Close(ctx)
	c.live.Add(-1)
	c.metrics.instances.Dec()
}

func (c *contract) drain(ctx context.Context) {
	for {
		select {
		case inst := <-c.idle:
			c.discard(ctx, inst)
		default:
			return
		}
	}
}

func (c *contract) close(ctx context.Context) error {
	if c.closed.Swap(true) {
		return nil
	}
	c.drain(ctx)
	if c.image != nil {
		c.image.Close() // instances still running keep their own mappings
	}
	c.e.cache.Release(c.entry)
	c.e.forget(c)
	return nil
}
