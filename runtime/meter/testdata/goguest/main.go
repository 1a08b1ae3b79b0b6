// Command goguest is a Go wasip1 reactor (-buildmode=c-shared) that stands in for a real
// contract in the meter tests: it runs the Go runtime, the garbage collector, encoding/json,
// sorting and hashing, so instrumentation is checked against everything a Go guest does.
// The tests build it with GOOS=wasip1 GOARCH=wasm (see goguest_test.go); it exports plain
// numeric functions so no ABI or SDK is needed.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

func main() {}

// consent is the shape of a small health-care consent record.
type consent struct {
	Patient string   `json:"patient"`
	Grantee string   `json:"grantee"`
	Scopes  []string `json:"scopes"`
	Expires int64    `json:"expires"`
	Revoked bool     `json:"revoked"`
}

// checkConsent is the realistic small call: decode a consent, check a rule, hash the record.
//
//go:wasmexport check_consent
func checkConsent(n int32) int64 {
	in := fmt.Sprintf(`{"patient":"patient-%d","grantee":"hospital-%d","scopes":["read:labs","read:notes","write:orders"],"expires":%d}`,
		n, n%7, 1700000000+int64(n))
	var c consent
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		return -1
	}
	allowed := !c.Revoked && c.Expires > 1700000000
	for _, s := range c.Scopes {
		if strings.HasPrefix(s, "read:") {
			allowed = allowed && true
		}
	}
	out, _ := json.Marshal(c)
	sum := sha256.Sum256(out)
	v := int64(binary.LittleEndian.Uint64(sum[:8]) >> 1)
	if !allowed {
		v = -v
	}
	return v
}

// records builds n records, round-trips them through JSON, sorts them and hashes the result:
// a heavier call that allocates and triggers the garbage collector.
//
//go:wasmexport records
func records(n int32) int64 {
	rs := make([]consent, n)
	for i := range rs {
		rs[i] = consent{Patient: fmt.Sprintf("p%05d", (int(i)*7919)%int(n)), Grantee: "h", Scopes: []string{"read"}, Expires: int64(i)}
	}
	b, _ := json.Marshal(rs)
	var back []consent
	if err := json.Unmarshal(b, &back); err != nil {
		return -1
	}
	sort.Slice(back, func(i, j int) bool { return back[i].Patient < back[j].Patient })
	b, _ = json.Marshal(back)
	sum := sha256.Sum256(b)
	return int64(binary.LittleEndian.Uint64(sum[:8]) >> 1)
}

// fib is plain recursion.
//
//go:wasmexport fib
func fib(n int32) int32 {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// depth recurses n levels deep with a small frame, to find how deep Go code may go.
//
//go:wasmexport depth
func depth(n int32) int32 {
	if n == 0 {
		return 0
	}
	return depth(n-1) + 1
}

// alloc allocates and touches mib MiB, growing the linear memory.
//
//go:wasmexport alloc
func alloc(mib int32) int32 {
	b := make([]byte, int(mib)<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = byte(i)
	}
	return int32(len(b) >> 20)
}
