package wasmcode

import (
	"fmt"
	"math"
)

// BlockType is the decoded type of a block, loop or if: no value, one value type, or an index
// into the module's type section.
type BlockType struct {
	// Kind is BlockEmpty, BlockValue or BlockIndex.
	Kind uint8
	// Value is the value type when Kind is BlockValue.
	Value byte
	// Index is the type index when Kind is BlockIndex.
	Index uint32
}

// The block type kinds.
const (
	BlockEmpty uint8 = iota
	BlockValue
	BlockIndex
)

// Ref is an index immediate together with the index space it refers to.
type Ref struct {
	Space Space
	Index uint32
}

// Instr is one decoded instruction. Slices in it are reused by the next Read into the same Instr.
type Instr struct {
	// Op is the first opcode byte; Sub is the sub-opcode after the 0xFC prefix.
	Op  byte
	Sub uint32
	// Start and End delimit the instruction (opcode and immediates) in the body.
	Start, End int
	Name       string
	Class      Class
	Kind       Kind
	// Pop and Push are the fixed stack effect; for calls and structured instructions the
	// caller adds what the types say.
	Pop, Push int
	// Block is the block type of block, loop and if.
	Block BlockType
	// Label is the branch depth of br and br_if.
	Label uint32
	// Labels holds the targets of br_table, the default target last.
	Labels []uint32
	// Refs are the index immediates (at most two).
	Refs  [2]Ref
	NRefs int
}

// Read decodes the instruction at body[pos:] into in and returns the position after it.
// Only the instruction set of WebAssembly 2.0 without SIMD is accepted: MVP, bulk memory,
// reference types, sign extension, non-trapping float-to-int and multi-value.
//
// # Errors
//
//   - ErrTruncated (wrapped) when the body ends inside the instruction.
//   - an error naming the opcode and offset for an unknown or unsupported opcode (SIMD,
//     threads, tail calls, exceptions), a malformed integer, a non-zero reserved byte, or a
//     br_table longer than the remaining body.
func Read(body []byte, pos int, in *Instr) (int, error) {
	if pos >= len(body) {
		return 0, fmt.Errorf("offset %d: %w", pos, ErrTruncated)
	}
	c := body[pos]
	in.Op, in.Sub, in.Start = c, 0, pos
	in.NRefs, in.Labels, in.Block = 0, in.Labels[:0], BlockType{}
	p := pos + 1
	var o op
	if c == 0xfc {
		sub, n, err := ReadU32(body, p)
		if err != nil {
			return 0, fmt.Errorf("offset %d: 0xfc sub-opcode: %w", pos, err)
		}
		p += n
		if sub >= uint32(len(fcOps)) {
			return 0, fmt.Errorf("offset %d: unsupported instruction 0xfc %d", pos, sub)
		}
		in.Sub, o = sub, fcOps[sub]
	} else {
		o = ops[c]
		if !o.valid {
			return 0, fmt.Errorf("offset %d: %s", pos, unsupported(c))
		}
	}
	in.Name, in.Class, in.Kind, in.Pop, in.Push = o.name, o.class, o.kind, int(o.pop), int(o.push)

	var err error
	switch o.imm {
	case immNone:
	case immBlockType:
		p, err = readBlockType(body, p, in)
	case immLabel:
		in.Label, p, err = u32(body, p)
	case immBrTable:
		var count uint32
		if count, p, err = u32(body, p); err == nil {
			// Each label takes at least one byte, so a count beyond the body is malformed; checking
			// before allocating keeps a hostile count from reserving gigabytes.
			if int64(count) >= int64(len(body)-p) {
				return 0, fmt.Errorf("offset %d: br_table with %d labels exceeds the function body", pos, count)
			}
			for i := uint32(0); i <= count && err == nil; i++ {
				var l uint32
				l, p, err = u32(body, p)
				in.Labels = append(in.Labels, l)
			}
		}
	case immFunc:
		p, err = ref(body, p, in, SpaceFunc)
	case immCallInd:
		if p, err = ref(body, p, in, SpaceType); err == nil {
			p, err = ref(body, p, in, SpaceTable)
		}
	case immLocal:
		p, err = ref(body, p, in, SpaceLocal)
	case immGlobal:
		p, err = ref(body, p, in, SpaceGlobal)
	case immTable:
		p, err = ref(body, p, in, SpaceTable)
	case immMemarg:
		var align uint32
		if align, p, err = u32(body, p); err == nil {
			if align >= 64 { // bit 6 selects a memory index (multi-memory), which is not supported
				return 0, fmt.Errorf("offset %d: %s: multiple memories are not supported", pos, o.name)
			}
			_, p, err = u32(body, p)
		}
	case immMemZero:
		p, err = zeroByte(body, p, in)
	case immI32:
		var n int
		if _, n, err = ReadS32(body, p); err == nil {
			p += n
		}
	case immI64:
		var n int
		if _, n, err = ReadS64(body, p); err == nil {
			p += n
		}
	case immF32:
		p, err = skip(body, p, 4)
	case immF64:
		p, err = skip(body, p, 8)
	case immSelectT:
		var count uint32
		if count, p, err = u32(body, p); err == nil {
			if count != 1 {
				return 0, fmt.Errorf("offset %d: typed select must name exactly one type, got %d", pos, count)
			}
			if p >= len(body) {
				return 0, fmt.Errorf("offset %d: %w", pos, ErrTruncated)
			}
			if !IsValueType(body[p]) {
				return 0, fmt.Errorf("offset %d: typed select with invalid value type 0x%02x", pos, body[p])
			}
			p++
		}
	case immRefType:
		if p >= len(body) {
			return 0, fmt.Errorf("offset %d: %w", pos, ErrTruncated)
		}
		if t := body[p]; t != 0x70 && t != 0x6f {
			return 0, fmt.Errorf("offset %d: ref.null with invalid reference type 0x%02x", pos, t)
		}
		p++
	case immDataMem:
		if p, err = ref(body, p, in, SpaceData); err == nil {
			p, err = zeroByte(body, p, in)
		}
	case immData:
		p, err = ref(body, p, in, SpaceData)
	case immMemMem:
		if p, err = zeroByte(body, p, in); err == nil {
			p, err = zeroByte(body, p, in)
		}
	case immElemTable:
		if p, err = ref(body, p, in, SpaceElem); err == nil {
			p, err = ref(body, p, in, SpaceTable)
		}
	case immElem:
		p, err = ref(body, p, in, SpaceElem)
	case immTableTable:
		if p, err = ref(body, p, in, SpaceTable); err == nil {
			p, err = ref(body, p, in, SpaceTable)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("offset %d: %s: %w", pos, o.name, err)
	}
	in.End = p
	return p, nil
}

// IsValueType reports whether b encodes a value type (numbers, v128, funcref, externref).
func IsValueType(b byte) bool {
	switch b {
	case 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
		return true
	}
	return false
}

func readBlockType(body []byte, p int, in *Instr) (int, error) {
	if p >= len(body) {
		return 0, ErrTruncated
	}
	switch b := body[p]; {
	case b == 0x40:
		in.Block = BlockType{Kind: BlockEmpty}
		return p + 1, nil
	case IsValueType(b):
		in.Block = BlockType{Kind: BlockValue, Value: b}
		return p + 1, nil
	}
	v, n, err := ReadS33(body, p)
	if err != nil {
		return 0, err
	}
	if v < 0 || v > math.MaxUint32 {
		return 0, fmt.Errorf("invalid block type %d", v)
	}
	in.Block = BlockType{Kind: BlockIndex, Index: uint32(v)}
	in.Refs[in.NRefs] = Ref{Space: SpaceType, Index: uint32(v)}
	in.NRefs++
	return p + n, nil
}

func u32(body []byte, p int) (uint32, int, error) {
	v, n, err := ReadU32(body, p)
	return v, p + n, err
}

func ref(body []byte, p int, in *Instr, s Space) (int, error) {
	v, p, err := u32(body, p)
	if err != nil {
		return 0, err
	}
	in.Refs[in.NRefs] = Ref{Space: s, Index: v}
	in.NRefs++
	return p, nil
}

// zeroByte reads a reserved memory index, which must be the single byte 0x00 (wazero demands
// the one-byte form too).
func zeroByte(body []byte, p int, in *Instr) (int, error) {
	if p >= len(body) {
		return 0, ErrTruncated
	}
	if body[p] != 0 {
		return 0, fmt.Errorf("memory index must be the single byte 0x00, got 0x%02x", body[p])
	}
	in.Refs[in.NRefs] = Ref{Space: SpaceMemory}
	in.NRefs++
	return p + 1, nil
}

func skip(body []byte, p, n int) (int, error) {
	if len(body)-p < n {
		return 0, ErrTruncated
	}
	return p + n, nil
}

func unsupported(c byte) string {
	switch c {
	case 0xfd:
		return "unsupported instruction prefix 0xfd (SIMD)"
	case 0xfe:
		return "unsupported instruction prefix 0xfe (threads)"
	case 0x12, 0x13:
		return fmt.Sprintf("unsupported instruction 0x%02x (tail calls)", c)
	case 0x06, 0x07, 0x08, 0x09, 0x0a, 0x18, 0x19, 0x1f:
		return fmt.Sprintf("unsupported instruction 0x%02x (exception handling)", c)
	}
	return fmt.Sprintf("unknown instruction 0x%02x", c)
}
