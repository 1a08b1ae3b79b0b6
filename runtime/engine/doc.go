// Package engine is the medledger contract sandbox: it validates WebAssembly contracts at deploy time, compiles
// them once per sha256, and runs calls in wazero with the host functions of ABI v1 (runtime/abi/ABI.md), a
// deterministic WASI subset, per-contract limits and one of three isolation modes.
//
// The public surface is small: New(Config) makes an Engine; Engine.Load validates, instruments for gas (runtime/meter),
// rewrites and compiles a module into a Contract; Contract.Call runs one call against a ledger.State under a gas
// limit and reports the gas used. Everything else is in internal/.
//
// A call's writes and events are buffered and reach the ledger.State only when the call succeeds; a contract
// error or a trap writes nothing. Every key is stored under the contract's namespace "ns/<contract>/".
//
// Determinism: the same module, State contents and Call (function, args, caller, tx id, timestamp, gas limit)
// produce the same result, writes, events and gas used on every host. Clocks read the transaction timestamp and
// randomness is a stream seeded from the code hash and the tx id; gas and call depth, not time, bound a call.
//
// RATIONALE.md records why the engine is built the way it is.
package engine

//go:generate sh testdata/wat/gen.sh
