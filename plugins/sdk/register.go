package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// MaxFunctionName is the longest function name Register accepts, the ABI's default limit (ABI.md §7).
const MaxFunctionName = 128

// handler is the raw form of a contract function: argument bytes in, result bytes out.
type handler func(ctx Context, args []byte) ([]byte, error)

// Register adds the contract function name, whose arguments are JSON decoded into an A and whose result is JSON
// encoded from the R it returns. Call it from init. Decoding is strict: unknown fields, trailing data and
// invalid UTF-8 fail the call with `invalid_argument: cannot decode arguments of "<name>": <cause>`. Empty
// arguments leave A at its zero value, so functions without parameters can take struct{}.
//
// Register panics (failing module initialisation, so the module cannot be deployed) if name is empty, longer
// than MaxFunctionName bytes or already registered, or if fn is nil.
func Register[A, R any](name string, fn func(ctx Context, args A) (R, error)) {
	defaultRegistry.add(name, typed(name, fn))
}

// RegisterRaw adds the contract function name, which receives the argument bytes as sent and returns the result
// bytes as they should reach the caller. Use it for non-JSON payloads or to avoid JSON's cost.
//
// RegisterRaw panics under the same conditions as Register.
func RegisterRaw(name string, fn func(ctx Context, args []byte) ([]byte, error)) {
	defaultRegistry.add(name, fn)
}

// typed adapts a JSON function to a handler.
func typed[A, R any](name string, fn func(Context, A) (R, error)) handler {
	if fn == nil {
		return nil
	}
	warmJSON[A, R]()
	return func(ctx Context, args []byte) ([]byte, error) {
		var a A
		if err := decodeArgs(args, &a); err != nil {
			return nil, NewError(InvalidArgument, fmt.Sprintf("cannot decode arguments of %q: %v", name, err))
		}
		res, err := fn(ctx, a)
		if err = realError(err); err != nil {
			return nil, err
		}
		out, err := json.Marshal(res)
		if err != nil {
			return nil, NewError(Internal, fmt.Sprintf("cannot encode result of %q: %v", name, err))
		}
		return out, nil
	}
}

// warmJSON makes encoding/json build and cache its codecs for A and R now, during module initialisation, so
// they are part of the engine's post-initialisation snapshot; otherwise every call under Snapshot isolation
// would rebuild them from reflection (measured ~1 ms per typed call; see BenchmarkInvoke). Decoding shares the
// struct field cache that encoding fills. Best effort: a MarshalJSON that panics on a zero value is not an error.
func warmJSON[A, R any]() {
	defer func() { _ = recover() }()
	var a A
	var r R
	_, _ = json.Marshal(&a)
	_, _ = json.Marshal(&r)
}

// decodeArgs strictly decodes JSON args into v; empty args leave v untouched.
func decodeArgs(args []byte, v any) error {
	if len(args) == 0 {
		return nil
	}
	// encoding/json would silently replace invalid UTF-8 with U+FFFD, storing data the caller never sent.
	if !utf8.Valid(args) {
		return errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	// Only whitespace may follow the value (json.Unmarshal's rule); cheaper than asking dec.Token for io.EOF.
	for _, c := range args[dec.InputOffset():] {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return errors.New("unexpected data after the JSON value")
		}
	}
	return nil
}

// registry maps function names to handlers and holds the per-call state. The module has one (defaultRegistry);
// tests make their own.
type registry struct {
	handlers map[string]entry
	call     callState
	nameBuf  [MaxFunctionName]byte
}

type entry struct {
	name string
	fn   handler
}

var defaultRegistry = &registry{handlers: map[string]entry{}}

func (r *registry) add(name string, fn handler) {
	switch {
	case name == "":
		panic("sdk: Register: empty function name")
	case len(name) > MaxFunctionName:
		panic(fmt.Sprintf("sdk: Register: function name %.20q... is %d bytes, longer than %d", name, len(name), MaxFunctionName))
	case fn == nil:
		panic(fmt.Sprintf("sdk: Register(%q): nil handler", name))
	}
	if _, dup := r.handlers[name]; dup {
		panic(fmt.Sprintf("sdk: Register(%q): function registered twice", name))
	}
	r.handlers[name] = entry{name: name, fn: fn}
}

// invoke serves one call of the `invoke` export: read name and args from the host, dispatch, hand back the
// result or error message.
func (r *registry) invoke() int32 {
	// Names within the default limit are read into a fixed buffer: no allocation to find the handler.
	n := abiInputFunction()
	var name []byte
	if n <= int64(len(r.nameBuf)) {
		name = r.nameBuf[:n]
	} else {
		name = make([]byte, n)
	}
	readRegister(name)
	out, err := r.dispatch(name, takeRegister(abiInputArgs()))
	if err != nil {
		abiResultSet(errorMessage(err))
		return 1
	}
	abiResultSet(bytesToString(out))
	return 0
}

// dispatch runs the handler for name with a fresh per-call state, turning a panic into an error.
func (r *registry) dispatch(name, args []byte) (out []byte, err error) {
	e, ok := r.handlers[string(name)]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", name)
	}
	r.call = callState{function: e.name}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, panicError(e.name, p)
		}
	}()
	out, err = e.fn(Context{call: &r.call}, args)
	return out, realError(err)
}

// realError maps a nil *Error in a non-nil error interface to nil: a helper declared to return *Error that
// found nothing wrong makes exactly that, and its author meant success. Only a nil *Error held directly counts:
// an error wrapping one is a real error (errors.As would see through it).
func realError(err error) error {
	if e, ok := err.(*Error); ok && e == nil { //nolint:errorlint // deliberately not errors.As, see above
		return nil
	}
	return err
}

// panicError reports a recovered panic: an *Error panic is the contract's deliberate error, anything else is
// named as a panic so the author can find it.
func panicError(function string, p any) error {
	if e, ok := p.(*Error); ok {
		return e
	}
	return fmt.Errorf("panic in %q: %v", function, p)
}

// errorMessage is the text the caller sees for err; never empty, so a failure is never mistaken for silence.
func errorMessage(err error) string {
	if msg := err.Error(); msg != "" {
		return msg
	}
	return "contract error (the contract gave no message)"
}

// bytesToString views b as a string without copying; b must not change while the string is in use.
func bytesToString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// readRegister copies the host's register into dst, which must be exactly the length the host reported.
func readRegister(dst []byte) {
	if len(dst) > 0 {
		abiRegisterRead(unsafe.Pointer(unsafe.SliceData(dst)))
	}
}

// takeRegister returns the n bytes a host function left in the register, or nil when n reports "absent" (-1).
func takeRegister(n int64) []byte {
	if n < 0 {
		return nil
	}
	b := make([]byte, n)
	readRegister(b)
	return b
}
