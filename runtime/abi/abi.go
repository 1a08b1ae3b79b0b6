// Package abi holds the medledger contract ABI v1 as Go constants, encodings and rules, shared by the host
// (runtime/engine) and by guest SDKs (plugins/sdk). ABI.md in this folder is the normative text; this package
// must agree with it. It depends on the standard library only, so a GOOS=wasip1 guest may import it.
package abi

// Version is the ABI version this package describes.
const Version = 1

// Names of the host import module and of the exports a guest must (or may) provide.
const (
	// ModuleName is the import module of every medledger host function.
	ModuleName = "medledger"
	// WASIModuleName is the import module of the deterministic WASI subset (ABI.md §6).
	WASIModuleName = "wasi_snapshot_preview1"

	// ExportMarkerV1 is the ABI marker export: a function () -> () whose presence declares ABI v1.
	ExportMarkerV1 = "medledger_abi_v1"
	// ExportInvoke is the entry point: a function () -> i32 returning StatusOK or a contract-error status.
	ExportInvoke = "invoke"
	// ExportMemory is the guest's only linear memory.
	ExportMemory = "memory"
	// ExportInitialize is the optional reactor initialiser, called once per instance before the first invoke.
	ExportInitialize = "_initialize"
	// ExportStart is the WASI command entry point; a contract must not export it (it is a reactor, not a command).
	ExportStart = "_start"
)

// Status values returned by the guest's invoke export.
const (
	// StatusOK means success: the result is the bytes last passed to result_set.
	StatusOK = 0
	// StatusError is the conventional contract-error status; any non-zero value means a contract error.
	StatusError = 1
)

// Absent is what a register-returning host function returns when there is no value (for example a missing key).
const Absent int64 = -1

// Host function names in ModuleName (ABI.md §3).
const (
	FnInputFunction = "input_function"
	FnInputArgs     = "input_args"
	FnRegisterRead  = "register_read"
	FnStateGet      = "state_get"
	FnStatePut      = "state_put"
	FnStateDelete   = "state_delete"
	FnStateRange    = "state_range"
	FnPrivateGet    = "private_get"
	FnPrivatePut    = "private_put"
	FnPrivateDelete = "private_delete"
	FnEventEmit     = "event_emit"
	FnCaller        = "caller"
	FnTxID          = "tx_id"
	FnTxTimestamp   = "tx_timestamp"
	FnLog           = "log"
	FnResultSet     = "result_set"
	FnAbort         = "abort"
)

// Log levels accepted by the log host function.
const (
	LogDebug = 0
	LogInfo  = 1
	LogWarn  = 2
	LogError = 3
)
