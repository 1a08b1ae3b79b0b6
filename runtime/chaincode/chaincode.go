package chaincode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/medledger/medledger/runtime/engine"
)

// Chaincode is wasmcc: the contract registry and dispatcher, as a Fabric chaincode (shim.Chaincode). It is
// safe for concurrent use: the shim runs each transaction in its own goroutine.
type Chaincode struct {
	cfg     Config
	eng     *engine.Engine
	log     *slog.Logger
	metrics *metrics
	loader  *loader
	ctx     context.Context // ends with Close: stops running calls
	cancel  context.CancelFunc

	mu       sync.Mutex
	inflight int
	draining bool
	idle     chan struct{} // closed once draining and no transaction is in flight
}

var _ shim.Chaincode = (*Chaincode)(nil)

// handler serves one chaincode function.
type handler func(cc *Chaincode, t *tx) ([]byte, error)

// handlers are the chaincode's functions (args[0]).
var handlers = map[string]handler{
	"deploy":        (*Chaincode).deploy,
	"upgrade":       (*Chaincode).upgrade,
	"get":           (*Chaincode).get,
	"list":          (*Chaincode).list,
	"history":       (*Chaincode).history,
	"governance":    (*Chaincode).governance,
	"setGovernance": (*Chaincode).setGovernance,
	"invoke":        (*Chaincode).invoke,
	"query":         (*Chaincode).query,
	"invokeReceipt": (*Chaincode).invokeReceipt,
	"queryReceipt":  (*Chaincode).queryReceipt,
}

// New returns a Chaincode with its own sandbox engine, configured by cfg (start from NewConfig).
//
// # Errors
//
//   - the engine cannot be created (a cache directory that cannot be made, invalid ceilings or metering);
//   - registering the metrics fails (for example twice with one registerer).
func New(cfg Config) (*Chaincode, error) {
	m, err := newMetrics(cfg.registerer)
	if err != nil {
		return nil, fmt.Errorf("wasmcc: metrics: %w", err)
	}
	ecfg := cfg.engine
	if cfg.callTimeout > 0 {
		ecfg = ecfg.WithCloseOnContextDone(true) // the wall-clock guard needs it
	}
	if cfg.registerer != nil {
		ecfg = ecfg.WithRegisterer(cfg.registerer)
	}
	eng, err := engine.New(ecfg)
	if err != nil {
		return nil, fmt.Errorf("wasmcc: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cc := &Chaincode{cfg: cfg, eng: eng, log: cfg.logger, metrics: m, ctx: ctx, cancel: cancel, idle: make(chan struct{})}
	cc.loader = newLoader(cc)
	return cc, nil
}

// Init does nothing: wasmcc is deployed without InitRequired and configured through setGovernance.
func (cc *Chaincode) Init(shim.ChaincodeStubInterface) *pb.Response { return shim.Success(nil) }

// Invoke runs the function named by the first argument (see the package documentation). Failures become
// error responses with a status from 400 and a message naming the cause; nothing a failed transaction wrote
// is endorsed. A panic anywhere below is recovered into a 500 response: the server never goes down with a
// transaction.
func (cc *Chaincode) Invoke(stub shim.ChaincodeStubInterface) (resp *pb.Response) {
	start := time.Now()
	args := stub.GetArgs()
	fn := ""
	if len(args) > 0 {
		fn = string(args[0])
	}
	t := &tx{stub: stub, fn: fn, ctx: cc.ctx}
	if len(args) > 1 {
		t.args = args[1:]
	}
	outcome := outcomeOK
	defer func() {
		if r := recover(); r != nil {
			cc.log.Error("panic in transaction", "tx", stub.GetTxID(), "function", fn, "panic", fmt.Sprint(r))
			outcome, resp = outcomeInternal, &pb.Response{Status: statusInternal, Message: fmt.Sprintf("wasmcc: internal error in %s: %v", fn, r)}
		}
		d := time.Since(start)
		cc.metrics.observe(fn, outcome, d)
		attrs := []any{"tx", stub.GetTxID(), "function", fn, "outcome", outcome, "status", resp.Status, "duration", d}
		if t.contract != "" {
			attrs = append(attrs, "contract", t.contract, "contractFunction", t.contractFn, "gasUsed", t.gasUsed)
		}
		if resp.Status >= shim.ERRORTHRESHOLD {
			cc.log.Info("transaction failed", append(attrs, "error", resp.Message)...)
		} else {
			cc.log.Debug("transaction", attrs...)
		}
	}()
	if !cc.enter() {
		outcome = outcomeUnavailable
		return &pb.Response{Status: statusUnavailable, Message: "wasmcc is shutting down; retry on another peer or later"}
	}
	defer cc.leave()
	h, ok := handlers[fn]
	if !ok {
		outcome = outcomeBadRequest
		return &pb.Response{Status: statusBadRequest, Message: fmt.Sprintf("unknown function %q (want one of deploy, upgrade, get, list, history, governance, setGovernance, invoke, query, invokeReceipt, queryReceipt)", fn)}
	}
	payload, err := h(cc, t)
	if err != nil {
		var te *txError
		if !errors.As(err, &te) {
			te = &txError{status: statusInternal, outcome: outcomeInternal, msg: err.Error()}
		}
		outcome = te.outcome
		return &pb.Response{Status: te.status, Message: te.msg}
	}
	return shim.Success(payload)
}

func (cc *Chaincode) enter() bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.draining {
		return false
	}
	cc.inflight++
	cc.metrics.inflight.Set(float64(cc.inflight))
	return true
}

func (cc *Chaincode) leave() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.inflight--
	cc.metrics.inflight.Set(float64(cc.inflight))
	if cc.draining && cc.inflight == 0 {
		close(cc.idle)
	}
}

// Drain stops accepting transactions (they get status 503) and waits until those in flight have finished or
// ctx ends. It is the first half of a graceful shutdown; Close is the second.
//
// # Errors
//
// ctx ended while transactions were still running (their number is in the message).
func (cc *Chaincode) Drain(ctx context.Context) error {
	cc.mu.Lock()
	if !cc.draining {
		cc.draining = true
		if cc.inflight == 0 {
			close(cc.idle)
		}
	}
	cc.mu.Unlock()
	select {
	case <-cc.idle:
		return nil
	case <-ctx.Done():
		cc.mu.Lock()
		n := cc.inflight
		cc.mu.Unlock()
		return fmt.Errorf("wasmcc: %d transaction(s) still running after drain: %w", n, ctx.Err())
	}
}

// Draining reports whether Drain was called (health checks report it).
func (cc *Chaincode) Draining() bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.draining
}

// Close stops running calls, closes every loaded contract and the engine. It is idempotent.
func (cc *Chaincode) Close(ctx context.Context) error {
	cc.cancel()
	return cc.eng.Close(ctx)
}

// tx is one transaction being served.
type tx struct {
	stub shim.ChaincodeStubInterface
	fn   string
	args [][]byte
	ctx  context.Context
	// Filled by contract calls, for the log line.
	contract, contractFn string
	gasUsed              uint64
}

// arg returns argument i (after the function name), or nil.
func (t *tx) arg(i int) []byte {
	if i < len(t.args) {
		return t.args[i]
	}
	return nil
}

// wantArgs checks the argument count.
func (t *tx) wantArgs(min, max int, usage string) error {
	if len(t.args) < min || len(t.args) > max {
		return badRequest("%s: want arguments %s, got %d", t.fn, usage, len(t.args))
	}
	return nil
}
