package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// KV is one entry of a range page: a key (without the namespace prefix) and its value.
type KV struct {
	Key   string
	Value []byte
}

// RangePage is one page returned by state_range (ABI.md §4).
type RangePage struct {
	// Entries are in ascending byte order of Key.
	Entries []KV
	// Bookmark resumes the range after the last entry; empty when the range is exhausted.
	Bookmark string
}

// EncodedSize returns the number of bytes AppendRangePage appends for p.
func (p *RangePage) EncodedSize() int {
	n := 4 + 4 + len(p.Bookmark)
	for _, e := range p.Entries {
		n += 8 + len(e.Key) + len(e.Value)
	}
	return n
}

// AppendRangePage appends the wire form of p to dst:
// u32 count, count × {u32 key_len, key, u32 value_len, value}, u32 bookmark_len, bookmark (little-endian).
func AppendRangePage(dst []byte, p *RangePage) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p.Entries)))
	for _, e := range p.Entries {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(e.Key)))
		dst = append(dst, e.Key...)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(e.Value)))
		dst = append(dst, e.Value...)
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p.Bookmark)))
	return append(dst, p.Bookmark...)
}

var errShortPage = errors.New("range page truncated")

// DecodeRangePage parses the wire form written by AppendRangePage. Values alias b.
//
// # Errors
//
// An error when b is truncated, a length runs past the end, or bytes trail the bookmark.
func DecodeRangePage(b []byte) (RangePage, error) {
	var p RangePage
	count, b, err := readU32(b)
	if err != nil {
		return p, fmt.Errorf("count: %w", err)
	}
	// Each entry needs at least 8 bytes, so a hostile count cannot force a huge allocation.
	if uint64(count)*8 > uint64(len(b)) {
		return p, fmt.Errorf("count %d: %w", count, errShortPage)
	}
	p.Entries = make([]KV, 0, count)
	for i := uint32(0); i < count; i++ {
		var k, v []byte
		if k, b, err = readBytes(b); err != nil {
			return RangePage{}, fmt.Errorf("entry %d key: %w", i, err)
		}
		if v, b, err = readBytes(b); err != nil {
			return RangePage{}, fmt.Errorf("entry %d value: %w", i, err)
		}
		p.Entries = append(p.Entries, KV{Key: string(k), Value: v})
	}
	bm, b, err := readBytes(b)
	if err != nil {
		return RangePage{}, fmt.Errorf("bookmark: %w", err)
	}
	if len(b) != 0 {
		return RangePage{}, fmt.Errorf("range page has %d trailing bytes", len(b))
	}
	p.Bookmark = string(bm)
	return p, nil
}

func readU32(b []byte) (uint32, []byte, error) {
	if len(b) < 4 {
		return 0, b, errShortPage
	}
	return binary.LittleEndian.Uint32(b), b[4:], nil
}

func readBytes(b []byte) ([]byte, []byte, error) {
	n, b, err := readU32(b)
	if err != nil {
		return nil, b, err
	}
	if uint64(n) > uint64(len(b)) {
		return nil, b, errShortPage
	}
	return b[:n:n], b[n:], nil
}
