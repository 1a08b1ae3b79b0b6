//go:build wasip1

package main

import "unsafe"

// Raw ABI v1 imports (runtime/abi/ABI.md §3); this guest deliberately does not use plugins/sdk, so the engine is
// tested against the ABI text, not against another helper's code.

//go:wasmimport medledger input_function
func inputFunction() int64

//go:wasmimport medledger input_args
func inputArgs() int64

//go:wasmimport medledger register_read
func registerRead(dst unsafe.Pointer)

//go:wasmimport medledger state_get
func stateGet(k unsafe.Pointer, kl uint32) int64

//go:wasmimport medledger state_put
func statePut(k unsafe.Pointer, kl uint32, v unsafe.Pointer, vl uint32)

//go:wasmimport medledger state_delete
func stateDelete(k unsafe.Pointer, kl uint32)

//go:wasmimport medledger state_range
func stateRange(s unsafe.Pointer, sl uint32, e unsafe.Pointer, el uint32, b unsafe.Pointer, bl uint32, pageSize int32) int64

//go:wasmimport medledger private_get
func privateGet(c unsafe.Pointer, cl uint32, k unsafe.Pointer, kl uint32) int64

//go:wasmimport medledger private_put
func privatePut(c unsafe.Pointer, cl uint32, k unsafe.Pointer, kl uint32, v unsafe.Pointer, vl uint32)

//go:wasmimport medledger private_delete
func privateDelete(c unsafe.Pointer, cl uint32, k unsafe.Pointer, kl uint32)

//go:wasmimport medledger event_emit
func eventEmit(n unsafe.Pointer, nl uint32, p unsafe.Pointer, pl uint32)

//go:wasmimport medledger caller
func callerFn() int64

//go:wasmimport medledger tx_id
func txIDFn() int64

//go:wasmimport medledger tx_timestamp
func txTimestamp() int64

//go:wasmimport medledger log
func logFn(level int32, m unsafe.Pointer, ml uint32)

//go:wasmimport medledger result_set
func resultSet(d unsafe.Pointer, dl uint32)

//go:wasmimport medledger abort
func abortFn(m unsafe.Pointer, ml uint32)

func ptr(b []byte) (unsafe.Pointer, uint32) {
	return unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))
}

func sptr(s string) (unsafe.Pointer, uint32) {
	return unsafe.Pointer(unsafe.StringData(s)), uint32(len(s))
}

// register copies the register after a call that returned n (-1 = absent).
func register(n int64) ([]byte, bool) {
	if n < 0 {
		return nil, false
	}
	buf := make([]byte, n)
	registerRead(unsafe.Pointer(unsafe.SliceData(buf)))
	return buf, true
}

func getState(key string) ([]byte, bool) {
	k, kl := sptr(key)
	return register(stateGet(k, kl))
}

func putState(key string, val []byte) {
	k, kl := sptr(key)
	v, vl := ptr(val)
	statePut(k, kl, v, vl)
}

func setResult(b []byte) {
	p, l := ptr(b)
	resultSet(p, l)
}

//go:wasmexport medledger_abi_v1
func abiMarker() {}

//go:wasmexport invoke
func invoke() int32 {
	fn, _ := register(inputFunction())
	args, _ := register(inputArgs())
	out, err := dispatch(string(fn), args)
	if err != nil {
		setResult([]byte(err.Error()))
		return 1
	}
	setResult(out)
	return 0
}
