package sdk

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/medledger/medledger/runtime/abi"
)

// collect decodes a whole page into entries.
func collect(t *testing.T, b []byte) ([]Entry, string) {
	t.Helper()
	var got []Entry
	bm, stopped, err := decodePage(b, func(k string, v []byte) bool {
		got = append(got, Entry{Key: k, Value: v})
		return true
	})
	if err != nil {
		t.Fatalf("decodePage: %v", err)
	}
	if stopped {
		t.Fatalf("decodePage reports stopped though yield never asked to")
	}
	return got, bm
}

// TestDecodePage checks the SDK's decoder against the host's encoder (runtime/abi), the two sides of ABI.md §4.
func TestDecodePage(t *testing.T) {
	tests := []struct {
		name string
		page abi.RangePage
	}{
		{"empty exhausted", abi.RangePage{}},
		{"empty with bookmark", abi.RangePage{Bookmark: "opaque\x01bm"}},
		{"entries", abi.RangePage{Entries: []abi.KV{
			{Key: "patient/1", Value: []byte(`{"name":"a"}`)},
			{Key: "patient/2", Value: []byte{}},
			{Key: "pätient/ü", Value: []byte{0, 0xff, 1}},
		}, Bookmark: "patient/2"}},
		{"last page", abi.RangePage{Entries: []abi.KV{{Key: "k", Value: []byte("v")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bm := collect(t, abi.AppendRangePage(nil, &tt.page))
			var want []Entry
			for _, e := range tt.page.Entries {
				want = append(want, Entry{Key: e.Key, Value: e.Value})
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("entries = %q, want %q", got, want)
			}
			if bm != tt.page.Bookmark {
				t.Errorf("bookmark = %q, want %q", bm, tt.page.Bookmark)
			}
		})
	}
}

func TestDecodePage_stopsEarly(t *testing.T) {
	b := abi.AppendRangePage(nil, &abi.RangePage{
		Entries:  []abi.KV{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}, {Key: "c", Value: []byte("3")}},
		Bookmark: "c",
	})
	var keys []string
	bm, stopped, err := decodePage(b, func(k string, _ []byte) bool {
		keys = append(keys, k)
		return len(keys) < 2
	})
	if err != nil || !stopped || bm != "" {
		t.Fatalf("decodePage = %q, stopped=%v, %v; want \"\", true, nil", bm, stopped, err)
	}
	if !reflect.DeepEqual(keys, []string{"a", "b"}) {
		t.Errorf("yielded %q, want [a b]", keys)
	}
}

func TestDecodePage_valuesCannotClobber(t *testing.T) {
	b := abi.AppendRangePage(nil, &abi.RangePage{Entries: []abi.KV{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}}})
	got, _ := collect(t, b)
	_ = append(got[0].Value, 'X', 'X', 'X', 'X', 'X')
	if got[1].Key != "b" || string(got[1].Value) != "2" {
		t.Errorf("appending to a value changed the next entry: %q", got[1])
	}
}

func TestDecodePage_Errors(t *testing.T) {
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	good := abi.AppendRangePage(nil, &abi.RangePage{Entries: []abi.KV{{Key: "k", Value: []byte("v")}}, Bookmark: "k"})
	tests := []struct {
		name string
		page []byte
		want string
	}{
		{"nil", nil, "entry count: need 4 bytes, have 0"},
		{"short count", []byte{1, 0}, "entry count: need 4 bytes, have 2"},
		{"count without entries", u32(1), "key length at entry 0: need 4 bytes, have 0"},
		{"key longer than page", cat(u32(1), u32(10), []byte("abc")), "key at entry 0: length 10 exceeds the 3 bytes left"},
		{"missing value", cat(u32(1), u32(1), []byte("k")), "value length at entry 0"},
		{"value longer than page", cat(u32(1), u32(1), []byte("k"), u32(0xffffffff)), "value at entry 0: length 4294967295"},
		{"missing bookmark", cat(u32(0)), "bookmark length at entry 0"},
		{"bookmark longer than page", cat(u32(0), u32(5), []byte("ab")), "bookmark at entry 0: length 5 exceeds the 2 bytes left"},
		{"trailing bytes", append(good[:len(good):len(good)], 0), "1 bytes after the bookmark"},
		{"truncated good page", good[:len(good)-1], "bookmark at entry 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodePage(tt.page, func(string, []byte) bool { return true })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decodePage error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWalkPage_Errors(t *testing.T) {
	defer func() {
		p := recover()
		e, ok := p.(*Error)
		if !ok || e.Code != Internal || !strings.Contains(e.Message, "malformed range page from host") {
			t.Fatalf("walkPage on a bad page panicked with %#v, want an Internal *Error naming the page", p)
		}
	}()
	walkPage([]byte{1}, func(string, []byte) bool { return true })
	t.Fatal("walkPage accepted a malformed page")
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		prefix, want string
	}{
		{"", ""},
		{"note/", "note0"},
		{"a", "b"},
		{"a~", "a\x7f"},
		{"a\x7f", "a\u0080"},
		{"pätient/", "pätient0"},
		{"ä", "å"},
		{"a\uD7FF", "a\uE000"},
		{"a\U0010FFFF", "b"},
		{"\U0010FFFF\U0010FFFF", ""},
		{"x\xff", "y"}, // not UTF-8: byte-wise successor
		{"\xff\xff", ""},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			got := PrefixEnd(tt.prefix)
			if got != tt.want {
				t.Fatalf("PrefixEnd(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
			if utf8.ValidString(tt.prefix) && !utf8.ValidString(got) {
				t.Errorf("PrefixEnd(%q) = %q is not valid UTF-8", tt.prefix, got)
			}
			// Every key with the prefix sorts before the end, and the end itself does not have the prefix.
			if got != "" {
				for _, suffix := range []string{"", "\x01", "zzz", "\U0010FFFF\U0010FFFF"} {
					if k := tt.prefix + suffix; k >= got {
						t.Errorf("key %q with the prefix is not below end %q", k, got)
					}
				}
				if strings.HasPrefix(got, tt.prefix) {
					t.Errorf("end %q itself has the prefix %q", got, tt.prefix)
				}
			}
		})
	}
}
