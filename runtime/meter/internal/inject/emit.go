package inject

import (
	"github.com/tetratelabs/wabin/wasm"

	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// Opcodes the injected code uses.
const (
	opUnreachable = 0x00
	opBlock       = 0x02
	opIf          = 0x04
	opEnd         = 0x0b
	opBr          = 0x0c
	opBrIf        = 0x0d
	opReturn      = 0x0f
	opCall        = 0x10
	opLocalGet    = 0x20
	opLocalSet    = 0x21
	opLocalTee    = 0x22
	opGlobalGet   = 0x23
	opGlobalSet   = 0x24
	opI32Const    = 0x41
	opI64Const    = 0x42
	opI32LtS      = 0x48
	opI64LtS      = 0x53
	opI32Add      = 0x6a
	opI32Sub      = 0x6b
	opI64Add      = 0x7c
	opI64Sub      = 0x7d
	opI64Mul      = 0x7e
	opI64ShrU     = 0x88
	opI64ExtU     = 0xad // i64.extend_i32_u
	emptyBlock    = 0x40
)

// injectedStack is the most operand stack slots any injected sequence adds.
const injectedStack = 3

// Function rewrites the body of function fn (an index in the function index space) whose
// declared locals are locals. The new body is
//
//	[block $depth                                        only if the function calls module functions
//	   depth -= w; br_if $depth (depth < 0)]
//	   gas_local = gas
//	   block $trap
//	     block $body (result <the function's results>)
//	       <the original body, charged; return becomes br $body>
//	     end
//	     gas = gas_local; [depth += w]; return
//	   end
//	   gas = gas_local; out_of_gas(); unreachable
//	[end; depth_exceeded(); unreachable]
//
// Why: the counter lives in a local, which the compiler keeps in a register, and running out
// branches (br_if) to out-of-line trap paths. A charge is then a subtract, a compare and a
// branch that is never taken: +5% on the tightest loop, where a global store per charge costs
// +99% and a call +397% (ABI-gas.md §9.10). The global is written where someone else reads
// it: before every call (the callee or host function continues from it), at the exit and on
// the way to the trap; it is read back after every call. The original function label now names $body,
// which has the function's results, so branches to it still return.
//
// # Errors
//
//   - an error naming the offset and instruction for anything the instruction decoder
//     refuses, an index outside the original module, a branch deeper than its blocks,
//     else without if, or bytes after the final end.
func Function(m *Module, env *Env, c *Costs, fn uint32, locals []byte, body []byte) (Result, error) {
	typ := m.Types[m.FuncTypes[fn]]
	p, err := analyse(m, c, typ, len(locals), body)
	if err != nil {
		return Result{}, err
	}
	res := Result{Locals: append(append(make([]byte, 0, len(locals)+2), locals...), wasm.ValueTypeI64)}
	e := emitter{env: env, c: c, gas: uint32(len(typ.Params) + len(locals))}
	if p.dynamics || p.nonLeaf { // the depth check borrows the scratch local too
		e.scratch = e.gas + 1
		res.Locals = append(res.Locals, wasm.ValueTypeI32)
	}
	e.out = make([]byte, 0, len(body)+len(body)/2+48)

	if p.nonLeaf {
		slots := uint64(len(typ.Params)+len(res.Locals)) + uint64(p.maxH) + injectedStack
		w := 1 + slots/uint64(env.SlotsPerDepthUnit)
		if w > 1<<20 {
			w = 1 << 20 // keeps the i32 arithmetic far from overflow; such a frame trips the limit at once
		}
		res.DepthWeight = uint32(w)
		e.op(opBlock, emptyBlock) // $depth
		e.global(opGlobalGet, env.Depth)
		e.op(opI32Const).s64(int64(w)).op(opI32Sub)
		e.local(opLocalTee, e.scratch)
		e.global(opGlobalSet, env.Depth)
		e.local(opLocalGet, e.scratch)
		e.op(opI32Const, 0, opI32LtS, opBrIf, 0)
	}
	e.global(opGlobalGet, env.Gas)
	e.local(opLocalSet, e.gas)
	e.op(opBlock, emptyBlock, opBlock)
	e.out = append(e.out, env.BlockType(typ.Results)...)

	last := 0
	for _, s := range p.sites {
		e.out = append(e.out, body[last:s.at]...)
		last = s.at
		switch s.kind {
		case siteCharge:
			if cost := p.segs[s.seg]; cost > 0 {
				e.local(opLocalGet, e.gas)
				e.op(opI64Const).s64(cost).op(opI64Sub)
				e.trapIfNegative(s.depth)
				res.ChargePoints++
			}
		case siteReturn:
			e.op(opBr).u32(s.depth - 1) // $body
			last = s.end
		case siteBeforeCall:
			e.syncOut()
		case siteAfterCall:
			e.global(opGlobalGet, env.Gas)
			e.local(opLocalSet, e.gas)
		default:
			e.dynamic(s.kind, s.depth)
			res.DynamicCharges++
		}
	}
	e.out = append(e.out, body[last:]...) // its final end now closes $body
	e.syncOut()
	if p.nonLeaf {
		e.global(opGlobalGet, env.Depth)
		e.op(opI32Const).s64(int64(res.DepthWeight)).op(opI32Add)
		e.global(opGlobalSet, env.Depth)
	}
	e.op(opReturn, opEnd) // closes $trap
	e.syncOut()
	e.op(opCall).u32(env.OutOfGas).op(opUnreachable)
	if p.nonLeaf {
		e.op(opEnd).op(opCall).u32(env.DepthExceeded).op(opUnreachable) // closes $depth
	}
	res.Body = e.op(opEnd).out
	return res, nil
}

// emitter appends injected instructions.
type emitter struct {
	env     *Env
	c       *Costs
	gas     uint32 // the i64 local caching the gas counter
	scratch uint32 // the i32 local holding a bulk operation's count
	out     []byte
}

func (e *emitter) op(b ...byte) *emitter    { e.out = append(e.out, b...); return e }
func (e *emitter) u32(v uint32) *emitter    { e.out = wasmcode.AppendU32(e.out, v); return e }
func (e *emitter) s64(v int64) *emitter     { e.out = wasmcode.AppendS64(e.out, v); return e }
func (e *emitter) local(op byte, i uint32)  { e.op(op).u32(i) }
func (e *emitter) global(op byte, i uint32) { e.op(op).u32(i) }

// trapIfNegative takes the new counter value from the stack, keeps it in the local and
// branches to $trap if it is negative. depth is the site's count of original labels; the
// outermost of them is now $body, so $body is label depth-1 and $trap label depth.
func (e *emitter) trapIfNegative(depth uint32) {
	e.local(opLocalTee, e.gas)
	e.op(opI64Const, 0, opI64LtS, opBrIf).u32(depth)
}

// syncOut stores the cached counter in the global.
func (e *emitter) syncOut() {
	e.local(opLocalGet, e.gas)
	e.global(opGlobalSet, e.env.Gas)
}

// dynamic charges by the i32 count on top of the stack and leaves the count in place:
// local.tee n; local.get gas; local.get n; i64.extend_i32_u; <scale>; i64.sub; <trapIfNegative>.
func (e *emitter) dynamic(k siteKind, depth uint32) {
	e.local(opLocalTee, e.scratch)
	e.local(opLocalGet, e.gas)
	e.local(opLocalGet, e.scratch)
	e.op(opI64ExtU)
	switch k {
	case siteBulk: // ceil(n / 2^shift)
		if sh := e.c.BulkByteShift; sh > 0 {
			e.op(opI64Const).s64(int64(1)<<sh - 1).op(opI64Add)
			e.op(opI64Const).s64(int64(sh)).op(opI64ShrU)
		}
	case siteTable:
		e.multiply(e.c.TableElement)
	case siteGrow:
		e.multiply(e.c.MemoryPage)
	}
	e.op(opI64Sub)
	e.trapIfNegative(depth)
}

func (e *emitter) multiply(k int64) {
	if k != 1 {
		e.op(opI64Const).s64(k).op(opI64Mul)
	}
}
