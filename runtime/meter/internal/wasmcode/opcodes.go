package wasmcode

// Class groups instructions that share one entry of the cost table.
type Class uint8

// The cost classes. Their order is part of the cost table's hash; append, never reorder.
const (
	// ClassFree is structure with no machine work of its own: nop, block, loop, else, end.
	ClassFree Class = iota
	// ClassPlain is constants, locals, globals, integer and float arithmetic, comparisons,
	// conversions, drop, select, reference and table element instructions, memory.size,
	// data.drop, elem.drop and unreachable.
	ClassPlain
	// ClassBranch is br, br_if, br_table, if and return.
	ClassBranch
	// ClassCall is call.
	ClassCall
	// ClassCallIndirect is call_indirect (a table lookup and a signature check, then a call).
	ClassCallIndirect
	// ClassMemory is every load and store.
	ClassMemory
	// ClassDivision is integer division and remainder, float division and square root.
	ClassDivision
	// ClassMemoryGrow is memory.grow (plus a per-page charge).
	ClassMemoryGrow
	// ClassBulkMemory is memory.copy, memory.fill and memory.init (plus a per-byte charge).
	ClassBulkMemory
	// ClassBulkTable is table.copy, table.fill, table.init and table.grow (plus a per-element charge).
	ClassBulkTable
	// NumClasses is the number of classes.
	NumClasses
)

// Kind is what the instrumenter needs to know about an instruction's control flow.
type Kind uint8

// The instruction kinds.
const (
	KindOther Kind = iota
	KindBlock
	KindLoop
	KindIf
	KindElse
	KindEnd
	KindBr
	KindBrIf
	KindBrTable
	KindReturn
	KindUnreachable
	KindCall
	KindCallIndirect
	KindSelect
	KindMemoryGrow
	KindBulkMemory
	KindBulkTable
)

// Space names an index space an immediate refers to.
type Space uint8

// The index spaces checked against the module.
const (
	SpaceNone Space = iota
	SpaceLocal
	SpaceGlobal
	SpaceFunc
	SpaceType
	SpaceTable
	SpaceData
	SpaceElem
	SpaceMemory
)

// String names the space for error messages.
func (s Space) String() string {
	switch s {
	case SpaceLocal:
		return "local"
	case SpaceGlobal:
		return "global"
	case SpaceFunc:
		return "function"
	case SpaceType:
		return "type"
	case SpaceTable:
		return "table"
	case SpaceData:
		return "data segment"
	case SpaceElem:
		return "element segment"
	case SpaceMemory:
		return "memory"
	}
	return "none"
}

// imm is the shape of an instruction's immediates.
type imm uint8

const (
	immNone      imm = iota
	immBlockType     // block, loop, if
	immLabel         // br, br_if
	immBrTable       // vec(label) label
	immFunc          // call, ref.func
	immCallInd       // typeidx tableidx
	immLocal         // local.get/set/tee
	immGlobal        // global.get/set
	immTable         // table.get/set/size/grow/fill
	immMemarg        // align offset
	immMemZero       // memory.size, memory.grow, memory.fill: one memory index, must be 0
	immI32
	immI64
	immF32
	immF64
	immSelectT   // vec(valtype)
	immRefType   // ref.null
	immDataMem   // memory.init: dataidx memidx
	immData      // data.drop
	immMemMem    // memory.copy: memidx memidx
	immElemTable // table.init: elemidx tableidx
	immElem      // elem.drop
	immTableTable
)

// op describes one opcode.
type op struct {
	valid     bool
	name      string
	imm       imm
	class     Class
	kind      Kind
	pop, push int8 // fixed stack effect; calls and structured instructions are computed by the caller
}

var (
	ops   [256]op
	fcOps [18]op // sub-opcodes after the 0xFC prefix
)

func def(code byte, name string, i imm, c Class, k Kind, pop, push int8) {
	ops[code] = op{valid: true, name: name, imm: i, class: c, kind: k, pop: pop, push: push}
}

func defRange(from, to byte, prefix string, i imm, c Class, pop, push int8) {
	for code := int(from); code <= int(to); code++ {
		def(byte(code), prefix, i, c, KindOther, pop, push)
	}
}

func init() {
	def(0x00, "unreachable", immNone, ClassPlain, KindUnreachable, 0, 0)
	def(0x01, "nop", immNone, ClassFree, KindOther, 0, 0)
	def(0x02, "block", immBlockType, ClassFree, KindBlock, 0, 0)
	def(0x03, "loop", immBlockType, ClassFree, KindLoop, 0, 0)
	def(0x04, "if", immBlockType, ClassBranch, KindIf, 1, 0)
	def(0x05, "else", immNone, ClassFree, KindElse, 0, 0)
	def(0x0b, "end", immNone, ClassFree, KindEnd, 0, 0)
	def(0x0c, "br", immLabel, ClassBranch, KindBr, 0, 0)
	def(0x0d, "br_if", immLabel, ClassBranch, KindBrIf, 1, 0)
	def(0x0e, "br_table", immBrTable, ClassBranch, KindBrTable, 1, 0)
	def(0x0f, "return", immNone, ClassBranch, KindReturn, 0, 0)
	def(0x10, "call", immFunc, ClassCall, KindCall, 0, 0)
	def(0x11, "call_indirect", immCallInd, ClassCallIndirect, KindCallIndirect, 1, 0)
	def(0x1a, "drop", immNone, ClassPlain, KindOther, 1, 0)
	def(0x1b, "select", immNone, ClassPlain, KindSelect, 3, 1)
	def(0x1c, "select", immSelectT, ClassPlain, KindSelect, 3, 1)
	def(0x20, "local.get", immLocal, ClassPlain, KindOther, 0, 1)
	def(0x21, "local.set", immLocal, ClassPlain, KindOther, 1, 0)
	def(0x22, "local.tee", immLocal, ClassPlain, KindOther, 1, 1)
	def(0x23, "global.get", immGlobal, ClassPlain, KindOther, 0, 1)
	def(0x24, "global.set", immGlobal, ClassPlain, KindOther, 1, 0)
	def(0x25, "table.get", immTable, ClassPlain, KindOther, 1, 1)
	def(0x26, "table.set", immTable, ClassPlain, KindOther, 2, 0)
	defRange(0x28, 0x35, "load", immMemarg, ClassMemory, 1, 1)
	defRange(0x36, 0x3e, "store", immMemarg, ClassMemory, 2, 0)
	def(0x3f, "memory.size", immMemZero, ClassPlain, KindOther, 0, 1)
	def(0x40, "memory.grow", immMemZero, ClassMemoryGrow, KindMemoryGrow, 1, 1)
	def(0x41, "i32.const", immI32, ClassPlain, KindOther, 0, 1)
	def(0x42, "i64.const", immI64, ClassPlain, KindOther, 0, 1)
	def(0x43, "f32.const", immF32, ClassPlain, KindOther, 0, 1)
	def(0x44, "f64.const", immF64, ClassPlain, KindOther, 0, 1)
	def(0x45, "i32.eqz", immNone, ClassPlain, KindOther, 1, 1)
	defRange(0x46, 0x4f, "i32.compare", immNone, ClassPlain, 2, 1)
	def(0x50, "i64.eqz", immNone, ClassPlain, KindOther, 1, 1)
	defRange(0x51, 0x5a, "i64.compare", immNone, ClassPlain, 2, 1)
	defRange(0x5b, 0x66, "float.compare", immNone, ClassPlain, 2, 1)
	defRange(0x67, 0x69, "i32.unary", immNone, ClassPlain, 1, 1)
	defRange(0x6a, 0x78, "i32.binary", immNone, ClassPlain, 2, 1)
	defRange(0x79, 0x7b, "i64.unary", immNone, ClassPlain, 1, 1)
	defRange(0x7c, 0x8a, "i64.binary", immNone, ClassPlain, 2, 1)
	defRange(0x8b, 0x91, "f32.unary", immNone, ClassPlain, 1, 1)
	defRange(0x92, 0x98, "f32.binary", immNone, ClassPlain, 2, 1)
	defRange(0x99, 0x9f, "f64.unary", immNone, ClassPlain, 1, 1)
	defRange(0xa0, 0xa6, "f64.binary", immNone, ClassPlain, 2, 1)
	defRange(0xa7, 0xbf, "conversion", immNone, ClassPlain, 1, 1)
	defRange(0xc0, 0xc4, "sign-extension", immNone, ClassPlain, 1, 1)
	def(0xd0, "ref.null", immRefType, ClassPlain, KindOther, 0, 1)
	def(0xd1, "ref.is_null", immNone, ClassPlain, KindOther, 1, 1)
	def(0xd2, "ref.func", immFunc, ClassPlain, KindOther, 0, 1)

	// Division, remainder and square root cost more than other arithmetic.
	for _, code := range []byte{
		0x6d, 0x6e, 0x6f, 0x70, // i32.div_s div_u rem_s rem_u
		0x7f, 0x80, 0x81, 0x82, // i64.div_s div_u rem_s rem_u
		0x91, 0x95, // f32.sqrt f32.div
		0x9f, 0xa3, // f64.sqrt f64.div
	} {
		ops[code].class = ClassDivision
	}
	ops[0x28].name, ops[0x36].name = "i32.load", "i32.store"

	for sub := 0; sub <= 7; sub++ {
		fcOps[sub] = op{valid: true, name: "trunc_sat", imm: immNone, class: ClassPlain, pop: 1, push: 1}
	}
	fcOps[8] = op{valid: true, name: "memory.init", imm: immDataMem, class: ClassBulkMemory, kind: KindBulkMemory, pop: 3}
	fcOps[9] = op{valid: true, name: "data.drop", imm: immData, class: ClassPlain}
	fcOps[10] = op{valid: true, name: "memory.copy", imm: immMemMem, class: ClassBulkMemory, kind: KindBulkMemory, pop: 3}
	fcOps[11] = op{valid: true, name: "memory.fill", imm: immMemZero, class: ClassBulkMemory, kind: KindBulkMemory, pop: 3}
	fcOps[12] = op{valid: true, name: "table.init", imm: immElemTable, class: ClassBulkTable, kind: KindBulkTable, pop: 3}
	fcOps[13] = op{valid: true, name: "elem.drop", imm: immElem, class: ClassPlain}
	fcOps[14] = op{valid: true, name: "table.copy", imm: immTableTable, class: ClassBulkTable, kind: KindBulkTable, pop: 3}
	fcOps[15] = op{valid: true, name: "table.grow", imm: immTable, class: ClassBulkTable, kind: KindBulkTable, pop: 2, push: 1}
	fcOps[16] = op{valid: true, name: "table.size", imm: immTable, class: ClassPlain, push: 1}
	fcOps[17] = op{valid: true, name: "table.fill", imm: immTable, class: ClassBulkTable, kind: KindBulkTable, pop: 3}
}
