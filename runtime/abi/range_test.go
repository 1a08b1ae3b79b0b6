package abi_test

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/abi"
)

func TestRangePage_RoundTrip(t *testing.T) {
	tests := []abi.RangePage{
		{Entries: []abi.KV{}},
		{Entries: []abi.KV{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte{}}}, Bookmark: "c"},
		{Entries: []abi.KV{{Key: "ünï", Value: []byte{0, 1, 2}}}},
	}
	for _, p := range tests {
		b := abi.AppendRangePage(nil, &p)
		if len(b) != p.EncodedSize() {
			t.Errorf("EncodedSize = %d, encoded %d bytes", p.EncodedSize(), len(b))
		}
		got, err := abi.DecodeRangePage(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("round trip = %+v, want %+v", got, p)
		}
	}
}

func TestDecodeRangePage_Errors(t *testing.T) {
	valid := abi.AppendRangePage(nil, &abi.RangePage{Entries: []abi.KV{{Key: "a", Value: []byte("1")}}, Bookmark: "b"})
	huge := binary.LittleEndian.AppendUint32(nil, 1<<31)
	tests := []struct {
		name   string
		b      []byte
		errSub string
	}{
		{"empty", nil, "count: range page truncated"},
		{"hostile count", huge, "count 2147483648"},
		{"key longer than the page", []byte{1, 0, 0, 0, 100, 0, 0, 0, 'a', 'b', 'c', 'd'}, "entry 0 key"},
		{"truncated value", valid[:12], "entry 0 value"},
		{"missing bookmark", valid[:len(valid)-5], "bookmark"},
		{"trailing bytes", append(append([]byte{}, valid...), 0), "1 trailing bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := abi.DecodeRangePage(tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("err = %v, want %q", err, tt.errSub)
			}
		})
	}
}
