package sdktest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/engine"
	"github.com/medledger/medledger/runtime/ledger"
)

// Identity is a caller identity (ABI.md §5).
type Identity = engine.Identity

// NewIdentity returns the identity of user commonName in organisation mspID with NodeOU role and Fabric CA
// attributes attrs (nil for none), with ID, Subject and Issuer spelled as Fabric spells them.
func NewIdentity(mspID, commonName, role string, attrs map[string]string) Identity {
	if attrs == nil {
		attrs = map[string]string{}
	}
	subject := "CN=" + commonName + ",OU=" + role
	issuer := "CN=ca." + strings.ToLower(strings.TrimSuffix(mspID, "MSP"))
	return Identity{MSPID: mspID, ID: "x509::" + subject + "::" + issuer, Subject: subject, Issuer: issuer, Role: role, Attrs: attrs}
}

// DefaultCaller is the caller of calls that name none: a client of Org1MSP without attributes.
var DefaultCaller = NewIdentity("Org1MSP", "user1", "client", nil)

// DefaultTime is the transaction time of calls that set none.
var DefaultTime = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)

// DefaultName is the contract (and key namespace) name of a harness that sets none.
const DefaultName = "contract"

// Option configures New.
type Option func(*options)

type options struct {
	name   string
	cfg    engine.ContractConfig
	caller Identity
	now    time.Time
	state  *ledger.Memory
}

// WithName sets the contract's name, which is also its key namespace (default DefaultName).
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithIsolation sets the contract's isolation mode (default engine.Snapshot).
func WithIsolation(i engine.Isolation) Option { return func(o *options) { o.cfg.Isolation = i } }

// WithLimits sets the contract's limits; zero fields keep engine.DefaultLimits.
func WithLimits(l engine.Limits) Option { return func(o *options) { o.cfg.Limits = l } }

// WithCaller sets the caller of calls that do not use As (default DefaultCaller).
func WithCaller(id Identity) Option { return func(o *options) { o.caller = id } }

// WithTime sets the transaction time of calls that do not use At (default DefaultTime).
func WithTime(t time.Time) Option { return func(o *options) { o.now = t } }

// WithState runs the contract on state instead of a new, empty ledger, e.g. to let two contracts share one.
func WithState(state *ledger.Memory) Option { return func(o *options) { o.state = state } }

// Harness runs calls of one loaded contract against an in-memory ledger. It is not safe for concurrent use.
type Harness struct {
	t        testing.TB
	contract *engine.Contract
	state    *ledger.Memory
	ns       string
	caller   Identity
	now      time.Time
	calls    int
	writes   []Write
}

// New loads wasm (usually from Build) into the test binary's shared engine as a contract and returns a harness
// for it, with its own empty ledger unless WithState says otherwise.
//
// # Errors
//
// New fails the test (t.Fatal) when the engine cannot start or Load rejects the module or the options (the
// *engine.ValidationError's message names the cause), or _initialize traps.
func New(t testing.TB, wasm []byte, opts ...Option) *Harness {
	t.Helper()
	o := options{name: DefaultName, caller: DefaultCaller, now: DefaultTime}
	for _, opt := range opts {
		opt(&o)
	}
	if o.state == nil {
		o.state = ledger.NewMemory()
	}
	c, err := load(t, o.name, wasm, o.cfg)
	if err != nil {
		t.Fatalf("sdktest.New: load contract %q: %v", o.name, err)
	}
	return &Harness{t: t, contract: c, state: o.state, ns: abi.Namespace(o.name), caller: o.caller, now: o.now}
}

// loadKey identifies a loaded contract that harnesses can share.
type loadKey struct {
	name string
	sum  [sha256.Size]byte
	cfg  engine.ContractConfig
}

var (
	loadMu sync.Mutex
	loaded = map[loadKey]*engine.Contract{}
)

// load returns the contract for (name, wasm, cfg). Loading validates, rewrites and initialises the module, a
// large part of a second for a Go guest, so Snapshot and Fresh contracts are loaded once per test binary and
// shared: their calls cannot see each other and every harness passes its own ledger. Pooled instances keep
// guest memory between calls, so each harness gets its own Pooled contract, closed with the test.
func load(t testing.TB, name string, wasm []byte, cfg engine.ContractConfig) (*engine.Contract, error) {
	e, err := sharedEngine()
	if err != nil {
		return nil, err
	}
	if cfg.Isolation == engine.Pooled {
		c, err := e.Load(t.Context(), name, wasm, cfg)
		if err == nil {
			t.Cleanup(func() { _ = c.Close(context.Background()) })
		}
		return c, err
	}
	k := loadKey{name: name, sum: sha256.Sum256(wasm), cfg: cfg}
	loadMu.Lock()
	defer loadMu.Unlock()
	if c, ok := loaded[k]; ok {
		return c, nil
	}
	// Not t.Context(): the contract outlives this test.
	c, err := e.Load(context.Background(), name, wasm, cfg)
	if err != nil {
		return nil, err
	}
	loaded[k] = c
	return c, nil
}

var (
	engineOnce sync.Once
	engineVal  *engine.Engine
	engineErr  error
)

// sharedEngine returns the process's engine, created on first use with a disk compilation cache beside the
// module cache. It is never closed: it lives as long as the test binary.
func sharedEngine() (*engine.Engine, error) {
	engineOnce.Do(func() {
		dir, err := cacheDir()
		if err != nil {
			engineErr = err
			return
		}
		engineVal, engineErr = engine.New(engine.NewConfig().WithCacheDir(filepath.Join(dir, "compiled")))
	})
	return engineVal, engineErr
}

// CallOption adjusts one call.
type CallOption func(*engine.Call)

// As makes id the caller.
func As(id Identity) CallOption { return func(c *engine.Call) { c.Caller = id } }

// At sets the transaction time.
func At(t time.Time) CallOption { return func(c *engine.Call) { c.Timestamp = t } }

// TxID sets the transaction id (default: a deterministic 64-hex-digit id per call).
func TxID(id string) CallOption { return func(c *engine.Call) { c.TxID = id } }

// Call runs function with args and, when it succeeds, commits its writes as a block. args is sent as is when
// it is a string or []byte, as no bytes when nil, and JSON encoded otherwise. A failed call is rolled back
// (and the harness checks that it wrote nothing). The call's outcome is in the Result; Call itself fails the
// test only when args cannot be encoded or the ledger cannot commit.
func (h *Harness) Call(function string, args any, opts ...CallOption) *Result {
	h.t.Helper()
	h.calls++
	id := sha256.Sum256([]byte(h.ns + "\x00" + strconv.Itoa(h.calls)))
	call := engine.Call{
		Function:  function,
		Args:      h.encode("Call("+function+") args", args),
		State:     h.state,
		Caller:    h.caller,
		TxID:      hex.EncodeToString(id[:]),
		Timestamp: h.now,
	}
	for _, opt := range opts {
		opt(&call)
	}
	res, err := h.contract.Call(h.t.Context(), call)
	r := &Result{Function: function, Output: res.Output, Err: err, Events: res.Events, Log: res.Log,
		GasUsed: res.GasUsed, Duration: res.Duration}
	if err != nil {
		r.RWSet = h.state.RWSet()
		h.state.Rollback()
		if r.RWSet.HasWrites() {
			h.t.Errorf("sdktest: failed call %s wrote to the ledger (engine bug): %+v", function, r.RWSet)
		}
		return r
	}
	if r.RWSet, err = h.state.Commit(); err != nil {
		h.t.Fatalf("sdktest: commit of %s: %v", function, err)
	}
	r.Writes = h.unnamespace(r.RWSet)
	h.writes = append(h.writes, r.Writes...)
	return r
}

// encode turns a Call argument or seeded value into bytes (see Call).
func (h *Harness) encode(what string, v any) []byte {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []byte(v)
	case []byte:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatalf("sdktest: %s: %v", what, err)
	}
	return b
}

// unnamespace lists rw's writes with the contract's namespace removed; a key outside it fails the test.
func (h *Harness) unnamespace(rw ledger.RWSet) []Write {
	var out []Write
	add := func(coll string, ws []ledger.Write) {
		for _, w := range ws {
			key, ok := strings.CutPrefix(w.Key, h.ns)
			if !ok { // the engine must confine every key to the contract's namespace
				h.t.Errorf("sdktest: write to %q (collection %q) outside the namespace %q", w.Key, coll, h.ns)
				continue
			}
			out = append(out, Write{Collection: coll, Key: key, Value: w.Value, Deleted: w.IsDelete})
		}
	}
	add("", rw.Writes)
	for _, c := range slices.Sorted(maps.Keys(rw.Private)) {
		add(c, rw.Private[c].Writes)
	}
	return out
}
