package ledger_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/ledger"
)

// seeded returns a Memory with a=1, b=2, c=3 committed at block 1.
func seeded(t *testing.T) *ledger.Memory {
	t.Helper()
	m := ledger.NewMemory()
	for _, k := range []string{"a", "b", "c"} {
		if err := m.PutState(k, []byte{k[0] - 'a' + '1'}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Commit(); err != nil {
		t.Fatal(err)
	}
	return m
}

func v1() *ledger.Version { return &ledger.Version{Block: 1} }

func TestMemory_GetState(t *testing.T) {
	m := seeded(t)
	tests := []struct {
		key  string
		want []byte
	}{{"a", []byte("1")}, {"missing", nil}}
	for _, tt := range tests {
		got, err := m.GetState(tt.key)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("GetState(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
		}
	}
	// Reads are recorded once each, with the committed version (nil when absent), like Fabric's read set.
	_, _ = m.GetState("a")
	want := []ledger.Read{{Key: "a", Version: v1()}, {Key: "missing"}}
	if got := m.RWSet().Reads; !reflect.DeepEqual(got, want) {
		t.Fatalf("reads = %+v, want %+v", got, want)
	}
}

func TestMemory_PutState(t *testing.T) {
	m := seeded(t)
	_ = m.PutState("a", []byte("x"))
	_ = m.PutState("d", []byte("4"))
	_ = m.PutState("a", []byte("y")) // last write wins, first-write order kept
	_ = m.DelState("b")
	// Fabric semantics: a transaction does not read its own writes.
	if got, _ := m.GetState("a"); string(got) != "1" {
		t.Fatalf("pending write visible to GetState: %q", got)
	}
	want := []ledger.Write{{Key: "a", Value: []byte("y")}, {Key: "d", Value: []byte("4")}, {Key: "b", IsDelete: true}}
	if got := m.RWSet().Writes; !reflect.DeepEqual(got, want) {
		t.Fatalf("writes = %+v, want %+v", got, want)
	}
	rw, err := m.Commit()
	if err != nil || !rw.HasWrites() {
		t.Fatalf("commit = %+v, %v", rw, err)
	}
	for key, want := range map[string]string{"a": "y", "d": "4", "c": "3"} {
		if v, ver, ok := m.Get(key); !ok || string(v) != want || (key != "c" && ver.Block != 2) {
			t.Errorf("after commit %s = %q@%v (%v), want %q", key, v, ver, ok, want)
		}
	}
	if _, _, ok := m.Get("b"); ok {
		t.Error("deleted key still present")
	}
	if m.Height() != 2 || !m.RWSet().Empty() {
		t.Errorf("height = %d, pending = %+v", m.Height(), m.RWSet())
	}
}

func TestMemory_PutState_Errors(t *testing.T) {
	m := seeded(t)
	if err := m.PutState("", []byte("x")); err == nil || !strings.Contains(err.Error(), "empty key") {
		t.Fatalf("PutState(\"\") = %v", err)
	}
	if err := m.DelState(""); err == nil {
		t.Fatal("DelState(\"\") succeeded")
	}
	if err := m.PutPrivateData("", "k", nil); err == nil {
		t.Fatal("PutPrivateData with empty collection succeeded")
	}
	if !m.RWSet().Empty() {
		t.Fatalf("rejected writes were recorded: %+v", m.RWSet())
	}
}

func TestMemory_Rollback(t *testing.T) {
	m := seeded(t)
	_ = m.PutState("a", []byte("x"))
	_, _ = m.GetState("b")
	m.Rollback()
	if !m.RWSet().Empty() || m.Height() != 1 {
		t.Fatalf("after rollback: %+v, height %d", m.RWSet(), m.Height())
	}
	if v, _, _ := m.Get("a"); string(v) != "1" {
		t.Fatalf("rolled-back write applied: %q", v)
	}
}

func TestMemory_GetStateByRange(t *testing.T) {
	m := seeded(t)
	tests := []struct {
		start, end string
		read       int // entries to read before Close
		want       []string
		exhausted  bool
	}{
		{"a", "c", -1, []string{"a", "b"}, true},
		{"", "", -1, []string{"a", "b", "c"}, true},
		{"b", "", 1, []string{"b"}, false},
		{"x", "", -1, nil, true},
	}
	for _, tt := range tests {
		m.Rollback()
		it, err := m.GetStateByRange(tt.start, tt.end)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for it.HasNext() && (tt.read < 0 || len(got) < tt.read) {
			kv, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, kv.Key)
		}
		_ = it.Close()
		_ = it.Close() // idempotent
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("range [%q,%q) = %v, want %v", tt.start, tt.end, got, tt.want)
		}
		rr := m.RWSet().RangeReads
		if len(rr) != 1 || rr[0].Exhausted != tt.exhausted || len(rr[0].Reads) != len(tt.want) {
			t.Errorf("range [%q,%q) recorded %+v", tt.start, tt.end, rr)
		}
	}
	it, _ := m.GetStateByRange("a", "")
	for it.HasNext() {
		_, _ = it.Next()
	}
	if _, err := it.Next(); err == nil {
		t.Error("Next past the end succeeded")
	}
}

func TestMemory_Commit_Errors(t *testing.T) {
	tests := []struct {
		name     string
		read     func(s ledger.State)
		conflict func(s ledger.State) // a concurrent transaction that commits first
		errSub   string
	}{
		{"key changed", func(s ledger.State) { _, _ = s.GetState("a") },
			func(s ledger.State) { _ = s.PutState("a", []byte("z")) }, `key "a" changed`},
		{"absent key created", func(s ledger.State) { _, _ = s.GetState("new") },
			func(s ledger.State) { _ = s.PutState("new", []byte("z")) }, `key "new" changed`},
		{"key deleted", func(s ledger.State) { _, _ = s.GetState("b") },
			func(s ledger.State) { _ = s.DelState("b") }, `key "b" changed`},
		{"phantom in range", func(s ledger.State) {
			it, _ := s.GetStateByRange("a", "c")
			for it.HasNext() {
				_, _ = it.Next()
			}
			_ = it.Close()
		}, func(s ledger.State) { _ = s.PutState("ab", []byte("z")) }, `range ["a", "c") changed`},
		{"private key changed", func(s ledger.State) { _, _ = s.GetPrivateData("coll", "p") },
			func(s ledger.State) { _ = s.PutPrivateData("coll", "p", []byte("z")) }, `collection "coll" key "p" changed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := seeded(t)
			tx1, tx2 := m.Begin(), m.Begin()
			tt.read(tx1)
			_ = tx1.PutState("result", []byte("must not apply"))
			tt.conflict(tx2)
			if _, err := tx2.Commit(); err != nil {
				t.Fatal(err)
			}
			height := m.Height()
			_, err := tx1.Commit()
			if !errors.Is(err, ledger.ErrMVCCConflict) || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("commit = %v, want ErrMVCCConflict containing %q", err, tt.errSub)
			}
			if _, _, ok := m.Get("result"); ok || m.Height() != height {
				t.Fatal("a conflicting transaction was applied")
			}
			if !tx1.RWSet().Empty() {
				t.Fatal("a failed commit left the transaction pending")
			}
		})
	}
	// A range read that stopped early only protects what it saw.
	m := seeded(t)
	tx1, tx2 := m.Begin(), m.Begin()
	it, _ := tx1.GetStateByRange("a", "")
	_, _ = it.Next()
	_ = it.Close()
	_ = tx2.PutState("z", []byte("after the range's last read"))
	_, _ = tx2.Commit()
	if _, err := tx1.Commit(); err != nil {
		t.Fatalf("partial range conflicted with a write past it: %v", err)
	}
}

func TestMemory_PrivateData(t *testing.T) {
	m := ledger.NewMemory()
	_ = m.PutPrivateData("coll", "k", []byte("secret"))
	if _, err := m.Commit(); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.GetPrivateData("coll", "k"); string(v) != "secret" {
		t.Fatalf("GetPrivateData = %q", v)
	}
	if v, _ := m.GetState("k"); v != nil {
		t.Fatal("private data visible as public state")
	}
	_ = m.DelPrivateData("coll", "k")
	rw, _ := m.Commit()
	if c := rw.Private["coll"]; len(c.Reads) != 1 || len(c.Writes) != 1 || !c.Writes[0].IsDelete {
		t.Fatalf("private rwset = %+v", rw.Private)
	}
	if _, _, ok := m.GetPrivate("coll", "k"); ok {
		t.Fatal("private delete not applied")
	}
}

func TestMemory_JSON(t *testing.T) {
	m := seeded(t)
	_ = m.PutState("bin", []byte{0xff, 0x00})
	_ = m.PutPrivateData("coll", "p", []byte("secret"))
	_, _ = m.Commit()
	_ = m.PutState("pending", []byte("not saved"))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"a":{"value":"1","version":{"block":1,"tx":0}}`) || !strings.Contains(string(b), `"base64":"/wA="`) {
		t.Fatalf("JSON = %s", b)
	}
	var back ledger.Memory
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) {
		t.Fatalf("round trip differs:\n%s\n%s", b, b2)
	}
	if v, ver, _ := back.Get("bin"); string(v) != "\xff\x00" || ver.Block != 2 || back.Height() != 2 {
		t.Fatalf("bin = %q@%v height %d", v, ver, back.Height())
	}
}

func TestMemory_UnmarshalJSON_Errors(t *testing.T) {
	tests := []struct{ name, in, errSub string }{
		{"wrong field type", `{"format":"one"}`, "state JSON"},
		{"wrong format", `{"format":2,"state":{}}`, "format 2 is not supported"},
		{"both encodings", `{"format":1,"height":1,"state":{"k":{"value":"a","base64":"YQ==","version":{"block":1}}}}`, "both value and base64"},
		{"no value", `{"format":1,"height":1,"state":{"k":{"version":{"block":1}}}}`, "neither value nor base64"},
		{"bad base64", `{"format":1,"height":1,"state":{"k":{"base64":"!!","version":{"block":1}}}}`, "base64"},
		{"empty key", `{"format":1,"height":1,"state":{"":{"value":"a","version":{"block":1}}}}`, "empty key"},
		{"version above height", `{"format":1,"height":1,"state":{"k":{"value":"a","version":{"block":5}}}}`, "above height 1"},
		{"empty collection", `{"format":1,"height":1,"state":{},"private":{"":{}}}`, "empty collection"},
		{"empty value", `{"format":1,"height":1,"state":{"k":{"value":"","version":{"block":1}}}}`, `key "k": empty value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := seeded(t)
			before, _ := json.Marshal(m)
			err := json.Unmarshal([]byte(tt.in), m)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("err = %v, want %q", err, tt.errSub)
			}
			if after, _ := json.Marshal(m); string(after) != string(before) {
				t.Fatalf("failed UnmarshalJSON changed state:\n%s\n%s", before, after)
			}
		})
	}
}

// TestMemory_PutState_EmptyValue: an empty or nil value is recorded and applied as a delete, as on a Fabric peer
// (rwsetutil: IsDelete = len(value) == 0), for public and private data.
func TestMemory_PutState_EmptyValue(t *testing.T) {
	tests := []struct {
		name  string
		value []byte
	}{{"empty", []byte{}}, {"nil", nil}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := seeded(t)
			_ = m.PutPrivateData("coll", "p", []byte("secret"))
			if _, err := m.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := m.PutState("a", tt.value); err != nil {
				t.Fatal(err)
			}
			if err := m.PutState("new", tt.value); err != nil {
				t.Fatal(err)
			}
			if err := m.PutPrivateData("coll", "p", tt.value); err != nil {
				t.Fatal(err)
			}
			rw := m.RWSet()
			want := []ledger.Write{{Key: "a", IsDelete: true}, {Key: "new", IsDelete: true}}
			if !reflect.DeepEqual(rw.Writes, want) {
				t.Fatalf("writes = %+v, want %+v", rw.Writes, want)
			}
			if got := rw.Private["coll"].Writes; !reflect.DeepEqual(got, []ledger.Write{{Key: "p", IsDelete: true}}) {
				t.Fatalf("private writes = %+v", got)
			}
			if _, err := m.Commit(); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"a", "new"} {
				if v, _, ok := m.Get(k); ok {
					t.Errorf("%s = %q after an empty write, want absent", k, v)
				}
			}
			if _, _, ok := m.GetPrivate("coll", "p"); ok {
				t.Error("private key present after an empty write")
			}
			if got := m.Keys(""); !reflect.DeepEqual(got, []string{"b", "c"}) {
				t.Errorf("keys = %v, want [b c]", got)
			}
		})
	}
}

// TestMemory_GetStateByRange_Snapshot: an iterator reads the state as of GetStateByRange, across its internal
// batches, whatever commits happen while it is open.
func TestMemory_GetStateByRange_Snapshot(t *testing.T) {
	for _, n := range []int{63, 64, 65, 128, 200} { // around the iterator's batch size
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m := ledger.NewMemory()
			var want []string
			for i := 0; i < n; i++ {
				k := fmt.Sprintf("k%04d", i)
				want = append(want, k)
				_ = m.PutState(k, []byte("v0"))
			}
			_ = m.PutState("z", []byte("outside"))
			if _, err := m.Commit(); err != nil {
				t.Fatal(err)
			}
			reader := m.Begin()
			it, err := reader.GetStateByRange("k", "l")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for it.HasNext() {
				kv, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				if string(kv.Value) != "v0" {
					t.Fatalf("%s = %q, want the value as of the range start", kv.Key, kv.Value)
				}
				got = append(got, kv.Key)
				if len(got) == 1 { // a concurrent transaction rewrites, deletes and inserts inside the range
					w := m.Begin()
					_ = w.PutState("k0001", []byte("v1"))
					_ = w.DelState(fmt.Sprintf("k%04d", n-1))
					_ = w.PutState("k0000a", []byte("v1"))
					if _, err := w.Commit(); err != nil {
						t.Fatal(err)
					}
				}
			}
			_ = it.Close()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("range returned %d keys %v..., want %d", len(got), got[:min(3, len(got))], len(want))
			}
			rr := reader.RWSet().RangeReads
			if len(rr) != 1 || !rr[0].Exhausted || len(rr[0].Reads) != n {
				t.Fatalf("range read recorded %d reads, exhausted %v", len(rr[0].Reads), rr[0].Exhausted)
			}
			// The writes made while the range was open are phantoms for it.
			if _, err := reader.Commit(); !errors.Is(err, ledger.ErrMVCCConflict) {
				t.Fatalf("commit after a phantom = %v, want ErrMVCCConflict", err)
			}
		})
	}
}

// TestMemory_GetStateByRange_Exhausted: a range is exhausted only when every entry was returned, also when the
// last Next ends exactly at a batch boundary and HasNext was not asked again.
func TestMemory_GetStateByRange_Exhausted(t *testing.T) {
	m := ledger.NewMemory()
	for i := 0; i < 64; i++ {
		_ = m.PutState(fmt.Sprintf("k%02d", i), []byte("v"))
	}
	_, _ = m.Commit()
	tests := []struct {
		read      int
		exhausted bool
	}{{63, false}, {64, true}}
	for _, tt := range tests {
		m.Rollback()
		it, _ := m.GetStateByRange("", "")
		for i := 0; i < tt.read; i++ {
			if _, err := it.Next(); err != nil {
				t.Fatal(err)
			}
		}
		_ = it.Close()
		if it.HasNext() {
			t.Error("HasNext after Close")
		}
		if rr := m.RWSet().RangeReads[0]; rr.Exhausted != tt.exhausted || len(rr.Reads) != tt.read {
			t.Errorf("read %d: exhausted = %v with %d reads, want %v", tt.read, rr.Exhausted, len(rr.Reads), tt.exhausted)
		}
	}
}
