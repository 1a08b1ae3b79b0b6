package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

func TestContract_Call(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c := goContract(t, "consent", engine.ContractConfig{Isolation: mode})
			tests := []struct {
				name      string
				setup     [][2]string // fn, args committed before the call
				fn, args  string
				want      string
				wantState map[string]string // committed keys after the call ("" = deleted)
			}{
				{name: "echo", fn: "echo", args: `{"x":1}`, want: `{"x":1}`},
				{name: "put then get", setup: [][2]string{{"put", `{"key":"a","value":"1"}`}}, fn: "get", args: `{"key":"a"}`, want: "1",
					wantState: map[string]string{"ns/consent/a": "1"}},
				{name: "delete", setup: [][2]string{{"put", `{"key":"a","value":"1"}`}}, fn: "del", args: `{"key":"a"}`,
					wantState: map[string]string{"ns/consent/a": ""}},
				{name: "reads its own write", fn: "readown", args: `{"key":"k","value":"mine"}`, want: "mine",
					wantState: map[string]string{"ns/consent/k": "mine"}},
				{name: "empty value", fn: "readown", args: `{"key":"e","value":""}`, want: "",
					wantState: map[string]string{"ns/consent/e": ""}},
				{name: "consent", setup: [][2]string{{"put", `{"key":"patient/p1","value":"{}"}`}}, fn: "consent",
					args:      `{"patient":"p1","grantee":"g","scope":"labs","grant":true}`,
					want:      `{"patient":"p1","grantee":"g","scopes":["labs"],"version":1}`,
					wantState: map[string]string{"ns/consent/consent/p1/g": `{"patient":"p1","grantee":"g","scopes":["labs"],"version":1}`}},
				{name: "private data", fn: "pput", args: `{"coll":"_implicit_org_Hospital1MSP","key":"secret","value":"s"}`},
				{name: "caller identity", fn: "whoami",
					want: `{"mspId":"Hospital1MSP","id":"x509::CN=alice::CN=ca","subject":"CN=alice","issuer":"CN=ca","role":"client","attrs":{"role":"clinician"}}`},
				{name: "key namespacing cannot escape", fn: "put", args: `{"key":"../ns/other/k","value":"x"}`,
					wantState: map[string]string{"ns/consent/../ns/other/k": "x", "ns/other/k": ""}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st := ledger.NewMemory()
					for _, s := range tt.setup {
						mustCall(t, c, st, s[0], s[1])
					}
					res := mustCall(t, c, st, tt.fn, tt.args)
					if string(res.Output) != tt.want {
						t.Errorf("output = %q, want %q", res.Output, tt.want)
					}
					for k, want := range tt.wantState {
						v, _, ok := st.Get(k)
						if want == "" && ok && len(v) > 0 || want != "" && string(v) != want {
							t.Errorf("state[%q] = %q (present %v), want %q", k, v, ok, want)
						}
					}
				})
			}
		})
	}
}

func TestContract_Call_Private(t *testing.T) {
	c := goContract(t, "consent", engine.ContractConfig{})
	st := ledger.NewMemory()
	const coll = "_implicit_org_Hospital1MSP"
	mustCall(t, c, st, "pput", `{"coll":"`+coll+`","key":"k","value":"secret"}`)
	if v, _, ok := st.GetPrivate(coll, "ns/consent/k"); !ok || string(v) != "secret" {
		t.Fatalf("private %s/ns/consent/k = %q, %v", coll, v, ok)
	}
	if _, _, ok := st.Get("ns/consent/k"); ok {
		t.Fatal("private write leaked into public state")
	}
	if res := mustCall(t, c, st, "pget", `{"coll":"`+coll+`","key":"k"}`); string(res.Output) != "secret" {
		t.Fatalf("pget = %q", res.Output)
	}
	mustCall(t, c, st, "pdel", `{"coll":"`+coll+`","key":"k"}`)
	if _, _, ok := st.GetPrivate(coll, "ns/consent/k"); ok {
		t.Fatal("pdel left the key")
	}
	_, err := call(t, c, st, "pget", `{"coll":"`+coll+`","key":"k"}`)
	requireContractError(t, err, `private key "k" not found`)
}

func TestContract_Call_Namespaces(t *testing.T) {
	a := goContract(t, "alpha", engine.ContractConfig{})
	b := goContract(t, "beta", engine.ContractConfig{})
	st := ledger.NewMemory()
	mustCall(t, a, st, "put", `{"key":"k","value":"from-alpha"}`)
	_, err := call(t, b, st, "get", `{"key":"k"}`)
	requireContractError(t, err, `key "k" not found`)
	// Whatever bytes beta passes, the key stays inside ns/beta/.
	mustCall(t, b, st, "put", `{"key":"ns/alpha/k","value":"forged"}`)
	if v, _, _ := st.Get("ns/alpha/k"); string(v) != "from-alpha" {
		t.Fatalf("beta overwrote alpha's key: %q", v)
	}
	if got := st.Keys("ns/beta/"); len(got) != 1 || got[0] != "ns/beta/ns/alpha/k" {
		t.Fatalf("beta keys = %v", got)
	}
	// Ranges see only the contract's own keys, with the prefix removed.
	res := mustCall(t, b, st, "range", `{}`)
	if !strings.Contains(string(res.Output), `"Key":"ns/alpha/k"`) || strings.Contains(string(res.Output), "from-alpha") {
		t.Fatalf("beta range = %s", res.Output)
	}
}

func TestContract_Call_Events(t *testing.T) {
	c := goContract(t, "consent", engine.ContractConfig{})
	st := ledger.NewMemory()
	res := mustCall(t, c, st, "emit", `{"key":"ConsentGranted","value":"{\"p\":1}","n":2}`)
	if len(res.Events) != 2 || res.Events[0].Name != "ConsentGranted" || string(res.Events[1].Payload) != `{"p":1}` {
		t.Fatalf("events = %+v", res.Events)
	}
}

func TestContract_Call_Log(t *testing.T) {
	c := goContract(t, "consent", engine.ContractConfig{})
	res := mustCall(t, c, ledger.NewMemory(), "log", `{"value":"hello","n":4}`)
	want := []engine.LogEntry{
		{Level: abi.LogDebug, Source: engine.LogFromContract, Message: "hello"},
		{Level: abi.LogInfo, Source: engine.LogFromContract, Message: "hello"},
		{Level: abi.LogWarn, Source: engine.LogFromContract, Message: "hello"},
		{Level: abi.LogError, Source: engine.LogFromContract, Message: "hello"},
		{Level: abi.LogInfo, Source: engine.LogFromStdout, Message: "to stdout"},
		{Level: abi.LogWarn, Source: engine.LogFromStderr, Message: "to stderr"},
	}
	if len(res.Log) != len(want) || res.LogTruncated {
		t.Fatalf("log = %+v (truncated %v)", res.Log, res.LogTruncated)
	}
	for i := range want {
		if res.Log[i] != want[i] {
			t.Errorf("log[%d] = %+v, want %+v", i, res.Log[i], want[i])
		}
	}
	// Above MaxLogBytes the log is cut and flagged, never an error.
	lc := goContract(t, "consent", engine.ContractConfig{Limits: limited})
	res = mustCall(t, lc, ledger.NewMemory(), "log", `{"value":"`+strings.Repeat("x", 100)+`","n":5}`)
	total := 0
	for _, e := range res.Log {
		total += len(e.Message)
	}
	if !res.LogTruncated || total != limited.MaxLogBytes {
		t.Fatalf("truncated = %v, bytes = %d, want true, %d", res.LogTruncated, total, limited.MaxLogBytes)
	}
}

type rangePage struct {
	Entries []struct {
		Key   string
		Value []byte
	}
	Bookmark string
}

func (p rangePage) keys() string {
	var ks []string
	for _, e := range p.Entries {
		ks = append(ks, e.Key+"="+string(e.Value))
	}
	return strings.Join(ks, ",") + "|" + p.Bookmark
}

func TestContract_Call_Range(t *testing.T) {
	c := goContract(t, "consent", engine.ContractConfig{Limits: limited}) // MaxRangePage 3
	st := ledger.NewMemory()
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		mustCall(t, c, st, "put", `{"key":"r/`+k+`","value":"`+k+`"}`)
	}
	mustCall(t, goContract(t, "other", engine.ContractConfig{}), st, "put", `{"key":"r/zzz","value":"other"}`)
	tests := []struct {
		name, fn, args, want string
	}{
		{"first page clamped to MaxRangePage", "range", `{"start":"r/","pageSize":1000}`, "r/a=a,r/b=b,r/c=c|r/d"},
		{"page size 0 means MaxRangePage", "range", `{"start":"r/","pageSize":0}`, "r/a=a,r/b=b,r/c=c|r/d"},
		{"resume from bookmark", "range", `{"start":"r/","bookmark":"r/d","pageSize":2}`, "r/d=d,r/e=e|"},
		{"end is exclusive", "range", `{"start":"r/b","end":"r/d"}`, "r/b=b,r/c=c|"},
		{"empty range", "range", `{"start":"r/x","end":"r/y"}`, "|"},
		{"start after end", "range", `{"start":"r/d","end":"r/b"}`, "|"},
		{"sees own write", "putrange", `{"key":"r/bb","value":"new","start":"r/b","end":"r/d"}`, "r/b=b,r/bb=new,r/c=c|"},
		{"own write shadows", "putrange", `{"key":"r/b","value":"B","start":"r/a","end":"r/c"}`, "r/a=a,r/b=B|"},
		{"own delete hides", "delrange", `{"key":"r/b","start":"r/a","end":"r/d"}`, "r/a=a,r/c=c|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Call(t.Context(), engine.Call{Function: tt.fn, Args: []byte(tt.args), State: st})
			st.Rollback()
			if err != nil {
				t.Fatal(err)
			}
			var p rangePage
			if err := json.Unmarshal(res.Output, &p); err != nil {
				t.Fatal(err)
			}
			if got := p.keys(); got != tt.want {
				t.Errorf("page = %s, want %s", got, tt.want)
			}
		})
	}
	// The read set records the range like Fabric: bounds in the namespace, reads with versions, not exhausted.
	_, err := c.Call(t.Context(), engine.Call{Function: "range", Args: []byte(`{"start":"r/","pageSize":2}`), State: st})
	if err != nil {
		t.Fatal(err)
	}
	rw := st.RWSet()
	st.Rollback()
	if len(rw.RangeReads) != 1 || rw.RangeReads[0].StartKey != "ns/consent/r/" || rw.RangeReads[0].EndKey != "ns/consent0" ||
		rw.RangeReads[0].Exhausted || len(rw.RangeReads[0].Reads) != 3 {
		t.Fatalf("range read set = %+v", rw.RangeReads)
	}
}

func requireContractError(t *testing.T, err error, substr string) {
	t.Helper()
	var ce *engine.ContractError
	if !errorsAs(err, &ce) || !strings.Contains(ce.Message, substr) {
		t.Fatalf("error = %v, want a ContractError containing %q", err, substr)
	}
}

// TestContract_Call_RangeBytes: a page stops at MaxRangeBytes of keys and values, but always holds one entry.
func TestContract_Call_RangeBytes(t *testing.T) {
	c := goContract(t, "consent", engine.ContractConfig{Limits: limited}) // MaxRangeBytes 1024, MaxValueBytes 1024
	st := ledger.NewMemory()
	big := strings.Repeat("v", 400)
	for _, k := range []string{"a", "b", "c"} {
		mustCall(t, c, st, "put", `{"key":"big/`+k+`","value":"`+big+`"}`)
	}
	huge := strings.Repeat("h", 1020)
	_ = st.PutState("ns/consent/huge/x", []byte(huge+huge)) // larger than the page bound (written by an older config)
	_, _ = st.Commit()
	tests := []struct{ args, want string }{
		{`{"start":"big/"}`, "big/a,big/b|big/c"},
		{`{"start":"big/c"}`, "big/c|huge/x"},
		{`{"start":"huge/"}`, "huge/x|"},
	}
	for _, tt := range tests {
		res := mustCall(t, c, st, "range", tt.args)
		var p rangePage
		if err := json.Unmarshal(res.Output, &p); err != nil {
			t.Fatal(err)
		}
		var ks []string
		for _, e := range p.Entries {
			ks = append(ks, e.Key)
		}
		if got := strings.Join(ks, ",") + "|" + p.Bookmark; got != tt.want {
			t.Errorf("range %s = %s, want %s", tt.args, got, tt.want)
		}
	}
}
