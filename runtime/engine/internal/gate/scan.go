package gate

import (
	"bytes"
	"fmt"

	"github.com/tetratelabs/wabin/wasm"
)

var header = []byte{0x00, 'a', 's', 'm'}

// MaxLocals bounds the locals one function may declare (the decoder expands them one by one).
const MaxLocals = 50_000

// scan walks the whole module structure (everything except instruction bodies) before the full decode, for two
// reasons. Hostile input: the decoder allocates whatever sizes a module declares, so a 20-byte module could ask
// for gigabytes; scan checks every count and length against the bytes actually left. Precise messages: wrong
// magic or version, truncation, shared memory (threads). It returns the module without its custom sections, which
// is what the decoder needs (custom sections are kept verbatim by the rewrite).
func scan(b []byte) ([]byte, error) {
	if len(b) < 4 || !bytes.Equal(b[:4], header) {
		return nil, fail(NotWasm, "module is not WebAssembly (it does not start with \\0asm; %d bytes)", len(b))
	}
	if len(b) < 8 {
		return nil, fail(Malformed, "module is truncated: %d bytes, the header alone is 8", len(b))
	}
	if v := b[4:8]; !bytes.Equal(v, []byte{1, 0, 0, 0}) {
		return nil, fail(NotWasm, "module has binary format version %x, want 01000000", v)
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:8]...)
	r := &reader{b: b, off: 8, end: len(b), what: "module"}
	for r.off < r.end {
		start := r.off
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		r.what = wasm.SectionIDName(id) + " section"
		size, err := r.u32()
		if err != nil {
			return nil, fail(Malformed, "module is truncated: %s header at offset %d", r.what, start)
		}
		if int64(size) > int64(r.end-r.off) {
			return nil, fail(Malformed, "module is truncated: %s at offset %d declares %d bytes, %d remain",
				r.what, start, size, r.end-r.off)
		}
		s := &reader{b: b, off: r.off, end: r.off + int(size), what: r.what}
		if err := s.section(id); err != nil {
			return nil, err
		}
		if id != wasm.SectionIDCustom && s.off != s.end {
			return nil, fail(Malformed, "module is malformed: %s has %d unparsed bytes", r.what, s.end-s.off)
		}
		if id != wasm.SectionIDCustom {
			out = append(out, b[start:s.end]...)
		}
		r.off = s.end
	}
	return out, nil
}

// reader reads one section, never past end.
type reader struct {
	b        []byte
	off, end int
	what     string
}

func (r *reader) errf(format string, args ...any) *Error {
	return fail(Malformed, "module is malformed: %s at offset %d: %s", r.what, r.off, fmt.Sprintf(format, args...))
}

func (r *reader) byte() (byte, error) {
	if r.off >= r.end {
		return 0, r.errf("unexpected end")
	}
	r.off++
	return r.b[r.off-1], nil
}

// leb reads an unsigned (or, with signed, signed) LEB128 of at most maxBits.
func (r *reader) leb(maxBits int) (uint64, error) {
	var v uint64
	for shift := 0; shift < maxBits+7; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, r.errf("integer too long")
}

func (r *reader) u32() (uint32, error) {
	v, err := r.leb(32)
	if err != nil {
		return 0, err
	}
	if v > 0xffffffff {
		return 0, r.errf("integer overflows u32")
	}
	return uint32(v), nil
}

// count reads a vector length; each element takes at least one byte, so it cannot exceed the bytes left.
func (r *reader) count(of string) (uint32, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if int64(n) > int64(r.end-r.off) {
		return 0, r.errf("%s count %d exceeds the %d bytes left", of, n, r.end-r.off)
	}
	return n, nil
}

func (r *reader) skip(n uint32) error {
	if int64(n) > int64(r.end-r.off) {
		return r.errf("length %d exceeds the %d bytes left", n, r.end-r.off)
	}
	r.off += int(n)
	return nil
}

func (r *reader) bytesVec(of string) error {
	n, err := r.count(of)
	if err != nil {
		return err
	}
	return r.skip(n)
}

// limits reads memory or table limits and reports the flag byte.
func (r *reader) limits() (byte, error) {
	flag, err := r.byte()
	if err != nil {
		return 0, err
	}
	if _, err := r.u32(); err != nil {
		return 0, err
	}
	if flag&1 != 0 {
		_, err = r.u32()
	}
	return flag, err
}

// constExpr skips a constant expression up to its end opcode.
func (r *reader) constExpr() error {
	for {
		op, err := r.byte()
		if err != nil {
			return err
		}
		switch op {
		case wasm.OpcodeEnd:
			return nil
		case wasm.OpcodeI32Const, wasm.OpcodeGlobalGet, wasm.OpcodeRefFunc:
			_, err = r.leb(32)
		case wasm.OpcodeI64Const:
			_, err = r.leb(64)
		case wasm.OpcodeF32Const:
			err = r.skip(4)
		case wasm.OpcodeF64Const:
			err = r.skip(8)
		case wasm.OpcodeRefNull:
			_, err = r.byte()
		case wasm.OpcodeVecPrefix: // v128.const
			if _, err = r.u32(); err == nil {
				err = r.skip(16)
			}
		default:
			return r.errf("opcode %#x is not allowed in a constant expression", op)
		}
		if err != nil {
			return err
		}
	}
}

func (r *reader) section(id byte) error {
	switch id {
	case wasm.SectionIDCustom:
		return r.bytesVec("name")
	case wasm.SectionIDStart, wasm.SectionIDDataCount:
		_, err := r.u32()
		return err
	}
	if id > wasm.SectionIDDataCount {
		return r.errf("unknown section id %d", id)
	}
	n, err := r.count("entry")
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if err := r.entry(id, i); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) entry(id byte, i uint32) error {
	var err error
	switch id {
	case wasm.SectionIDType:
		err = r.funcType()
	case wasm.SectionIDImport:
		err = r.importEntry()
	case wasm.SectionIDFunction:
		_, err = r.u32()
	case wasm.SectionIDTable:
		if _, err = r.byte(); err == nil {
			_, err = r.limits()
		}
	case wasm.SectionIDMemory:
		var flag byte
		if flag, err = r.limits(); err == nil && flag&0x02 != 0 {
			return fail(Threads, "memory %d is shared (limits flag %#x): threads are not allowed", i, flag)
		}
	case wasm.SectionIDGlobal:
		if err = r.skip(2); err == nil { // value type, mutability
			err = r.constExpr()
		}
	case wasm.SectionIDExport:
		if err = r.bytesVec("name"); err == nil {
			if err = r.skip(1); err == nil {
				_, err = r.u32()
			}
		}
	case wasm.SectionIDElement:
		err = r.element()
	case wasm.SectionIDCode:
		err = r.code()
	case wasm.SectionIDData:
		err = r.data()
	default:
		return r.errf("unknown section id %d", id)
	}
	return err
}

func (r *reader) funcType() error {
	if form, err := r.byte(); err != nil || form != 0x60 {
		return r.errf("function type does not start with 0x60")
	}
	if err := r.bytesVec("parameter"); err != nil {
		return err
	}
	return r.bytesVec("result")
}

func (r *reader) importEntry() error {
	mod, name := r.off, 0
	if err := r.bytesVec("module name"); err != nil {
		return err
	}
	name = r.off
	if err := r.bytesVec("name"); err != nil {
		return err
	}
	kind, err := r.byte()
	if err != nil {
		return err
	}
	switch kind {
	case wasm.ExternTypeFunc:
		_, err = r.u32()
	case wasm.ExternTypeTable:
		if _, err = r.byte(); err == nil {
			_, err = r.limits()
		}
	case wasm.ExternTypeMemory:
		var flag byte
		if flag, err = r.limits(); err == nil && flag&0x02 != 0 {
			return fail(Threads, "import %s.%s is a shared memory: threads are not allowed", r.str(mod), r.str(name))
		}
	case wasm.ExternTypeGlobal:
		err = r.skip(2)
	default:
		return r.errf("unknown import kind %d", kind)
	}
	return err
}

// str decodes the name vector starting at off (already bounds-checked).
func (r *reader) str(off int) string {
	s := &reader{b: r.b, off: off, end: r.end}
	n, _ := s.u32()
	return string(r.b[s.off : s.off+int(n)])
}

func (r *reader) element() error {
	flags, err := r.u32()
	if err != nil {
		return err
	}
	if flags > 7 {
		return r.errf("element segment flags %d", flags)
	}
	if flags&2 != 0 && flags&1 == 0 { // explicit table index
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	if flags&1 == 0 { // active: offset
		if err := r.constExpr(); err != nil {
			return err
		}
	}
	if flags&3 != 0 { // elemkind or reftype byte
		if _, err := r.byte(); err != nil {
			return err
		}
	}
	n, err := r.count("element")
	if err != nil {
		return err
	}
	for j := uint32(0); j < n; j++ {
		if flags&4 != 0 {
			err = r.constExpr()
		} else {
			_, err = r.u32()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) code() error {
	size, err := r.u32()
	if err != nil {
		return err
	}
	if int64(size) > int64(r.end-r.off) {
		return r.errf("function body of %d bytes exceeds the %d bytes left", size, r.end-r.off)
	}
	body := &reader{b: r.b, off: r.off, end: r.off + int(size), what: r.what}
	groups, err := body.count("local group")
	if err != nil {
		return err
	}
	total := uint64(0)
	for g := uint32(0); g < groups; g++ {
		n, err := body.u32()
		if err != nil {
			return err
		}
		if total += uint64(n); total > MaxLocals {
			return body.errf("function declares more than %d locals", MaxLocals)
		}
		if _, err := body.byte(); err != nil {
			return err
		}
	}
	r.off = body.end // instructions are validated by the compiler
	return nil
}

func (r *reader) data() error {
	flags, err := r.u32()
	if err != nil {
		return err
	}
	switch flags {
	case 0:
		err = r.constExpr()
	case 1:
	case 2:
		if _, err = r.u32(); err == nil {
			err = r.constExpr()
		}
	default:
		return r.errf("data segment flags %d", flags)
	}
	if err != nil {
		return err
	}
	return r.bytesVec("data byte")
}
