package sdk_test

import (
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
	"github.com/medledger/medledger/runtime/engine"
)

// BenchmarkInvoke measures one call through the real engine (Snapshot isolation) and the SDK's dispatch, per
// kind of handler, including the harness's commit to the in-memory ledger. Run with
// go test -run '^$' -bench Invoke -benchtime 2000x ./plugins/sdk/
func BenchmarkInvoke(b *testing.B) {
	cases := []struct {
		name, fn, args string
	}{
		{"raw-echo", "raw", `x`},
		{"typed-get", "get", `{"key":"patient/1"}`},
		{"typed-put", "put", `{"key":"patient/1","value":"Ada"}`},
		{"range-10", "range", `{"prefix":"r/"}`},
		{"caller", "caller", ``},
	}
	for _, mode := range []engine.Isolation{engine.Snapshot, engine.Pooled} {
		h := guest(b, sdktest.WithIsolation(mode))
		h.Put("patient/1", "Ada")
		for i := range 10 {
			h.Put("r/"+string(rune('0'+i)), "v")
		}
		for _, c := range cases {
			b.Run(mode.String()+"/"+c.name, func(b *testing.B) {
				for b.Loop() {
					if r := h.Call(c.fn, c.args); r.Err != nil {
						b.Fatal(r.Err)
					}
				}
			})
		}
	}
}
