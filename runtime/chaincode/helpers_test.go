package chaincode_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/medledger/medledger/runtime/chaincode"
	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger/fabricstub/peertest"
)

var (
	admin1  = peertest.MustIdentity("Hospital1MSP", "Admin@hospital1", "admin", nil)
	admin2  = peertest.MustIdentity("Hospital2MSP", "Admin@hospital2", "admin", nil)
	admin3  = peertest.MustIdentity("Hospital3MSP", "Admin@hospital3", "admin", nil)
	client1 = peertest.MustIdentity("Hospital1MSP", "dr-lee", "client", map[string]string{"role": "clinician"})
)

// cacheDir is one disk compilation cache for every engine of the test binary, so each module compiles once.
var cacheDir = func() string {
	d, err := os.MkdirTemp("", "wasmcc-test-cache-")
	if err != nil {
		panic(err)
	}
	return d
}()

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(cacheDir)
	os.Exit(code)
}

func module(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// env is a wasmcc chaincode connected to an in-process peer.
type env struct {
	cc  *chaincode.Chaincode
	p   *peertest.Peer
	reg *prometheus.Registry
}

func newEnv(t testing.TB, cfg chaincode.Config, opts peertest.Options) *env {
	t.Helper()
	reg := prometheus.NewRegistry()
	cc, err := chaincode.New(cfg.WithEngine(engine.NewConfig().WithCacheDir(cacheDir)).WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close(context.Background()) })
	p, err := peertest.Start(cc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &env{cc: cc, p: p, reg: reg}
}

func defaultEnv(t testing.TB) *env {
	return newEnv(t, chaincode.NewConfig(), peertest.Options{})
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// submit runs a transaction and returns its result, failing the test on protocol errors only.
func (e *env) submit(t testing.TB, id peertest.Identity, a [][]byte, transient map[string][]byte) peertest.Result {
	t.Helper()
	res, err := e.p.Submit(peertest.Proposal{Creator: id, Args: a, Transient: transient})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// ok runs a transaction that must succeed and returns its payload.
func (e *env) ok(t testing.TB, id peertest.Identity, a [][]byte, transient map[string][]byte) []byte {
	t.Helper()
	res := e.submit(t, id, a, transient)
	if !res.OK() {
		t.Fatalf("%s failed: %d %s", a[0], res.Response.Status, res.Response.Message)
	}
	return res.Response.Payload
}

// failsWith runs a transaction that must fail with status and a message containing want, writing nothing.
func (e *env) failsWith(t testing.TB, id peertest.Identity, a [][]byte, transient map[string][]byte, status int32, want string) {
	t.Helper()
	before := e.p.Height()
	res := e.submit(t, id, a, transient)
	if res.OK() || res.Response.Status != status || !strings.Contains(res.Response.Message, want) {
		t.Fatalf("%s: got %d %q, want %d containing %q", a[0], res.Response.Status, res.Response.Message, status, want)
	}
	if e.p.Height() != before || len(res.RWSet.Writes) != 0 {
		t.Fatalf("%s failed but committed or wrote: height %d -> %d, writes %v", a[0], before, e.p.Height(), res.RWSet.Writes)
	}
}

// govern sets the governance to Hospital1MSP and Hospital2MSP, MAJORITY.
func (e *env) govern(t testing.TB) {
	t.Helper()
	e.ok(t, admin1, args("setGovernance", `{"members":["Hospital2MSP","Hospital1MSP"]}`), nil)
}

func (e *env) deploy(t testing.TB, name, version string, wasm []byte, spec map[string]any) chaincode.Entry {
	t.Helper()
	if spec == nil {
		spec = map[string]any{}
	}
	spec["name"], spec["version"] = name, version
	raw := e.ok(t, admin1, args("deploy", mustJSON(spec)), map[string][]byte{chaincode.TransientModule: wasm})
	var en chaincode.Entry
	if err := json.Unmarshal(raw, &en); err != nil {
		t.Fatal(err)
	}
	return en
}

// metric returns the value of the counter or gauge name with the given labels (0 when absent).
func (e *env) metric(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	return 0
}
