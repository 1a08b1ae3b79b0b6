package sdk_test

// Behaviour tests of the SDK through the real engine: testdata/guest is built to wasm and run by sdktest.

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/medledger/medledger/plugins/sdk"
	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/engine"
)

func guest(t testing.TB, opts ...sdktest.Option) *sdktest.Harness {
	t.Helper()
	return sdktest.New(t, sdktest.Build(t, "testdata/guest"), append([]sdktest.Option{sdktest.WithName("guest")}, opts...)...)
}

// output returns the call's output as a string, failing the test if the call failed.
func output(t *testing.T, r *sdktest.Result) string {
	t.Helper()
	return string(r.RequireOK(t).Output)
}

func TestContext_State(t *testing.T) {
	h := guest(t)
	h.Call("put", `{"key":"patient/1","value":"Ada"}`).RequireOK(t)
	if v, ok := h.Get("patient/1"); !ok || string(v) != "Ada" {
		t.Fatalf("after put, patient/1 = %q, %v", v, ok)
	}
	if got := output(t, h.Call("get", `{"key":"patient/1"}`)); got != `"Ada"` {
		t.Errorf("get = %s, want \"Ada\"", got)
	}
	if got := output(t, h.Call("get", `{"key":"patient/2"}`)); got != `null` {
		t.Errorf("get of an absent key = %s, want null", got)
	}
	h.Call("del", `{"key":"patient/1"}`).RequireOK(t)
	if _, ok := h.Get("patient/1"); ok {
		t.Error("patient/1 exists after del")
	}
	h.Call("del", `{"key":"never-written"}`).RequireOK(t)
	// A call reads its own writes and deletes.
	h.Put("k-gone", "was here")
	if got := output(t, h.Call("putget", `{"key":"k","value":"v1"}`)); got != `"v1 false"` {
		t.Errorf("putget = %s, want \"v1 false\"", got)
	}
	if _, ok := h.Get("k-gone"); ok {
		t.Error("k-gone survived the delete")
	}
}

func TestContext_State_Errors(t *testing.T) {
	h := guest(t)
	h.Call("badkey", nil).RequireTrap(t, engine.TrapABI, "key is empty")
	h.Call("put", `{"key":"a\u0000b","value":"x"}`).RequireTrap(t, engine.TrapABI, "0x00")
	h.Call("put", map[string]string{"key": strings.Repeat("k", 1025), "value": "x"}).RequireTrap(t, engine.TrapLimit, "1025")
	if n := h.Height(); n != 0 {
		t.Errorf("refused calls committed %d blocks", n)
	}
}

func TestContext_JSON(t *testing.T) {
	h := guest(t)
	var got map[string]any
	h.Call("json", `{"name":"Ada","age":36}`).JSON(t, &got)
	want := map[string]any{
		"public":      map[string]any{"name": "Ada", "age": 36.0},
		"private":     map[string]any{"name": "Ada", "age": 36.0},
		"absentFound": false,
		"absentErr":   false,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("json = %v, want %v", got, want)
	}
	if v, ok := h.GetPrivate("secrets", "doc"); !ok || string(v) != `{"age":36,"name":"Ada"}` {
		t.Errorf("private doc = %s, %v", v, ok)
	}
}

func TestContext_JSON_Errors(t *testing.T) {
	h := guest(t)
	h.Put("notjson", "plain text")
	h.Call("getjson", `{"key":"notjson"}`).RequireError(t, `internal: state key "notjson" does not hold the expected JSON: invalid character 'p'`)
	h.Call("putjsonbad", nil).RequireError(t, `internal: cannot encode state key "bad": json: unsupported type: func()`)
}

func TestCollection(t *testing.T) {
	h := guest(t)
	h.Call("put", `{"coll":"_implicit_org_Org1MSP","key":"dx/1","value":"flu"}`).RequireOK(t)
	if v, ok := h.GetPrivate("_implicit_org_Org1MSP", "dx/1"); !ok || string(v) != "flu" {
		t.Fatalf("private dx/1 = %q, %v", v, ok)
	}
	if _, ok := h.Get("dx/1"); ok {
		t.Error("a private write reached world state")
	}
	if got := output(t, h.Call("get", `{"coll":"_implicit_org_Org1MSP","key":"dx/1"}`)); got != `"flu"` {
		t.Errorf("private get = %s", got)
	}
	if got := output(t, h.Call("get", `{"coll":"other","key":"dx/1"}`)); got != `null` {
		t.Errorf("get from another collection = %s, want null", got)
	}
	h.Call("del", `{"coll":"_implicit_org_Org1MSP","key":"dx/1"}`).RequireOK(t)
	if _, ok := h.GetPrivate("_implicit_org_Org1MSP", "dx/1"); ok {
		t.Error("private dx/1 exists after delete")
	}
	h.Call("put", `{"coll":"bad name!","key":"k","value":"v"}`).RequireTrap(t, engine.TrapABI, "collection name")
}

func TestContext_Range(t *testing.T) {
	h := guest(t)
	for _, k := range []string{"a", "b/1", "b/2", "b/3", "b/4", "b0", "c", "ü/1"} {
		h.Put(k, strings.ToUpper(k))
	}
	all := []string{"a=A", "b/1=B/1", "b/2=B/2", "b/3=B/3", "b/4=B/4", "b0=B0", "c=C", "ü/1=Ü/1"}
	tests := []struct {
		name string
		args string
		want []string
	}{
		{"everything, host page size", `{}`, all},
		{"everything, one per page", `{"pageSize":1}`, all},
		{"everything, pages of 3", `{"pageSize":3}`, all},
		{"bounded", `{"start":"b/2","end":"c"}`, []string{"b/2=B/2", "b/3=B/3", "b/4=B/4", "b0=B0"}},
		{"open end", `{"start":"c"}`, []string{"c=C", "ü/1=Ü/1"}},
		{"empty range", `{"start":"c","end":"c"}`, []string{}},
		{"inverted range", `{"start":"c","end":"a"}`, []string{}},
		{"prefix", `{"prefix":"b/","pageSize":2}`, []string{"b/1=B/1", "b/2=B/2", "b/3=B/3", "b/4=B/4"}},
		{"unicode prefix", `{"prefix":"ü"}`, []string{"ü/1=Ü/1"}},
		{"break mid page", `{"pageSize":3,"stop":2}`, all[:2]},
		{"break at a page boundary", `{"pageSize":2,"stop":4}`, all[:4]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			h.Call("range", tt.args).JSON(t, &got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("range %s = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestContext_RangePage(t *testing.T) {
	h := guest(t)
	for _, k := range []string{"r/1", "r/2", "r/3", "r/4", "r/5"} {
		h.Put(k, "v"+k[2:])
	}
	var keys []string
	bookmark := ""
	for pages := 1; ; pages++ {
		var p sdk.Page
		args, _ := json.Marshal(map[string]any{"start": "r/", "end": "r0", "bookmark": bookmark, "pageSize": 2})
		h.Call("page", args).JSON(t, &p)
		for _, e := range p.Entries {
			keys = append(keys, e.Key+"="+string(e.Value))
		}
		if p.Bookmark == "" {
			if pages != 3 {
				t.Errorf("5 entries in pages of 2 took %d pages, want 3", pages)
			}
			break
		}
		if pages > 5 {
			t.Fatal("RangePage never ends")
		}
		bookmark = p.Bookmark
	}
	if want := []string{"r/1=v1", "r/2=v2", "r/3=v3", "r/4=v4", "r/5=v5"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("paged keys = %q, want %q", keys, want)
	}
}

func TestContext_Emit(t *testing.T) {
	h := guest(t)
	res := h.Call("emit", `[{"name":"Bytes","kind":"bytes","payload":"\u0001raw"},{"name":"Str","kind":"string","payload":"s"},
		{"name":"Nil","kind":"nil"},{"name":"JSON","kind":"json","payload":"x"}]`).RequireOK(t)
	want := []engine.Event{{Name: "Bytes", Payload: []byte("\x01raw")}, {Name: "Str", Payload: []byte("s")},
		{Name: "Nil"}, {Name: "JSON", Payload: []byte(`{"v":"x"}`)}}
	if len(res.Events) != len(want) {
		t.Fatalf("events = %+v, want %+v", res.Events, want)
	}
	for i, e := range res.Events {
		if e.Name != want[i].Name || string(e.Payload) != string(want[i].Payload) {
			t.Errorf("event %d = %s %q, want %s %q", i, e.Name, e.Payload, want[i].Name, want[i].Payload)
		}
	}
}

func TestContext_Emit_Errors(t *testing.T) {
	h := guest(t)
	h.Call("emit", `[{"name":"Ok","kind":"string"},{"name":"Bad","kind":"bad"}]`).
		RequireError(t, `internal: cannot encode event "Bad": json: unsupported type: chan int`)
	var many []map[string]string
	for range 17 {
		many = append(many, map[string]string{"name": "E", "kind": "nil"})
	}
	h.Call("emit", many).RequireTrap(t, engine.TrapLimit, "16")
}

func TestContext_Caller(t *testing.T) {
	nurse := sdktest.NewIdentity("Hospital1MSP", "nina", "client", map[string]string{"role": "clinician", "onDuty": "true"})
	tests := []struct {
		name   string
		caller sdktest.Identity
		want   map[string]any
	}{
		{"attributes", nurse, map[string]any{"isClient": true, "onDuty": "true", "clinician": true, "again": true}},
		{"none", sdktest.NewIdentity("PharmaMSP", "bot", "peer", nil), map[string]any{"isClient": false, "onDuty": "", "clinician": false, "again": true}},
	}
	h := guest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			h.Call("caller", nil, sdktest.As(tt.caller)).JSON(t, &got)
			var id sdk.Identity
			b, _ := json.Marshal(got["identity"])
			if err := json.Unmarshal(b, &id); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sdktest.Identity(id), tt.caller) {
				t.Errorf("Caller() = %+v, want %+v", id, tt.caller)
			}
			delete(got, "identity")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("helpers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContext_Tx(t *testing.T) {
	h := guest(t)
	at := time.Date(2026, 5, 17, 8, 30, 0, 123456789, time.FixedZone("CEST", 2*3600))
	res := h.Call("tx", nil, sdktest.TxID("tx-42"), sdktest.At(at)).RequireOK(t)
	if want := `{"function":"tx","txId":"tx-42","txTime":"2026-05-17T06:30:00.123456789Z"}`; string(res.Output) != want {
		t.Errorf("tx = %s, want %s", res.Output, want)
	}
	wantLog := []engine.LogEntry{
		{Level: 0, Source: engine.LogFromContract, Message: "debug line"},
		{Level: 2, Source: engine.LogFromContract, Message: "tx tx-42"},
	}
	if !reflect.DeepEqual(res.Log, wantLog) {
		t.Errorf("log = %+v, want %+v", res.Log, wantLog)
	}
	// Each call gets its own transaction id: nothing is cached across calls.
	var a, b struct{ TxID string }
	h.Call("tx", nil).JSON(t, &a)
	h.Call("tx", nil).JSON(t, &b)
	if a.TxID == b.TxID || a.TxID == "" {
		t.Errorf("two calls saw tx ids %q and %q", a.TxID, b.TxID)
	}
}

func TestInvoke_Errors(t *testing.T) {
	tests := []struct {
		name, fn, args, want string
	}{
		{"unknown function", "nope", ``, `unknown function "nope"`},
		{"invalid JSON", "put", `{"key":`, `invalid_argument: cannot decode arguments of "put": unexpected EOF`},
		{"unknown field", "put", `{"key":"a","vale":"x"}`, `invalid_argument: cannot decode arguments of "put": json: unknown field "vale"`},
		{"invalid UTF-8", "put", "{\"key\":\"\xff\"}", `invalid_argument: cannot decode arguments of "put": not valid UTF-8`},
		{"coded error", "fail", `{"how":"coded"}`, `permission_denied: clinician is not on duty`},
		{"wrapped error", "fail", `{"how":"errorf"}`, `consent c1: not_found: no such consent`},
		{"panic", "fail", `{"how":"panic"}`, `panic in "fail": dose table missing`},
		{"panic with *Error", "fail", `{"how":"panicerr"}`, `failed_precondition: consent revoked`},
		{"nil map", "fail", `{"how":"nilmap"}`, `panic in "fail": assignment to entry in nil map`},
		{"index out of range", "fail", `{"how":"index"}`, `panic in "fail": runtime error: index out of range [5] with length 0`},
	}
	h := guest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.Call(tt.fn, tt.args).RequireError(t, tt.want)
			if res.Message() != tt.want {
				t.Errorf("message = %q, want exactly %q", res.Message(), tt.want)
			}
			if _, ok := h.Get("written-before-failure"); ok {
				t.Error("a failed call's write was committed")
			}
		})
	}
	// The instance that failed is gone, not the contract.
	h.Call("put", `{"key":"after","value":"ok"}`).RequireOK(t)
}

func TestRegisterRaw(t *testing.T) {
	h := guest(t)
	if got := output(t, h.Call("raw", []byte("\x00\xff not json"))); got != "raw:\x00\xff not json" {
		t.Errorf("raw = %q", got)
	}
	if got := output(t, h.Call("raw", nil)); got != "raw:" {
		t.Errorf("raw without args = %q", got)
	}
}

// TestIsolation checks that guest memory is reset between calls in Snapshot and Fresh modes, also after a
// failed call, and that in Pooled mode, where memory persists, the SDK still caches nothing across calls.
func TestIsolation(t *testing.T) {
	for _, mode := range []engine.Isolation{engine.Snapshot, engine.Fresh} {
		t.Run(mode.String(), func(t *testing.T) {
			h := guest(t, sdktest.WithIsolation(mode))
			for i := range 3 {
				if got := output(t, h.Call("calls", nil)); got != "1" {
					t.Errorf("call %d saw %s earlier calls in its memory, want 1", i, got)
				}
				h.Call("fail", `{"how":"panic"}`).RequireError(t, "dose table missing")
			}
		})
	}
	t.Run("pooled", func(t *testing.T) {
		h := guest(t, sdktest.WithIsolation(engine.Pooled))
		for i, id := range []string{"tx-a", "tx-b", "tx-c"} {
			caller := sdktest.NewIdentity("Org1MSP", id, "client", nil)
			var tx struct{ TxID string }
			h.Call("tx", nil, sdktest.TxID(id)).JSON(t, &tx)
			var who struct{ Identity sdk.Identity }
			h.Call("caller", nil, sdktest.As(caller)).JSON(t, &who)
			if tx.TxID != id || who.Identity.ID != caller.ID {
				t.Errorf("pooled call %d saw tx %q and caller %q, want %q and %q", i, tx.TxID, who.Identity.ID, id, caller.ID)
			}
		}
	})
}
