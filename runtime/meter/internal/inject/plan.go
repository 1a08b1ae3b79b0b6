// Package inject rewrites one function body: it charges gas at the start of every basic block
// that can execute, charges bulk memory, table and memory.grow operations by size, and counts
// call depth. The package doc of runtime/meter describes the cost model; this file finds the
// basic blocks, emit.go writes the new body.
package inject

import (
	"fmt"

	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// Costs are the charges the injector emits.
type Costs struct {
	// Class is the static cost of one instruction of each class; Class[ClassFree] must be 0.
	Class [wasmcode.NumClasses]int64
	// BulkByteShift: memory.copy, memory.fill and memory.init also cost ceil(n / 2^BulkByteShift).
	BulkByteShift uint8
	// BulkBytes turns the per-byte charge of bulk memory operations off when false.
	BulkBytes bool
	// TableElement is the extra cost per element of table.copy, table.fill, table.init, table.grow.
	TableElement int64
	// MemoryPage is the extra cost per page requested by memory.grow.
	MemoryPage int64
}

// Module is what the injector needs to know about the original module.
type Module struct {
	// Types is the original type section.
	Types []*wasm.FunctionType
	// FuncTypes holds the type index of every function, imports first.
	FuncTypes []uint32
	// ImportedFuncs is how many of FuncTypes are imports.
	ImportedFuncs uint32
	// Globals, Tables, Memories and Elems count those index spaces, imports included.
	Globals, Tables, Memories, Elems uint32
	// HasDataCount and DataCount describe the data-count section, which memory.init and
	// data.drop require.
	HasDataCount bool
	DataCount    uint32
}

// Env holds the indices of what the instrumenter added to the module.
type Env struct {
	// Gas is the i64 gas-left global; Depth the i32 depth-left global.
	Gas, Depth uint32
	// OutOfGas and DepthExceeded are () -> () functions that record the reason and trap.
	OutOfGas, DepthExceeded uint32
	// BlockType encodes the block type of the depth wrapper for a function with these results.
	BlockType func(results []wasm.ValueType) []byte
	// SlotsPerDepthUnit: a frame weighs 1 + slots/SlotsPerDepthUnit units of depth, where
	// slots are its parameters, locals and maximum operand stack height.
	SlotsPerDepthUnit uint32
}

// Result is a rewritten function.
type Result struct {
	// Body is the new body, ending with end; Locals the new local types (not parameters).
	Body   []byte
	Locals []byte
	// ChargePoints counts static gas charges, DynamicCharges size-dependent ones.
	ChargePoints, DynamicCharges int
	// DepthWeight is the depth units one call of this function takes; 0 when the function
	// calls no module function (a leaf cannot nest, so it is not counted).
	DepthWeight uint32
}

type siteKind uint8

const (
	siteCharge     siteKind = iota // static charge of segment seg
	siteBulk                       // per-byte charge; n is on top of the stack
	siteTable                      // per-element charge; n is on top of the stack
	siteGrow                       // per-page charge; delta is on top of the stack
	siteReturn                     // return, replaced by br to the wrapper block
	siteBeforeCall                 // store the cached gas counter for the callee (or host)
	siteAfterCall                  // reload the gas counter the callee (or host) changed
)

// site is an insertion (or, for siteReturn, a replacement) at offset at of the original body.
type site struct {
	at    int
	kind  siteKind
	seg   int    // siteCharge: index into plan.segs
	depth uint32 // blocks of the original function enclosing the site, its own label included
	end   int    // siteReturn: end of the replaced instruction
}

type frame struct {
	kind            wasmcode.Kind // KindBlock, KindLoop, KindIf, or KindOther for the function
	base            int           // operand stack height below the block's parameters
	params, results int
	unreachable     bool // after br, br_table, return or unreachable: the stack is polymorphic
	branched        bool // some branch targets the end of this block
	escapes         bool // some branch or return inside leaves this block for an outer one
	entry           int  // the segment current where the block starts
}

type plan struct {
	m        *Module
	c        *Costs
	locals   uint32 // parameters plus declared locals
	segs     []int64
	sites    []site
	frames   []frame
	h, maxH  int
	cur      int // current segment, or -1 in code that cannot execute
	nonLeaf  bool
	dynamics bool
}

// analyse walks the body once, checks every index it meets against the original module, and
// records where charges go. A basic block starts at the function entry, a loop head, each arm
// of an if, after the end of an if or of a block that is branched to, and after a br_if that
// stays in its loop; it is charged, on entry, for every instruction up to the next block
// start. Every instruction of a block runs at most once per entry, so the charge is exact
// unless a trap or a loop-exiting br_if leaves the block early.
func analyse(m *Module, c *Costs, typ *wasm.FunctionType, nLocals int, body []byte) (*plan, error) {
	p := &plan{m: m, c: c, locals: uint32(len(typ.Params) + nLocals)}
	p.frames = []frame{{kind: wasmcode.KindOther, results: len(typ.Results)}}
	p.cur = p.newSeg(0)
	var in wasmcode.Instr
	for pos := 0; ; {
		next, err := wasmcode.Read(body, pos, &in)
		if err != nil {
			return nil, err
		}
		if err := p.checkRefs(&in); err != nil {
			return nil, fmt.Errorf("offset %d: %s: %w", pos, in.Name, err)
		}
		if p.cur >= 0 {
			p.segs[p.cur] += c.Class[in.Class]
		}
		done, err := p.step(&in, next, len(body))
		if err != nil {
			return nil, fmt.Errorf("offset %d: %s: %w", pos, in.Name, err)
		}
		if done {
			return p, nil
		}
		pos = next
	}
}

// step applies one instruction's control flow and stack effect; it reports true at the
// function's final end.
func (p *plan) step(in *wasmcode.Instr, next, bodyLen int) (bool, error) {
	switch in.Kind {
	case wasmcode.KindBlock, wasmcode.KindLoop, wasmcode.KindIf:
		params, results, err := p.blockArity(in.Block)
		if err != nil {
			return false, err
		}
		p.pop(in.Pop + params)
		p.frames = append(p.frames, frame{kind: in.Kind, base: p.h, params: params, results: results, entry: p.cur})
		p.push(params)
		if in.Kind != wasmcode.KindBlock {
			p.cur = p.newSeg(next)
		}
	case wasmcode.KindElse:
		f := &p.frames[len(p.frames)-1]
		if f.kind != wasmcode.KindIf {
			return false, fmt.Errorf("else without if")
		}
		f.kind, f.unreachable = wasmcode.KindElse, false
		p.h = f.base + f.params
		p.cur = p.newSeg(next)
	case wasmcode.KindEnd:
		if len(p.frames) == 1 {
			if next != bodyLen {
				return false, fmt.Errorf("%d bytes after the function's final end", bodyLen-next)
			}
			return true, nil
		}
		f := p.frames[len(p.frames)-1]
		p.frames = p.frames[:len(p.frames)-1]
		p.h = f.base
		p.push(f.results)
		switch {
		case !f.escapes:
			// Every way through the block ends here, so what follows runs exactly once per
			// run of the code before the block: charge it there.
			p.cur = f.entry
		case f.kind == wasmcode.KindIf || f.kind == wasmcode.KindElse || (f.kind == wasmcode.KindBlock && f.branched):
			p.cur = p.newSeg(next)
		}
		// Otherwise (a loop, or a block nobody branches to) execution continues only by
		// falling out of the current segment, whose charge then covers what follows.
	case wasmcode.KindBr:
		if err := p.target(in.Label); err != nil {
			return false, err
		}
		p.unreachable()
	case wasmcode.KindBrIf:
		p.pop(in.Pop)
		if err := p.target(in.Label); err != nil {
			return false, err
		}
		// The fall-through of a br_if starts a new block, except when the branch leaves the
		// innermost loop: then the fall-through is the loop going on, and charging it with
		// the loop head overcharges only once, when the loop exits. This halves the charges
		// of while-shaped loops ("loop; br_if $exit; body; br $loop").
		if !p.exitsLoop(in.Label) {
			p.cur = p.newSeg(next)
		}
	case wasmcode.KindBrTable:
		p.pop(in.Pop)
		if err := p.targets(in.Labels); err != nil {
			return false, err
		}
		p.unreachable()
	case wasmcode.KindReturn:
		p.sites = append(p.sites, site{at: in.Start, end: in.End, kind: siteReturn, depth: p.depth()})
		p.escape(0)
		p.unreachable()
	case wasmcode.KindUnreachable:
		p.unreachable()
	case wasmcode.KindCall, wasmcode.KindCallIndirect:
		var t *wasm.FunctionType
		if idx := in.Refs[0].Index; in.Kind == wasmcode.KindCall {
			t = p.m.Types[p.m.FuncTypes[idx]]
			p.nonLeaf = p.nonLeaf || idx >= p.m.ImportedFuncs
		} else { // call_indirect: the first immediate is the type index
			t = p.m.Types[idx]
			p.nonLeaf = true
		}
		p.sites = append(p.sites, site{at: in.Start, kind: siteBeforeCall}, site{at: in.End, kind: siteAfterCall})
		p.pop(in.Pop + len(t.Params))
		p.push(len(t.Results))
	case wasmcode.KindMemoryGrow:
		p.dynamic(in.Start, siteGrow, p.c.MemoryPage > 0)
		p.pop(in.Pop)
		p.push(in.Push)
	case wasmcode.KindBulkMemory:
		p.dynamic(in.Start, siteBulk, p.c.BulkBytes)
		p.pop(in.Pop)
		p.push(in.Push)
	case wasmcode.KindBulkTable:
		p.dynamic(in.Start, siteTable, p.c.TableElement > 0)
		p.pop(in.Pop)
		p.push(in.Push)
	default:
		p.pop(in.Pop)
		p.push(in.Push)
	}
	return false, nil
}

func (p *plan) newSeg(at int) int {
	p.segs = append(p.segs, 0)
	p.sites = append(p.sites, site{at: at, kind: siteCharge, seg: len(p.segs) - 1, depth: p.depth()})
	return len(p.segs) - 1
}

func (p *plan) dynamic(at int, k siteKind, enabled bool) {
	if enabled {
		p.sites = append(p.sites, site{at: at, kind: k, depth: p.depth()})
		p.dynamics = true
	}
}

// depth is the number of labels of the original function in scope, the function's own included.
func (p *plan) depth() uint32 { return uint32(len(p.frames)) }

// target checks a branch depth, marks the block whose end it jumps to and the blocks it leaves.
func (p *plan) target(label uint32) error {
	if int64(label) >= int64(len(p.frames)) {
		return fmt.Errorf("branch depth %d exceeds the %d enclosing blocks", label, len(p.frames))
	}
	t := len(p.frames) - 1 - int(label)
	p.frames[t].branched = true
	p.escape(t)
	return nil
}

// targets is target for every label of a br_table, marking escapes once for the outermost.
func (p *plan) targets(labels []uint32) error {
	outer := uint32(0)
	for _, l := range labels {
		if int64(l) >= int64(len(p.frames)) {
			return fmt.Errorf("branch depth %d exceeds the %d enclosing blocks", l, len(p.frames))
		}
		p.frames[len(p.frames)-1-int(l)].branched = true
		outer = max(outer, l)
	}
	p.escape(len(p.frames) - 1 - int(outer))
	return nil
}

// escape marks every block inside frame t as left early.
func (p *plan) escape(t int) {
	for i := t + 1; i < len(p.frames); i++ {
		p.frames[i].escapes = true
	}
}

// exitsLoop reports whether a branch to label leaves the innermost enclosing loop.
func (p *plan) exitsLoop(label uint32) bool {
	target := len(p.frames) - 1 - int(label)
	for i := len(p.frames) - 1; i > target; i-- {
		if p.frames[i].kind == wasmcode.KindLoop {
			return true
		}
	}
	return false
}

func (p *plan) unreachable() {
	f := &p.frames[len(p.frames)-1]
	f.unreachable = true
	p.h = f.base
	p.cur = -1
}

func (p *plan) push(n int) {
	p.h += n
	if p.h > p.maxH {
		p.maxH = p.h
	}
}

// pop lowers the stack height, never below the current block's base: in valid code that only
// happens in unreachable code, where the stack is polymorphic.
func (p *plan) pop(n int) {
	p.h -= n
	if base := p.frames[len(p.frames)-1].base; p.h < base {
		p.h = base
	}
}

func (p *plan) blockArity(bt wasmcode.BlockType) (params, results int, err error) {
	switch bt.Kind {
	case wasmcode.BlockValue:
		return 0, 1, nil
	case wasmcode.BlockIndex:
		t := p.m.Types[bt.Index] // checkRefs proved the index
		return len(t.Params), len(t.Results), nil
	}
	return 0, 0, nil
}

// checkRefs proves every index immediate refers to something the original module has.
// Without this an invalid module could become valid after instrumentation, for example a
// global.set on the index the gas counter is about to take.
func (p *plan) checkRefs(in *wasmcode.Instr) error {
	for _, r := range in.Refs[:in.NRefs] {
		var limit uint32
		switch r.Space {
		case wasmcode.SpaceLocal:
			limit = p.locals
		case wasmcode.SpaceGlobal:
			limit = p.m.Globals
		case wasmcode.SpaceFunc:
			limit = uint32(len(p.m.FuncTypes))
		case wasmcode.SpaceType:
			limit = uint32(len(p.m.Types))
		case wasmcode.SpaceTable:
			limit = p.m.Tables
		case wasmcode.SpaceMemory:
			limit = p.m.Memories
		case wasmcode.SpaceElem:
			limit = p.m.Elems
		case wasmcode.SpaceData:
			if !p.m.HasDataCount {
				return fmt.Errorf("requires a data count section")
			}
			limit = p.m.DataCount
		}
		if r.Index >= limit {
			return fmt.Errorf("%s index %d out of range (the module has %d)", r.Space, r.Index, limit)
		}
	}
	return nil
}
