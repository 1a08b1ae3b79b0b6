package host

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/medledger/medledger/runtime/abi"
)

// Instantiate registers the medledger and wasi_snapshot_preview1 host modules in rt.
//
// # Errors
//
// wazero's instantiation errors (a module of that name already exists).
func Instantiate(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(abi.ModuleName)
	for name, fn := range medledgerFuncs {
		export(b, name, abi.HostFunctions[name], charged(name, fn))
	}
	if _, err := b.Instantiate(ctx); err != nil {
		return err
	}
	w := rt.NewHostModuleBuilder(abi.WASIModuleName)
	for name, fn := range wasiFuncs {
		export(w, name, abi.WASIFunctions[name], charged(name, fn))
	}
	_, err := w.Instantiate(ctx)
	return err
}

func export(b wazero.HostModuleBuilder, name string, sig abi.Signature, fn api.GoModuleFunc) {
	conv := func(vs []abi.ValType) []api.ValueType {
		out := make([]api.ValueType, len(vs))
		for i, v := range vs {
			out[i] = api.ValueType(v)
		}
		return out
	}
	b.NewFunctionBuilder().WithGoModuleFunction(fn, conv(sig.Params), conv(sig.Results)).Export(name)
}

var medledgerFuncs = map[string]api.GoModuleFunc{
	abi.FnInputFunction: inputFunction,
	abi.FnInputArgs:     inputArgs,
	abi.FnRegisterRead:  registerRead,
	abi.FnStateGet:      stateGet,
	abi.FnStatePut:      statePut,
	abi.FnStateDelete:   stateDelete,
	abi.FnStateRange:    stateRange,
	abi.FnPrivateGet:    privateGet,
	abi.FnPrivatePut:    privatePut,
	abi.FnPrivateDelete: privateDelete,
	abi.FnEventEmit:     eventEmit,
	abi.FnCaller:        caller,
	abi.FnTxID:          txID,
	abi.FnTxTimestamp:   txTimestamp,
	abi.FnLog:           logFn,
	abi.FnResultSet:     resultSet,
	abi.FnAbort:         abortFn,
}

// bytesAt returns a view of guest memory; it traps when the range is outside memory.
func bytesAt(mod api.Module, fn, arg string, ptr, n uint64) []byte {
	b, ok := mod.Memory().Read(uint32(ptr), uint32(n))
	if !ok {
		panic(trapf(KindABI, "memory access out of bounds: %s %s ptr=%d len=%d (memory is %d bytes)",
			fn, arg, uint32(ptr), uint32(n), mod.Memory().Size()))
	}
	return b
}

// live returns the call, trapping when a ledger function is used outside invoke (during _initialize).
func live(ctx context.Context, fn string) *Call {
	c := callFrom(ctx)
	if c.State == nil {
		panic(trapf(KindABI, "%s: not available during %s", fn, abi.ExportInitialize))
	}
	return c
}

// setRegister hands b to the guest through the register, charging its bytes first; fn is the host function.
func (c *Call) setRegister(fn string, b []byte) uint64 {
	c.chargeBytes(fn, uint64(len(b)))
	c.register = b
	return uint64(len(b))
}

func inputFunction(ctx context.Context, _ api.Module, stack []uint64) {
	c := live(ctx, abi.FnInputFunction)
	stack[0] = c.setRegister(abi.FnInputFunction, []byte(c.Function))
}

func inputArgs(ctx context.Context, _ api.Module, stack []uint64) {
	c := live(ctx, abi.FnInputArgs)
	stack[0] = c.setRegister(abi.FnInputArgs, c.Args)
}

func registerRead(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	c.chargeBytes(abi.FnRegisterRead, uint64(len(c.register)))
	if !mod.Memory().Write(uint32(stack[0]), c.register) {
		panic(trapf(KindABI, "memory access out of bounds: %s dst ptr=%d len=%d (memory is %d bytes)",
			abi.FnRegisterRead, uint32(stack[0]), len(c.register), mod.Memory().Size()))
	}
}

func caller(ctx context.Context, _ api.Module, stack []uint64) {
	c := live(ctx, abi.FnCaller)
	stack[0] = c.setRegister(abi.FnCaller, c.callerBytes())
}

func txID(ctx context.Context, _ api.Module, stack []uint64) {
	c := live(ctx, abi.FnTxID)
	stack[0] = c.setRegister(abi.FnTxID, []byte(c.TxID))
}

func txTimestamp(ctx context.Context, _ api.Module, stack []uint64) {
	c := live(ctx, abi.FnTxTimestamp)
	stack[0] = uint64(c.Timestamp)
}

func resultSet(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnResultSet)
	ptr, n := stack[0], uint64(uint32(stack[1]))
	c.chargeBytes(abi.FnResultSet, n)
	if n > uint64(c.Limits.MaxResultBytes) {
		panic(trapf(KindLimit, "%s: result is %d bytes, limit %d", abi.FnResultSet, n, c.Limits.MaxResultBytes))
	}
	c.Result = append(c.Result[:0], bytesAt(mod, abi.FnResultSet, "data", ptr, n)...)
}

func abortFn(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnAbort)
	ptr, n := stack[0], uint64(uint32(stack[1]))
	c.chargeBytes(abi.FnAbort, n)
	msg := bytesAt(mod, abi.FnAbort, "msg", ptr, n)
	if len(msg) > c.Limits.MaxResultBytes {
		msg = msg[:c.Limits.MaxResultBytes]
	}
	panic(&Abort{Msg: strings.ToValidUTF8(string(msg), "\uFFFD")})
}

func eventEmit(ctx context.Context, mod api.Module, stack []uint64) {
	c := live(ctx, abi.FnEventEmit)
	l := c.Limits
	nameLen, payLen := uint64(uint32(stack[1])), uint64(uint32(stack[3]))
	c.chargeBytes(abi.FnEventEmit, nameLen+payLen)
	switch {
	case len(c.Events) >= l.MaxEvents:
		panic(trapf(KindLimit, "%s: more than %d events", abi.FnEventEmit, l.MaxEvents))
	case nameLen > uint64(l.MaxEventNameBytes):
		panic(trapf(KindLimit, "%s: event name is %d bytes, limit %d", abi.FnEventEmit, nameLen, l.MaxEventNameBytes))
	case payLen > uint64(l.MaxEventPayloadBytes):
		panic(trapf(KindLimit, "%s: event payload is %d bytes, limit %d", abi.FnEventEmit, payLen, l.MaxEventPayloadBytes))
	}
	name := bytesAt(mod, abi.FnEventEmit, "name", stack[0], nameLen)
	if len(name) == 0 || !utf8.Valid(name) {
		panic(trapf(KindABI, "%s: event name must be 1..%d bytes of UTF-8", abi.FnEventEmit, l.MaxEventNameBytes))
	}
	payload := bytesAt(mod, abi.FnEventEmit, "payload", stack[2], payLen)
	c.Events = append(c.Events, Event{Name: string(name), Payload: append([]byte{}, payload...)})
}

func logFn(ctx context.Context, mod api.Module, stack []uint64) {
	c := callFrom(ctx)
	level := uint32(stack[0])
	if level > abi.LogError {
		panic(trapf(KindABI, "%s: level %d is not 0..3", abi.FnLog, level))
	}
	c.chargeBytes(abi.FnLog, uint64(uint32(stack[2])))
	msg := bytesAt(mod, abi.FnLog, "msg", stack[1], uint64(uint32(stack[2])))
	c.appendLog(int(level), "log", msg)
}

// appendLog adds one entry within MaxLogBytes; what does not fit is dropped and flagged, never an error.
func (c *Call) appendLog(level int, source string, msg []byte) {
	room := c.Limits.MaxLogBytes - c.logBytes
	if room <= 0 {
		c.LogTruncated = true
		return
	}
	if len(msg) > room {
		msg, c.LogTruncated = msg[:room], true
	}
	c.logBytes += len(msg)
	c.Log = append(c.Log, LogEntry{Level: level, Source: source, Message: strings.ToValidUTF8(string(msg), "\uFFFD")})
}
