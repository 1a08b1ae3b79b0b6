// Package wasmbin checks the structure of a WebAssembly binary before it is decoded, decodes it
// with github.com/tetratelabs/wabin, and re-encodes a module by splicing sections.
//
// Why a structural scan first: wabin allocates from counts it reads (vector lengths, locals),
// so a 20-byte module can ask it for gigabytes. Scan walks every section and proves each count
// fits in the bytes that follow, and bounds locals, before wabin sees the input.
//
// Why splicing instead of wabin's encoder: wabin's EncodeModule drops the data-count section,
// panics on passive and declarative element segments, writes every imported table as funcref
// and mis-sizes custom section names of 128 bytes or more. Only the sections the instrumenter
// changes are re-encoded here; every other section is copied byte for byte.
package wasmbin

import (
	"bytes"
	"fmt"

	"github.com/medledger/medledger/runtime/meter/internal/wasmcode"
)

// The section ids.
const (
	SectionCustom    byte = 0
	SectionType      byte = 1
	SectionImport    byte = 2
	SectionFunction  byte = 3
	SectionTable     byte = 4
	SectionMemory    byte = 5
	SectionGlobal    byte = 6
	SectionExport    byte = 7
	SectionStart     byte = 8
	SectionElement   byte = 9
	SectionCode      byte = 10
	SectionData      byte = 11
	SectionDataCount byte = 12
)

// order is the position each non-custom section must take; data count sits between element and code.
var order = [13]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10}

// Header is the magic number and version 1 that open every module.
var Header = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// Section is one section of a module.
type Section struct {
	ID byte
	// Start is the offset of the id byte, Payload of the first payload byte, End one past the payload.
	Start, Payload, End int
	// Name is the name of a custom section.
	Name string
}

// Layout is the section table of a module that passed Scan.
type Layout struct {
	Sections []Section
	// DataCount is the data-count section's value when HasDataCount.
	HasDataCount bool
	DataCount    uint32
	// MaxFuncRef, MaxGlobalRef and MaxTableRef are the largest function, global and table
	// indices named by constant expressions and element segments, -1 when none is.
	MaxFuncRef, MaxGlobalRef, MaxTableRef int64
}

// Find returns the first section with the id, or nil.
func (l *Layout) Find(id byte) *Section {
	for i := range l.Sections {
		if l.Sections[i].ID == id {
			return &l.Sections[i]
		}
	}
	return nil
}

// Limits bounds what Scan accepts beyond the binary format itself.
type Limits struct {
	// MaxFunctionLocals caps the locals (not parameters) of any one function.
	MaxFunctionLocals uint32
	// MaxModuleLocals caps the locals of all functions together: wabin expands every local
	// declaration into one byte per local, so this bounds that memory.
	MaxModuleLocals uint32
}

// Scan checks the structure of every section of b: ids, order, sizes, vector counts against the
// bytes that remain, names, limits, constant expressions and the locals of every function body.
// It does not check types or instructions; that is the instruction decoder's and the engine's work.
//
// # Errors
//
//   - a bad magic number or version.
//   - an unknown, duplicate or misplaced section, or a section that overruns the module.
//   - a count larger than the bytes left to hold it, a truncated or overlong integer, an
//     invalid limits flag or constant expression, a section whose content does not fill it.
//   - a function with more locals than MaxFunctionLocals, or a module with more than MaxModuleLocals.
func Scan(b []byte, lim Limits) (*Layout, error) {
	if len(b) < len(Header) || !bytes.Equal(b[:4], Header[:4]) {
		return nil, fmt.Errorf("not a WebAssembly module: bad magic number")
	}
	if !bytes.Equal(b[4:8], Header[4:8]) {
		return nil, fmt.Errorf("unsupported WebAssembly version % x (want 1)", b[4:8])
	}
	l := &Layout{MaxFuncRef: -1, MaxGlobalRef: -1, MaxTableRef: -1}
	last := 0
	p := len(Header)
	for p < len(b) {
		id := b[p]
		size, n, err := wasmcode.ReadU32(b, p+1)
		if err != nil {
			return nil, fmt.Errorf("section at offset %d: size: %w", p, err)
		}
		s := Section{ID: id, Start: p, Payload: p + 1 + n}
		if int64(size) > int64(len(b)-s.Payload) {
			return nil, fmt.Errorf("section %d at offset %d: size %d overruns the module (%d bytes left)", id, p, size, len(b)-s.Payload)
		}
		s.End = s.Payload + int(size)
		if id > SectionDataCount {
			return nil, fmt.Errorf("unknown section id %d at offset %d", id, p)
		}
		if id != SectionCustom {
			if order[id] <= last {
				return nil, fmt.Errorf("section %s at offset %d is duplicated or out of order", SectionName(id), p)
			}
			last = order[id]
		}
		c := &cursor{b: b[:s.End], p: s.Payload, sec: SectionName(id), l: l}
		if err := c.section(&s, l, lim); err != nil {
			return nil, err
		}
		if c.p != s.End {
			return nil, fmt.Errorf("section %s at offset %d: %d bytes of content, %d used", c.sec, p, size, c.p-s.Payload)
		}
		l.Sections = append(l.Sections, s)
		p = s.End
	}
	return l, nil
}

// SectionName names a section id for messages.
func SectionName(id byte) string {
	names := [...]string{"custom", "type", "import", "function", "table", "memory", "global",
		"export", "start", "element", "code", "data", "data count"}
	if int(id) < len(names) {
		return names[id]
	}
	return fmt.Sprintf("unknown(%d)", id)
}

func (c *cursor) section(s *Section, l *Layout, lim Limits) error {
	switch s.ID {
	case SectionCustom:
		name, err := c.name()
		s.Name = name
		c.p = len(c.b) // the rest is opaque
		return err
	case SectionType:
		return c.vec(3, func() error {
			if err := c.expect(0x60, "function type"); err != nil {
				return err
			}
			for i := 0; i < 2; i++ { // params, then results: one byte per value type
				n, err := c.count(1)
				if err != nil {
					return err
				}
				if err := c.skip(int(n)); err != nil {
					return err
				}
			}
			return nil
		})
	case SectionImport:
		return c.vec(4, func() error {
			if _, err := c.name(); err != nil {
				return err
			}
			if _, err := c.name(); err != nil {
				return err
			}
			kind, err := c.byte()
			if err != nil {
				return err
			}
			switch kind {
			case 0:
				_, err = c.u32()
			case 1:
				if _, err = c.byte(); err == nil {
					err = c.limits()
				}
			case 2:
				err = c.limits()
			case 3:
				err = c.skip(2)
			default:
				err = fmt.Errorf("invalid import kind 0x%02x", kind)
			}
			return err
		})
	case SectionFunction:
		return c.vec(1, func() error { _, err := c.u32(); return err })
	case SectionTable:
		return c.vec(3, func() error {
			if _, err := c.byte(); err != nil {
				return err
			}
			return c.limits()
		})
	case SectionMemory:
		return c.vec(2, c.limits)
	case SectionGlobal:
		return c.vec(3, func() error {
			if err := c.skip(2); err != nil {
				return err
			}
			return c.constExpr()
		})
	case SectionExport:
		return c.vec(3, func() error {
			if _, err := c.name(); err != nil {
				return err
			}
			if err := c.skip(1); err != nil {
				return err
			}
			_, err := c.u32()
			return err
		})
	case SectionStart:
		_, err := c.u32()
		return err
	case SectionElement:
		return c.vec(2, c.element)
	case SectionDataCount:
		v, err := c.u32()
		l.HasDataCount, l.DataCount = true, v
		return err
	case SectionCode:
		var total uint64
		return c.vec(2, func() error { return c.code(lim, &total) })
	case SectionData:
		return c.vec(2, c.data)
	}
	return nil
}
