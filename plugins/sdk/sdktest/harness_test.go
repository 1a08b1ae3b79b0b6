package sdktest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/ledger"
)

// guestWasm builds the SDK's test guest (plugins/sdk/testdata/guest).
func guestWasm(t *testing.T) []byte {
	t.Helper()
	return Build(t, "../testdata/guest")
}

func TestHarness_Call(t *testing.T) {
	h := New(t, guestWasm(t), WithName("notes"))
	res := h.Call("put", map[string]string{"key": "a", "value": "1"}).RequireOK(t)
	if want := []Write{{Key: "a", Value: []byte("1")}}; !reflect.DeepEqual(res.Writes, want) {
		t.Errorf("Writes = %+v, want %+v", res.Writes, want)
	}
	if len(res.RWSet.Writes) != 1 || res.RWSet.Writes[0].Key != "ns/notes/a" {
		t.Errorf("RWSet = %+v, want the namespaced key ns/notes/a", res.RWSet)
	}
	h.Call("put", `{"coll":"c1","key":"p","value":"2"}`).RequireOK(t)
	h.Call("del", []byte(`{"key":"a"}`)).RequireOK(t)
	want := []Write{{Key: "a", Value: []byte("1")}, {Collection: "c1", Key: "p", Value: []byte("2")}, {Key: "a", Deleted: true}}
	if got := h.Writes(); !reflect.DeepEqual(got, want) {
		t.Errorf("Writes() = %+v, want %+v", got, want)
	}
	if h.Height() != 3 {
		t.Errorf("Height = %d after three successful calls, want 3", h.Height())
	}

	// Defaults: caller, time and a distinct deterministic tx id per call.
	var who struct{ Identity Identity }
	h.Call("caller", nil).JSON(t, &who)
	if !reflect.DeepEqual(who.Identity, DefaultCaller) {
		t.Errorf("default caller = %+v, want %+v", who.Identity, DefaultCaller)
	}
	var tx1, tx2 struct{ TxID, TxTime string }
	h.Call("tx", nil).JSON(t, &tx1)
	h.Call("tx", nil).JSON(t, &tx2)
	if tx1.TxTime != "2026-01-01T09:00:00.000000000Z" || len(tx1.TxID) != 64 || tx1.TxID == tx2.TxID {
		t.Errorf("default tx = %+v then %+v, want DefaultTime and distinct 64-hex-digit ids", tx1, tx2)
	}
}

func TestHarness_Call_failureWritesNothing(t *testing.T) {
	h := New(t, guestWasm(t))
	h.Put("seed", "s")
	height := h.Height()
	res := h.Call("fail", `{"how":"coded"}`).RequireError(t, "permission_denied")
	if h.Height() != height || len(h.Writes()) != 0 || len(res.Events) != 0 {
		t.Errorf("a failed call committed: height %d -> %d, writes %+v, events %+v", height, h.Height(), h.Writes(), res.Events)
	}
	if _, ok := h.Get("written-before-failure"); ok {
		t.Error("the failed call's write is in the ledger")
	}
	if pending := h.State().RWSet(); !pending.Empty() {
		t.Errorf("the failed call left a pending read/write set: %+v", pending)
	}
}

func TestHarness_State(t *testing.T) {
	h := New(t, guestWasm(t), WithName("c"))
	h.Put("p/1", map[string]int{"n": 1})
	h.Put("p/2", []byte("raw"))
	h.Put("q", "text")
	h.PutPrivate("coll", "secret", "s")
	if got := h.Keys("p/"); !reflect.DeepEqual(got, []string{"p/1", "p/2"}) {
		t.Errorf("Keys(p/) = %q", got)
	}
	var v struct{ N int }
	if !h.GetJSON("p/1", &v) || v.N != 1 {
		t.Errorf("GetJSON(p/1) = %+v", v)
	}
	if h.GetJSON("absent", &v) {
		t.Error("GetJSON of an absent key reports found")
	}
	if b, ok := h.GetPrivate("coll", "secret"); !ok || string(b) != "s" {
		t.Errorf("GetPrivate = %q, %v", b, ok)
	}
	if b, _, ok := h.State().Get("ns/c/q"); !ok || string(b) != "text" {
		t.Errorf("the ledger holds ns/c/q = %q, %v; want the seeded value under the namespace", b, ok)
	}
	// The contract sees seeded values.
	if got := string(h.Call("get", `{"key":"p/2"}`).RequireOK(t).Output); got != `"raw"` {
		t.Errorf("get p/2 = %s", got)
	}
}

func TestHarness_WithState(t *testing.T) {
	shared := ledger.NewMemory()
	wasm := guestWasm(t)
	a := New(t, wasm, WithName("alpha"), WithState(shared))
	b := New(t, wasm, WithName("beta"), WithState(shared))
	a.Call("put", `{"key":"k","value":"from alpha"}`).RequireOK(t)
	if _, ok := b.Get("k"); ok {
		t.Error("beta sees alpha's key")
	}
	if got := string(b.Call("get", `{"key":"k"}`).RequireOK(t).Output); got != "null" {
		t.Errorf("beta's contract read alpha's key: %s", got)
	}
	b.Call("put", `{"key":"k","value":"from beta"}`).RequireOK(t)
	if v, _ := a.Get("k"); string(v) != "from alpha" {
		t.Errorf("alpha's k = %q after beta wrote its own", v)
	}
	if got := shared.Keys("ns/"); !reflect.DeepEqual(got, []string{"ns/alpha/k", "ns/beta/k"}) {
		t.Errorf("shared ledger keys = %q", got)
	}
}

func TestNew_Errors(t *testing.T) {
	tests := []struct {
		name string
		wasm []byte
		opts []Option
		want string
	}{
		{"not wasm", []byte("hello"), nil, "load contract"},
		{"bad name", nil, []Option{WithName("Bad_Name")}, "contract name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wasm := tt.wasm
			if wasm == nil {
				wasm = guestWasm(t)
			}
			failures := record(t, func(tb testing.TB) { New(tb, wasm, tt.opts...) })
			if len(failures) != 1 || !strings.Contains(failures[0], tt.want) {
				t.Errorf("New failures = %q, want one containing %q", failures, tt.want)
			}
		})
	}
}
