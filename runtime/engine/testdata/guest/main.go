//go:build wasip1

// Command guest is the engine's Go-built test contract (GOOS=wasip1 -buildmode=c-shared). It speaks ABI v1
// directly and has one function per behaviour the engine tests need, plus "consent", the realistic small call of
// the benchmarks (read two keys, decode JSON arguments, write one key).
package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"github.com/medledger/medledger/runtime/abi"
)

func main() {}

// init primes encoding/json's per-type caches, as the SDK does for registered argument and result types, so the
// snapshot taken after _initialize holds them and no call pays for building them.
func init() {
	var a consentArgs
	_ = json.Unmarshal([]byte(`{"patient":"","grantee":"","scope":"","grant":false}`), &a)
	var c consent
	b, _ := json.Marshal(consent{Scopes: []string{""}})
	_ = json.Unmarshal(b, &c)
}

// counter lives in guest memory: Snapshot and Fresh reset it, Pooled does not.
var counter int

type consentArgs struct {
	Patient string `json:"patient"`
	Grantee string `json:"grantee"`
	Scope   string `json:"scope"`
	Grant   bool   `json:"grant"`
}

type consent struct {
	Patient string   `json:"patient"`
	Grantee string   `json:"grantee"`
	Scopes  []string `json:"scopes"`
	Version int      `json:"version"`
}

type kvArgs struct {
	Coll     string `json:"coll"`
	Key      string `json:"key"`
	Value    string `json:"value"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Bookmark string `json:"bookmark"`
	PageSize int32  `json:"pageSize"`
	N        int    `json:"n"`
}

func dispatch(fn string, args []byte) ([]byte, error) {
	var a kvArgs
	if fn != "consent" && fn != "echo" && len(args) > 0 {
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("%s: invalid JSON arguments: %v", fn, err)
		}
	}
	switch fn {
	case "consent":
		return consentFn(args)
	case "echo":
		return args, nil
	case "put":
		putState(a.Key, []byte(a.Value))
		return nil, nil
	case "get":
		v, ok := getState(a.Key)
		if !ok {
			return nil, fmt.Errorf("key %q not found", a.Key)
		}
		return v, nil
	case "del":
		k, kl := sptr(a.Key)
		stateDelete(k, kl)
		return nil, nil
	case "range":
		s, sl := sptr(a.Start)
		e, el := sptr(a.End)
		b, bl := sptr(a.Bookmark)
		raw, _ := register(stateRange(s, sl, e, el, b, bl, a.PageSize))
		page, err := abi.DecodeRangePage(raw)
		if err != nil {
			return nil, err
		}
		return json.Marshal(page)
	case "pput", "pget", "pdel":
		return private(fn, a)
	case "emit":
		for i := 0; i < max(a.N, 1); i++ {
			n, nl := sptr(a.Key)
			p, pl := sptr(a.Value)
			eventEmit(n, nl, p, pl)
		}
		return nil, nil
	case "whoami":
		id, _ := register(callerFn())
		return id, nil
	case "txinfo":
		return txinfo()
	case "log":
		for i := 0; i < max(a.N, 1); i++ {
			m, ml := sptr(a.Value)
			logFn(int32(i%4), m, ml)
		}
		fmt.Println("to stdout")
		fmt.Fprintln(os.Stderr, "to stderr")
		return nil, nil
	case "counter":
		counter++
		return []byte(fmt.Sprint(counter)), nil
	case "writes":
		for i := 0; i < a.N; i++ {
			putState(fmt.Sprintf("w%05d", i), []byte("x"))
		}
		return nil, nil
	case "putrange", "delrange":
		if fn == "putrange" {
			putState(a.Key, []byte(a.Value))
		} else {
			k, kl := sptr(a.Key)
			stateDelete(k, kl)
		}
		return dispatch("range", mustJSON(a))
	case "readown":
		putState(a.Key, []byte(a.Value))
		v, _ := getState(a.Key)
		return v, nil
	case "putfound": // put, then say whether the call's own read finds the key
		putState(a.Key, []byte(a.Value))
		if v, ok := getState(a.Key); ok {
			return append([]byte("found:"), v...), nil
		}
		return []byte("absent"), nil
	case "fail":
		putState("should-not-exist", []byte("x"))
		return nil, errors.New("consent denied: " + a.Value)
	case "abort":
		putState("should-not-exist", []byte("x"))
		m, ml := sptr(a.Value)
		abortFn(m, ml)
		return nil, nil
	}
	return hostile(fn, a)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func private(fn string, a kvArgs) ([]byte, error) {
	c, cl := sptr(a.Coll)
	k, kl := sptr(a.Key)
	switch fn {
	case "pput":
		v, vl := sptr(a.Value)
		privatePut(c, cl, k, kl, v, vl)
	case "pdel":
		privateDelete(c, cl, k, kl)
	default:
		v, ok := register(privateGet(c, cl, k, kl))
		if !ok {
			return nil, fmt.Errorf("private key %q not found", a.Key)
		}
		return v, nil
	}
	return nil, nil
}

func consentFn(args []byte) ([]byte, error) {
	var a consentArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, fmt.Errorf("consent: invalid JSON arguments: %v", err)
	}
	if _, ok := getState("patient/" + a.Patient); !ok {
		return nil, fmt.Errorf("patient %q is not registered", a.Patient)
	}
	key := "consent/" + a.Patient + "/" + a.Grantee
	var c consent
	if raw, ok := getState(key); ok {
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("consent record %q is corrupt: %v", key, err)
		}
	} else {
		c = consent{Patient: a.Patient, Grantee: a.Grantee}
	}
	if a.Grant {
		c.Scopes = append(c.Scopes, a.Scope)
	}
	c.Version++
	out, _ := json.Marshal(c)
	putState(key, out)
	return out, nil
}

func txinfo() ([]byte, error) {
	id, _ := register(txIDFn())
	r := make([]byte, 16)
	_, _ = rand.Read(r)
	return json.Marshal(map[string]any{
		"txId": string(id), "ts": txTimestamp(), "now": time.Now().UnixNano(), "rand": r, "mapOrder": mapOrder(),
	})
}

// mapOrder exposes Go's randomised map iteration, which depends on the runtime's random state.
func mapOrder() string {
	m := map[int]bool{}
	for i := 0; i < 16; i++ {
		m[i] = true
	}
	s := ""
	for k := range m {
		s += fmt.Sprint(k, ",")
	}
	return s
}

var sink [][]byte

func recurse(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return recurse(n+1) + int(pad[0])
}

func hostile(fn string, a kvArgs) ([]byte, error) {
	switch fn {
	case "hugekey":
		getState(string(make([]byte, a.N)))
	case "hugevalue":
		putState("k", make([]byte, a.N))
	case "hugeresult":
		return make([]byte, a.N), nil
	case "badptr":
		stateGet(unsafe.Pointer(uintptr(0xFFFFFF00)), 8)
	case "badkey":
		if a.N == 1 {
			a.Key = "\xff\xfe" // JSON cannot carry invalid UTF-8
		}
		getState(a.Key)
	case "panic":
		putState("should-not-exist", []byte("x"))
		panic("boom: " + a.Value)
	case "exit":
		putState("should-not-exist", []byte("x"))
		os.Exit(a.N)
	case "grow":
		for i := 0; i < a.N; i++ {
			sink = append(sink, make([]byte, 1<<20))
		}
		return []byte(fmt.Sprint(len(sink))), nil
	case "recurse":
		return []byte(fmt.Sprint(recurse(0))), nil
	case "spin":
		for i := 0; ; i++ {
			counter += i
		}
	default:
		return nil, fmt.Errorf("unknown function %q", fn)
	}
	return nil, nil
}
