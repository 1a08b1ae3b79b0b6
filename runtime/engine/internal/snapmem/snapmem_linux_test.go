//go:build linux

package snapmem

import (
	"bytes"
	"testing"
)

func TestView_Reset(t *testing.T) {
	ps := pageSize
	snap := make([]byte, 4*ps)
	for i := range snap {
		snap[i] = byte(i*7 + 1)
	}
	im, err := NewImage(snap, 8*ps)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	var view *View
	lm := im.Allocator(func(v *View) { view = v }).Allocate(0, uint64(8*ps))
	defer lm.Free()
	buf := lm.Reallocate(uint64(4 * ps))
	if !bytes.Equal(buf, snap) {
		t.Fatal("a new view does not read as the snapshot")
	}
	tests := []struct {
		name  string
		dirty func(buf []byte) []byte // returns the (possibly grown) memory
	}{
		{"untouched", func(b []byte) []byte { return b }},
		{"one byte", func(b []byte) []byte { b[ps+3] ^= 0xff; return b }},
		{"two pages", func(b []byte) []byte { b[0], b[3*ps] = 0, 0; return b }},
		{"grown and written", func(b []byte) []byte {
			g := lm.Reallocate(uint64(6 * ps))
			g[5*ps] = 9
			return g
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf = tt.dirty(buf)
			if _, err := view.Reset(buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf[:len(snap)], snap) {
				t.Fatal("snapshot part differs after Reset")
			}
			if !bytes.Equal(buf[len(snap):], make([]byte, len(buf)-len(snap))) {
				t.Fatal("grown part not zero after Reset")
			}
		})
	}
	// Discard drops every private page: the memory reads as the snapshot and nothing is private.
	buf[2*ps] = 1
	if err := view.Discard(buf); err != nil {
		t.Fatal(err)
	}
	if n, _ := view.dirtyPages(buf); n != 0 || !bytes.Equal(buf[:len(snap)], snap) {
		t.Fatalf("after Discard %d private pages", n)
	}
}

func TestNewImage_Errors(t *testing.T) {
	tests := []struct {
		name string
		mem  []byte
		max  int
	}{
		{"empty", nil, pageSize},
		{"not page aligned", make([]byte, pageSize+1), 4 * pageSize},
		{"max below snapshot", make([]byte, 2*pageSize), pageSize},
	}
	for _, tt := range tests {
		if _, err := NewImage(tt.mem, tt.max); err == nil {
			t.Errorf("%s: NewImage succeeded", tt.name)
		}
	}
}

func TestAnonymous(t *testing.T) {
	ps := uint64(pageSize)
	if Anonymous().Allocate(0, 0) != nil {
		t.Fatal("a memory without a maximum was allocated")
	}
	lm := Anonymous().Allocate(0, 4*ps)
	if lm == nil {
		t.Fatal("no memory")
	}
	defer lm.Free()
	buf := lm.Reallocate(ps)
	if len(buf) != int(ps) || buf[0] != 0 || buf[ps-1] != 0 {
		t.Fatal("new memory is not one zeroed page")
	}
	buf[7] = 42
	grown := lm.Reallocate(3 * ps)
	if len(grown) != int(3*ps) || grown[7] != 42 || &grown[0] != &buf[0] || grown[3*ps-1] != 0 {
		t.Fatal("growing moved or lost the memory")
	}
	if lm.Reallocate(5*ps) != nil {
		t.Fatal("grew past the maximum")
	}
}
