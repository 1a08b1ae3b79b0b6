package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tetratelabs/wazero/sys"

	"github.com/medledger/medledger/runtime/abi"
	"github.com/medledger/medledger/runtime/engine/internal/host"
	"github.com/medledger/medledger/runtime/meter"
)

// callStates recycles per-call host state, so a call allocates little beyond its outputs.
var callStates = sync.Pool{New: func() any { return new(host.Call) }}

func (c *contract) checkCall(call *Call) error {
	l := c.cfg.Limits
	switch {
	case call.State == nil:
		return fmt.Errorf("%w: State is nil", ErrInvalidCall)
	case call.Function == "":
		return fmt.Errorf("%w: function name is empty", ErrInvalidCall)
	case len(call.Function) > l.MaxFunctionBytes:
		return fmt.Errorf("%w: function name is %d bytes, limit %d", ErrInvalidCall, len(call.Function), l.MaxFunctionBytes)
	case !utf8.ValidString(call.Function):
		return fmt.Errorf("%w: function name is not valid UTF-8", ErrInvalidCall)
	case len(call.Args) > l.MaxArgsBytes:
		return fmt.Errorf("%w: arguments are %d bytes, limit %d", ErrInvalidCall, len(call.Args), l.MaxArgsBytes)
	}
	return nil
}

func (c *contract) call(ctx context.Context, call Call) (res Result, err error) {
	start := time.Now()
	outcome := outcomeOK
	defer func() {
		res.Duration = time.Since(start)
		c.metrics.outcomes[outcome].Inc()
		c.metrics.duration.Observe(res.Duration.Seconds())
	}()
	if c.closed.Load() {
		outcome = outcomeInvalid
		return res, ErrClosed
	}
	if err := c.checkCall(&call); err != nil {
		outcome = outcomeInvalid
		return res, err
	}
	limit, err := c.gasLimit(&call)
	if err != nil {
		outcome = outcomeInvalid
		return res, err
	}

	hc := callStates.Get().(*host.Call)
	defer func() { hc.Reset(); callStates.Put(hc) }()
	hc.Contract, hc.NS, hc.Function, hc.Args = c.name, c.ns, call.Function, call.Args
	hc.Caller, hc.TxID, hc.State, hc.Limits = call.Caller, call.TxID, call.State, c.hostLim
	if !call.Timestamp.IsZero() {
		hc.Timestamp = call.Timestamp.UnixNano()
	}
	hc.Seed = invokeSeed(c.codeHash, call.TxID)

	inst, err := c.acquire(ctx)
	if err != nil {
		outcome = string(TrapHost)
		if te := (*TrapError)(nil); errors.As(err, &te) {
			outcome = string(te.Kind)
		}
		return res, c.asTrap(call.Function, err)
	}
	hc.Gas = c.gasFor(inst)
	if err := c.resetGas(inst, limit); err != nil {
		c.discard(ctx, inst)
		outcome = string(TrapHost)
		return res, err
	}
	runCtx := host.WithCall(ctx, hc)
	if t := c.cfg.Limits.Timeout; t > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(runCtx, t)
		defer cancel()
	}
	callErr := inst.invoke.CallWithStack(runCtx, inst.stack[:])
	g := c.gasOutcome(inst, limit)
	res.GasUsed, res.GasLimit = g.used, g.limit
	if inst.gas != nil {
		c.metrics.gas.Observe(float64(g.used))
	}
	hc.FinishLog()
	res.Log, res.LogTruncated = logEntries(hc.Log), hc.LogTruncated

	ok, err := c.classify(call.Function, hc, callErr, g)
	if ok && callErr == nil {
		if status := int32(uint32(inst.stack[0])); status != abi.StatusOK {
			ok, err = false, &ContractError{Contract: c.name, Function: call.Function, Status: status, Message: message(hc.Result)}
		}
	}
	if !ok {
		if c.intact(err) {
			c.release(ctx, inst)
		} else {
			c.discard(ctx, inst)
		}
		outcome = outcomeOf(err)
		return res, err
	}
	if callErr != nil { // proc_exit(0): a success, but the guest runtime is gone
		c.discard(ctx, inst)
	} else {
		c.release(ctx, inst)
	}
	if ferr := hc.Flush(); ferr != nil {
		outcome = string(TrapHost)
		return res, &TrapError{Contract: c.name, Function: call.Function, Kind: TrapHost,
			Message: "writing results to the ledger: " + ferr.Error(), Cause: ferr}
	}
	res.Output = append([]byte{}, hc.Result...)
	res.Writes = hc.Writes()
	if len(hc.Events) > 0 {
		res.Events = make([]Event, len(hc.Events))
		for i, ev := range hc.Events {
			res.Events[i] = Event{Name: ev.Name, Payload: ev.Payload}
		}
	}
	return res, nil
}

// intact reports whether the instance that failed with err can serve another call. A contract error leaves it
// intact: the guest ended the call itself, by returning a status or calling abort at a point of its choosing,
// and Snapshot isolation resets memory and globals anyway (Pooled keeps them, as after a success). Traps and limit
// breaches discard it: they stop the guest at an arbitrary point, possibly inside its own runtime.
func (c *contract) intact(err error) bool {
	var ce *ContractError
	return errors.As(err, &ce)
}

func invokeSeed(codeHash [32]byte, txID string) [32]byte {
	h := sha256.New()
	h.Write(codeHash[:])
	h.Write([]byte(txID))
	var s [32]byte
	h.Sum(s[:0])
	return s
}

func message(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

func logEntries(in []host.LogEntry) []LogEntry {
	if len(in) == 0 {
		return nil
	}
	out := make([]LogEntry, len(in))
	for i, e := range in {
		out[i] = LogEntry{Level: e.Level, Source: LogSource(e.Source), Message: e.Message}
	}
	return out
}

func outcomeOf(err error) string {
	var te *TrapError
	var ce *ContractError
	switch {
	case errors.As(err, &te):
		return string(te.Kind)
	case errors.As(err, &ce):
		return outcomeContractError
	}
	return string(TrapHost)
}

// classify turns the error of an export call into the caller's error, given what the meter's counters said after
// it. ok is true for a success (including proc_exit(0)).
func (c *contract) classify(function string, hc *host.Call, err error, g gasOutcome) (ok bool, _ error) {
	if err == nil {
		return true, nil
	}
	trap := func(kind TrapKind, msg string, cause error) error {
		return &TrapError{Contract: c.name, Function: function, Kind: kind, Message: msg, Cause: cause}
	}
	var (
		ht    *host.Trap
		ab    *host.Abort
		ex    *host.Exit
		sysEx *sys.ExitError
	)
	switch {
	case errors.As(err, &ab):
		return false, &ContractError{Contract: c.name, Function: function, Status: abi.StatusError, Message: ab.Msg}
	case errors.As(err, &ht): // a host function's trap; out of gas included, naming the function
		return false, trap(TrapKind(ht.Kind), ht.Msg, err)
	case g.reason != meter.ReasonNone: // the instrumented guest stopped itself (unreachable after setting the reason)
		return false, c.meterTrap(function, g, err)
	case errors.As(err, &ex):
		if ex.Code == 0 {
			return true, nil
		}
		msg := ex.Error()
		if tail := strings.TrimSpace(message(hc.StderrTail)); tail != "" {
			msg += ": " + tail
		}
		return false, trap(TrapExit, msg, err)
	case errors.As(err, &sysEx):
		switch sysEx.ExitCode() {
		case sys.ExitCodeDeadlineExceeded:
			return false, trap(TrapTimeout, fmt.Sprintf("wall-clock limit %s exceeded", c.cfg.Limits.Timeout), err)
		case sys.ExitCodeContextCanceled:
			return false, trap(TrapTimeout, "call canceled", err)
		}
		return false, trap(TrapExit, fmt.Sprintf("contract exited with code %d", sysEx.ExitCode()), err)
	}
	// A WebAssembly trap; wazero's message is "wasm error: <what>\nwasm stack trace: ...".
	msg, _, _ := strings.Cut(err.Error(), "\n")
	msg = strings.TrimPrefix(msg, "wasm error: ")
	if hc.PanicLine != "" { // Go's runtime prints the panic, then traps (c-shared programs crash on panic)
		return false, trap(TrapPanic, hc.PanicLine+" ("+msg+")", err)
	}
	return false, trap(TrapWasm, msg, err)
}

func (c *contract) asTrap(function string, err error) error {
	var te *TrapError
	var ve *ValidationError
	switch {
	case errors.As(err, &te):
		return te
	case errors.As(err, &ve):
		return &TrapError{Contract: c.name, Function: function, Kind: TrapHost, Message: ve.Message, Cause: err}
	}
	return &TrapError{Contract: c.name, Function: function, Kind: TrapHost, Message: "instance: " + err.Error(), Cause: err}
}
