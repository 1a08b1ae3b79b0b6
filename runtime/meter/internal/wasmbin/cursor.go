package wasmbin

import (
	"errors"
	"fmt"

	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// cursor reads within one section and reports errors with the section and offset.
type cursor struct {
	b   []byte // the module up to the end of the current section
	p   int
	sec string
	l   *Layout // receives the indices constant expressions and element segments name
}

func (c *cursor) fail(format string, args ...any) error {
	return fmt.Errorf("section %s at offset %d: %s", c.sec, c.p, fmt.Sprintf(format, args...))
}

func (c *cursor) u32() (uint32, error) {
	v, n, err := wasmcode.ReadU32(c.b, c.p)
	if err != nil {
		return 0, c.fail("%v", err)
	}
	c.p += n
	return v, nil
}

func (c *cursor) byte() (byte, error) {
	if c.p >= len(c.b) {
		return 0, c.fail("%v", wasmcode.ErrTruncated)
	}
	c.p++
	return c.b[c.p-1], nil
}

func (c *cursor) expect(want byte, what string) error {
	b, err := c.byte()
	if err == nil && b != want {
		c.p--
		err = c.fail("%s must start with 0x%02x, got 0x%02x", what, want, b)
	}
	return err
}

func (c *cursor) skip(n int) error {
	if n < 0 || n > len(c.b)-c.p {
		return c.fail("%d bytes needed, %d left", n, len(c.b)-c.p)
	}
	c.p += n
	return nil
}

// count reads a vector length and proves that many entries of at least minSize bytes fit.
func (c *cursor) count(minSize int) (uint32, error) {
	at := c.p
	n, err := c.u32()
	if err != nil {
		return 0, err
	}
	if int64(n)*int64(minSize) > int64(len(c.b)-c.p) {
		c.p = at
		return 0, c.fail("count %d exceeds the %d bytes left", n, len(c.b)-c.p)
	}
	return n, nil
}

// vec reads a vector whose entries take at least minSize bytes each.
func (c *cursor) vec(minSize int, entry func() error) error {
	n, err := c.count(minSize)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if err := entry(); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

func (c *cursor) name() (string, error) {
	n, err := c.count(1)
	if err != nil {
		return "", err
	}
	s := string(c.b[c.p : c.p+int(n)])
	c.p += int(n)
	return s, nil
}

func (c *cursor) limits() error {
	flag, err := c.byte()
	if err != nil {
		return err
	}
	switch flag {
	case 0:
		_, err = c.u32()
	case 1:
		if _, err = c.u32(); err == nil {
			_, err = c.u32()
		}
	default:
		c.p--
		err = c.fail("unsupported limits flag 0x%02x (shared or 64-bit memories are not supported)", flag)
	}
	return err
}

// constExpr reads a constant expression of one instruction and end, the form wabin decodes.
func (c *cursor) constExpr() error {
	op, err := c.byte()
	if err != nil {
		return err
	}
	var n int
	switch op {
	case 0x41:
		_, n, err = wasmcode.ReadS32(c.b, c.p)
	case 0x42:
		_, n, err = wasmcode.ReadS64(c.b, c.p)
	case 0x43:
		n = 4
	case 0x44:
		n = 8
	case 0x23, 0xd2:
		var v uint32
		v, n, err = wasmcode.ReadU32(c.b, c.p)
		if op == 0x23 {
			c.l.MaxGlobalRef = max(c.l.MaxGlobalRef, int64(v))
		} else {
			c.l.MaxFuncRef = max(c.l.MaxFuncRef, int64(v))
		}
	case 0xd0:
		n = 1
	default:
		c.p--
		return c.fail("unsupported constant expression opcode 0x%02x", op)
	}
	if err != nil {
		return c.fail("%v", err)
	}
	if err := c.skip(n); err != nil {
		return err
	}
	if err := c.expect(0x0b, "the end of a constant expression"); err != nil {
		return c.fail("constant expression must be one instruction followed by end")
	}
	return nil
}

func (c *cursor) element() error {
	prefix, err := c.u32()
	if err != nil {
		return err
	}
	if prefix > 7 {
		return c.fail("invalid element segment prefix %d", prefix)
	}
	if prefix&2 != 0 && prefix&1 == 0 { // active with an explicit table index
		t, err := c.u32()
		if err != nil {
			return err
		}
		c.l.MaxTableRef = max(c.l.MaxTableRef, int64(t))
	} else if prefix&1 == 0 {
		c.l.MaxTableRef = max(c.l.MaxTableRef, 0) // active segments without an index use table 0
	}
	if prefix&1 == 0 { // active: offset expression
		if err := c.constExpr(); err != nil {
			return err
		}
	}
	if prefix&3 != 0 { // element kind or reference type byte
		if err := c.skip(1); err != nil {
			return err
		}
	}
	if prefix&4 == 0 {
		return c.vec(1, func() error {
			f, err := c.u32()
			c.l.MaxFuncRef = max(c.l.MaxFuncRef, int64(f))
			return err
		})
	}
	return c.vec(2, c.constExpr)
}

func (c *cursor) data() error {
	prefix, err := c.u32()
	if err != nil {
		return err
	}
	switch prefix {
	case 0:
		err = c.constExpr()
	case 1:
	case 2:
		if _, err = c.u32(); err == nil {
			err = c.constExpr()
		}
	default:
		return c.fail("invalid data segment prefix %d", prefix)
	}
	if err != nil {
		return err
	}
	n, err := c.count(1)
	if err != nil {
		return err
	}
	return c.skip(int(n))
}

// errTooManyLocals is wrapped by code when a function declares more locals than allowed.
var errTooManyLocals = errors.New("too many locals")

func (c *cursor) code(lim Limits, moduleTotal *uint64) error {
	size, err := c.count(1)
	if err != nil {
		return err
	}
	end := c.p + int(size)
	body := &cursor{b: c.b[:end], p: c.p, sec: c.sec, l: c.l}
	groups, err := body.count(2)
	if err != nil {
		return err
	}
	var total uint64
	for i := uint32(0); i < groups; i++ {
		n, err := body.u32()
		if err != nil {
			return err
		}
		t, err := body.byte()
		if err != nil {
			return err
		}
		if !wasmcode.IsValueType(t) {
			return body.fail("invalid local type 0x%02x", t)
		}
		total += uint64(n)
		if total > uint64(lim.MaxFunctionLocals) {
			return body.fail("%v: more than %d in one function", errTooManyLocals, lim.MaxFunctionLocals)
		}
		if *moduleTotal+total > uint64(lim.MaxModuleLocals) {
			return body.fail("%v: more than %d in the module", errTooManyLocals, lim.MaxModuleLocals)
		}
	}
	if body.p >= end || c.b[end-1] != 0x0b {
		return body.fail("function body must end with end (0x0b)")
	}
	*moduleTotal += total
	c.p = end
	return nil
}
