package sdk

import (
	"encoding/binary"
	"fmt"
	"iter"
	"unicode/utf8"
)

// Entry is one key/value pair of a range scan.
type Entry struct {
	Key   string
	Value []byte
}

// Page is one page of a range scan. Bookmark is empty when the range is exhausted; otherwise pass it to the
// next RangePage call with the same start and end to continue.
type Page struct {
	Entries  []Entry
	Bookmark string
}

// RangeOption tunes Range and RangePrefix.
type RangeOption func(*rangeOptions)

type rangeOptions struct {
	pageSize int
}

// PageSize sets how many entries Range fetches from the host per page. The host clamps it to 1..MaxRangePage
// (100 by default); 0, the default, means the host's maximum. Smaller pages read less past an early break.
func PageSize(n int) RangeOption {
	return func(o *rangeOptions) { o.pageSize = n }
}

// Range iterates over the keys in [start, end) of the contract's world state in byte order, fetching pages
// from the host as it goes; an empty end means "to the last key". Break out of the loop to stop early:
//
//	for key, value := range ctx.Range("patient/", "patient0") { ... }
//
// Each page is a fresh buffer that keys and values point into, so both may be kept after the loop.
// A malformed page from the host (an ABI mismatch) fails the call with a message saying so.
func (c Context) Range(start, end string, opts ...RangeOption) iter.Seq2[string, []byte] {
	var o rangeOptions
	for _, opt := range opts {
		opt(&o)
	}
	return func(yield func(string, []byte) bool) {
		bookmark := ""
		for {
			next, more := walkPage(fetchPage(start, end, bookmark, o.pageSize), yield)
			if !more || next == "" {
				return
			}
			if next == bookmark {
				panic(NewError(Internal, fmt.Sprintf("host returned the same range bookmark twice (%q); ABI mismatch", next)))
			}
			bookmark = next
		}
	}
}

// RangePrefix iterates over every key that starts with prefix, like Range(prefix, PrefixEnd(prefix)).
func (c Context) RangePrefix(prefix string, opts ...RangeOption) iter.Seq2[string, []byte] {
	return c.Range(prefix, PrefixEnd(prefix), opts...)
}

// RangePage returns one page of keys in [start, end) starting at bookmark ("" for the first page), at most
// pageSize entries (0 for the host's maximum). Use it to hand paging on to the contract's own callers; loops
// inside the contract are simpler with Range.
func (c Context) RangePage(start, end, bookmark string, pageSize int) Page {
	var p Page
	p.Bookmark, _ = walkPage(fetchPage(start, end, bookmark, pageSize), func(k string, v []byte) bool {
		p.Entries = append(p.Entries, Entry{Key: k, Value: v})
		return true
	})
	return p
}

// PrefixEnd returns the smallest valid UTF-8 key greater than every key that starts with prefix, the exclusive
// end of a prefix scan; "" (to the end) when no such key exists, as for "" itself.
func PrefixEnd(prefix string) string {
	b := []byte(prefix)
	if !utf8.ValidString(prefix) {
		// Not a valid key anyway; the byte-wise successor keeps the scan correct for the host to judge.
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] < 0xff {
				b[i]++
				return string(b[:i+1])
			}
		}
		return ""
	}
	// UTF-8 byte order is code point order, so the successor of the last rune that can grow is the bound.
	for len(b) > 0 {
		r, size := utf8.DecodeLastRune(b)
		b = b[:len(b)-size]
		switch r {
		case utf8.MaxRune:
			continue
		case 0xD7FF: // the next code point, 0xD800, is a surrogate and cannot be encoded
			r = 0xE000
		default:
			r++
		}
		return string(utf8.AppendRune(b, r))
	}
	return ""
}

// fetchPage asks the host for one raw page (ABI.md §4).
func fetchPage(start, end, bookmark string, pageSize int) []byte {
	if pageSize < 0 {
		pageSize = 0
	}
	if pageSize > 1<<31-1 {
		pageSize = 1<<31 - 1
	}
	return takeRegister(abiStateRange(start, end, bookmark, uint32(pageSize)))
}

// walkPage yields the entries of the raw page b until yield returns false, then returns the page's bookmark
// and whether yield wanted more. Keys and values alias b, which the caller must not reuse.
// A malformed page panics with an *Error: it can only come from a host that does not speak ABI v1.
func walkPage(b []byte, yield func(string, []byte) bool) (bookmark string, more bool) {
	bookmark, stopped, err := decodePage(b, yield)
	if err != nil {
		panic(NewError(Internal, "malformed range page from host: "+err.Error()))
	}
	return bookmark, !stopped
}

// decodePage parses the page layout of ABI.md §4, calling yield for each entry, and returns the bookmark, or
// stopped if yield asked to stop first. Every length is checked against the bytes present.
func decodePage(b []byte, yield func(string, []byte) bool) (bookmark string, stopped bool, err error) {
	if len(b) < 4 {
		return "", false, fmt.Errorf("entry count: need 4 bytes, have %d", len(b))
	}
	count := binary.LittleEndian.Uint32(b)
	rest := b[4:]
	var key, value []byte
	for i := uint32(0); i < count; i++ {
		if key, rest, err = readField(rest, "key", i); err != nil {
			return "", false, err
		}
		if value, rest, err = readField(rest, "value", i); err != nil {
			return "", false, err
		}
		if !yield(bytesToString(key), value) {
			return "", true, nil
		}
	}
	bm, rest, err := readField(rest, "bookmark", count)
	if err != nil {
		return "", false, err
	}
	if len(rest) != 0 {
		return "", false, fmt.Errorf("%d bytes after the bookmark", len(rest))
	}
	return bytesToString(bm), false, nil
}

// readField reads a u32-length-prefixed field of entry index (the bookmark counts as entry "count"). The
// result's capacity is capped so appends to a value cannot clobber the next field.
func readField(b []byte, what string, index uint32) (field, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("%s length at entry %d: need 4 bytes, have %d", what, index, len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) {
		return nil, nil, fmt.Errorf("%s at entry %d: length %d exceeds the %d bytes left", what, index, n, len(b))
	}
	return b[:n:n], b[n:], nil
}
