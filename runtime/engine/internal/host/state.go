// Package host implements the medledger host module (ABI.md §3) and the deterministic WASI subset (ABI.md §6) on
// wazero. Both are instantiated once per runtime and shared by every guest; the per-call state (a *Call) reaches
// the host functions through the context.Context wazero passes them.
package host

import (
	"context"
	"encoding/json"
	"math/rand/v2"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/ledger"
)

// Limits are the per-call bounds the host functions enforce (see engine.Limits).
type Limits struct {
	MaxKeyBytes, MaxValueBytes, MaxRangePage, MaxRangeBytes, MaxResultBytes    int
	MaxEvents, MaxEventNameBytes, MaxEventPayloadBytes, MaxLogBytes, MaxWrites int
}

// Event is one buffered event.
type Event struct {
	Name    string
	Payload []byte
}

// LogEntry is one line of the call log; Source is "log", "stdout" or "stderr".
type LogEntry struct {
	Level   int
	Source  string
	Message string
}

type wkey struct{ coll, key string }

type write struct {
	coll, key string // key is namespaced
	value     []byte
	del       bool
}

// Call is the state of one guest call (or of one _initialize run, when State is nil). The engine fills the inputs,
// runs the guest with WithCall, and reads the outputs; host functions touch nothing else.
type Call struct {
	// Inputs.
	Contract  string
	NS        string // abi.Namespace(Contract)
	Function  string
	Args      []byte
	Caller    abi.Identity
	TxID      string
	Timestamp int64 // Unix nanoseconds
	State     ledger.State
	Limits    Limits
	Seed      [32]byte // random stream seed
	Gas       Gas      // how host functions charge; zero when the engine does not meter

	// Outputs.
	Result       []byte
	Events       []Event
	Log          []LogEntry
	LogTruncated bool
	StderrTail   []byte // last stderrTailBytes of stderr, kept even when the log is full
	PanicLine    string // first stderr line starting "panic: " or "fatal error: " (a Go runtime crash)

	register   []byte
	rangeBuf   []byte
	writes     []write
	writeIdx   map[wkey]int
	logBytes   int
	stdout     []byte // partial line
	stderr     []byte // partial line
	callerJSON []byte
	rng        *rand.ChaCha8
	rngSeeded  bool
}

const stderrTailBytes = 512

type ctxKey struct{}

// WithCall returns ctx carrying c for the host functions.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

func callFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(ctxKey{}).(*Call)
	if c == nil {
		// A guest function called outside a medledger call (never by the engine); fail as a trap, not a crash.
		panic(trapf(KindHost, "host function called without a call context"))
	}
	return c
}

// Reset clears c for reuse, keeping allocated capacity.
func (c *Call) Reset() {
	w, wi, rb, lg, ev := c.writes[:0], c.writeIdx, c.rangeBuf[:0], c.Log[:0], c.Events[:0]
	clear(wi)
	rng := c.rng
	so, se, st := c.stdout[:0], c.stderr[:0], c.StderrTail[:0]
	*c = Call{writes: w, writeIdx: wi, rangeBuf: rb, Log: lg, Events: ev, rng: rng, stdout: so, stderr: se, StderrTail: st}
}

// Writes returns the number of distinct keys the call wrote or deleted.
func (c *Call) Writes() int { return len(c.writes) }

// Flush applies the buffered writes to State in first-write order.
//
// # Errors
//
// The first error State returns; earlier writes stay applied.
func (c *Call) Flush() error {
	for _, w := range c.writes {
		var err error
		switch {
		case w.coll == "" && w.del:
			err = c.State.DelState(w.key)
		case w.coll == "":
			err = c.State.PutState(w.key, w.value)
		case w.del:
			err = c.State.DelPrivateData(w.coll, w.key)
		default:
			err = c.State.PutPrivateData(w.coll, w.key, w.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// FinishLog moves partial stdout/stderr lines into the log; call it once after the guest returns.
func (c *Call) FinishLog() {
	if len(c.stdout) > 0 {
		c.appendLog(abi.LogInfo, "stdout", c.stdout)
		c.stdout = c.stdout[:0]
	}
	if len(c.stderr) > 0 {
		c.appendLog(abi.LogWarn, "stderr", c.stderr)
		c.stderr = c.stderr[:0]
	}
}

func (c *Call) callerBytes() []byte {
	if c.callerJSON == nil {
		id := c.Caller
		if id.Attrs == nil {
			id.Attrs = map[string]string{}
		}
		c.callerJSON, _ = json.Marshal(id) // cannot fail: strings and a string map
	}
	return c.callerJSON
}

func (c *Call) random() *rand.ChaCha8 {
	if !c.rngSeeded {
		if c.rng == nil {
			c.rng = rand.NewChaCha8(c.Seed)
		} else {
			c.rng.Seed(c.Seed)
		}
		c.rngSeeded = true
	}
	return c.rng
}
