// Package engine is the medledger contract sandbox: it validates WebAssembly contracts at deploy time, compiles
// them once per sha256, and runs calls in wazero with the host functions of ABI v1 (runtime/abi/ABI.md), a
// deterministic WASI subset, per-contract limits and one of three isolation modes.
//
// The public surface is small: New(Config) makes an Engine; Engine.Load validates, rewrites and compiles a module
// into a Contract; Contract.Call runs one call against a ledger.State. Everything else is in internal/.
//
// A call's writes and events are buffered and reach the ledger.State only when the call succeeds; a contract
// error or a trap writes nothing. Every key is stored under the contract's namespace "ns/<contract>/".
//
// Determinism: the same module, State contents and Call (function, args, caller, tx id, timestamp) produce the
// same result, writes and events on every host. Clocks read the transaction timestamp and randomness is a stream
// seeded from the code hash and the tx id.
package engine

//go:generate sh testdata/wat/gen.sh
