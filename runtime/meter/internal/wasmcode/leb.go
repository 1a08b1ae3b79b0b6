// Package wasmcode decodes WebAssembly instructions and LEB128 integers the way the specification
// requires, so the instrumenter finds exactly the instruction boundaries a validating engine finds.
package wasmcode

import (
	"errors"
	"fmt"
)

// ErrTruncated reports input that ends inside an integer or an instruction.
var ErrTruncated = errors.New("unexpected end of input")

// ReadU32 decodes an unsigned LEB128 u32 at b[pos:] and returns it with its encoded length.
// The encoding must be at most 5 bytes with the unused bits of the last byte zero, as the
// specification requires; wazero rejects anything else, so accepting more would misalign
// instruction boundaries.
//
// # Errors
//
//   - ErrTruncated when b ends inside the integer.
//   - an overflow error when the value does not fit in 32 bits or the encoding is too long.
func ReadU32(b []byte, pos int) (uint32, int, error) {
	var v uint32
	for i := 0; i < 5; i++ {
		if pos+i >= len(b) {
			return 0, 0, ErrTruncated
		}
		c := b[pos+i]
		if i == 4 && c&0xf0 != 0 {
			return 0, 0, fmt.Errorf("u32 LEB128 at offset %d overflows 32 bits", pos)
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("u32 LEB128 at offset %d is longer than 5 bytes", pos)
}

// ReadS32 decodes a signed LEB128 i32 at b[pos:] and returns it with its encoded length.
//
// # Errors
//
//   - ErrTruncated when b ends inside the integer.
//   - an overflow error when the value does not fit in 32 bits or the encoding is too long.
func ReadS32(b []byte, pos int) (int32, int, error) {
	v, n, err := readSigned(b, pos, 32)
	return int32(v), n, err
}

// ReadS33 decodes a signed LEB128 33-bit integer (a block type index) at b[pos:].
//
// # Errors
//
//   - ErrTruncated when b ends inside the integer.
//   - an overflow error when the value does not fit in 33 bits or the encoding is too long.
func ReadS33(b []byte, pos int) (int64, int, error) {
	return readSigned(b, pos, 33)
}

// ReadS64 decodes a signed LEB128 i64 at b[pos:] and returns it with its encoded length.
//
// # Errors
//
//   - ErrTruncated when b ends inside the integer.
//   - an overflow error when the value does not fit in 64 bits or the encoding is too long.
func ReadS64(b []byte, pos int) (int64, int, error) {
	return readSigned(b, pos, 64)
}

// readSigned decodes a signed LEB128 of at most bits bits. The last byte of a maximal-length
// encoding may only carry sign-extension bits, as the specification requires.
func readSigned(b []byte, pos int, bits uint) (int64, int, error) {
	maxLen := int((bits + 6) / 7)
	var v int64
	var shift uint
	for i := 0; i < maxLen; i++ {
		if pos+i >= len(b) {
			return 0, 0, ErrTruncated
		}
		c := b[pos+i]
		if i == maxLen-1 {
			// The last byte of a maximal encoding holds the final value bits; its sign bit and the
			// unused bits above it must be all zeros or all ones.
			used := bits - shift
			mask := byte(0x7f>>(used-1)) << (used - 1)
			if top := c & mask; c&0x80 != 0 || (top != 0 && top != mask) {
				return 0, 0, fmt.Errorf("s%d LEB128 at offset %d overflows", bits, pos)
			}
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("s%d LEB128 at offset %d is longer than %d bytes", bits, pos, maxLen)
}

// AppendU32 appends the unsigned LEB128 encoding of v to dst.
func AppendU32(dst []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(dst, c)
		}
		dst = append(dst, c|0x80)
	}
}

// AppendS64 appends the signed LEB128 encoding of v to dst (also valid for i32 values).
func AppendS64(dst []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(dst, c)
		}
		dst = append(dst, c|0x80)
	}
}
