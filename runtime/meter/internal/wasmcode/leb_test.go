package wasmcode

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestReadU32(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint32
		n    int
	}{
		{[]byte{0x00}, 0, 1},
		{[]byte{0x7f}, 127, 1},
		{[]byte{0x80, 0x01}, 128, 2},
		{[]byte{0x80, 0x00}, 0, 2}, // a padded zero is valid
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, math.MaxUint32, 5},
		{[]byte{0xe5, 0x8e, 0x26, 0xaa}, 624485, 3}, // trailing bytes are not read
	}
	for _, tc := range tests {
		got, n, err := ReadU32(tc.in, 0)
		if err != nil || got != tc.want || n != tc.n {
			t.Errorf("ReadU32(% x) = %d, %d, %v; want %d, %d", tc.in, got, n, err, tc.want, tc.n)
		}
	}
}

func TestReadU32_Errors(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, "unexpected end"},
		{[]byte{0x80}, "unexpected end"},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x1f}, "overflows 32 bits"},
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, "overflows 32 bits"},
	}
	for _, tc := range tests {
		if _, _, err := ReadU32(tc.in, 0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadU32(% x) error %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, _, err := ReadU32([]byte{0x80}, 0); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated input: %v is not ErrTruncated", err)
	}
}

func TestReadSigned(t *testing.T) {
	tests := []struct {
		name string
		read func([]byte, int) (int64, int, error)
		in   []byte
		want int64
		n    int
	}{
		{"s32 0", s32, []byte{0x00}, 0, 1},
		{"s32 -1", s32, []byte{0x7f}, -1, 1},
		{"s32 63", s32, []byte{0x3f}, 63, 1},
		{"s32 64", s32, []byte{0xc0, 0x00}, 64, 2},
		{"s32 -64", s32, []byte{0x40}, -64, 1},
		{"s32 max", s32, []byte{0xff, 0xff, 0xff, 0xff, 0x07}, math.MaxInt32, 5},
		{"s32 min", s32, []byte{0x80, 0x80, 0x80, 0x80, 0x78}, math.MinInt32, 5},
		{"s33 type index", ReadS33, []byte{0x80, 0x80, 0x80, 0x80, 0x0f}, 0xf0000000, 5},
		{"s64 max", ReadS64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, math.MaxInt64, 10},
		{"s64 min", ReadS64, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, math.MinInt64, 10},
	}
	for _, tc := range tests {
		got, n, err := tc.read(tc.in, 0)
		if err != nil || got != tc.want || n != tc.n {
			t.Errorf("%s: got %d, %d, %v; want %d, %d", tc.name, got, n, err, tc.want, tc.n)
		}
	}
}

func TestReadSigned_Errors(t *testing.T) {
	tests := []struct {
		name string
		read func([]byte, int) (int64, int, error)
		in   []byte
	}{
		{"s32 too big", s32, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}}, // 2^32-1 does not fit
		{"s32 bad sign bits", s32, []byte{0x80, 0x80, 0x80, 0x80, 0x70}},
		{"s32 too long", s32, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
		{"s64 bad last byte", ReadS64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"s64 truncated", ReadS64, []byte{0xff}},
	}
	for _, tc := range tests {
		if _, _, err := tc.read(tc.in, 0); err == nil {
			t.Errorf("%s: accepted % x", tc.name, tc.in)
		}
	}
}

func s32(b []byte, pos int) (int64, int, error) {
	v, n, err := ReadS32(b, pos)
	return int64(v), n, err
}

// TestAppend round-trips the encoders through the decoders.
func TestAppend(t *testing.T) {
	for _, v := range []uint32{0, 1, 127, 128, 16383, 16384, math.MaxUint32} {
		b := AppendU32(nil, v)
		if got, n, err := ReadU32(b, 0); err != nil || got != v || n != len(b) {
			t.Errorf("u32 %d: % x decodes to %d, %d, %v", v, b, got, n, err)
		}
	}
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64} {
		b := AppendS64(nil, v)
		if got, n, err := ReadS64(b, 0); err != nil || got != v || n != len(b) {
			t.Errorf("s64 %d: % x decodes to %d, %d, %v", v, b, got, n, err)
		}
	}
}
