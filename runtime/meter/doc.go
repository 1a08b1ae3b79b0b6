// Package meter makes WebAssembly contracts pay for what they run, deterministically: at deploy
// time Instrument rewrites a module so that it counts gas and call depth itself, in its own
// globals, and traps when either runs out. The count depends only on the module, the cost
// table and the call's inputs — never on the engine (compiler or interpreter), the machine or
// the clock — so every peer reaches the same verdict. ABI-gas.md (§9 of the ABI) is the
// guest-facing description; this comment is the implementer's.
//
// # Pipeline
//
// The engine runs, once per deployed module: its validation gate, then Instrument, then its
// own rewrite (exporting mutable globals for snapshots), then compilation. Cache the compiled
// module under the module's SHA-256 together with Config.Hash, which covers the cost table,
// the initial counters and the Algorithm version, so a price change never reuses stale code.
//
// Per call the engine binds the instance once (Bind), and before every call sets the limits
// (Counters.Reset), whatever the isolation mode; after the call it reads Counters.GasUsed and,
// if the call trapped, Counters.Reason. Host functions charge with Counters.Charge(
// CostTable.HostCost(bytes)) and end the call (panic with the error) when it fails.
//
// # What the instrumented module contains
//
// Instrument appends, and never inserts, so no existing index moves: three mutable globals
// exported as GasExport (i64, gas left), DepthExport (i32, depth units left) and ReasonExport
// (i32, a Reason); two functions that set the reason and execute unreachable; a type for
// them and one per multi-value result list the rewrite needs. No import is added. Custom sections stay, except DWARF and source maps, whose code
// offsets the rewrite invalidates (Info.DroppedSections).
//
// # Cost model
//
// Every instruction has a price from its class (CostTable: Instruction, Branch, Call,
// CallIndirect, Memory, Division; nop, block, loop, else and end are free). Prices are charged
// per basic block, on entry, for the whole block: the function entry, every loop head, each
// arm of an if, the code after a br_if that stays in its loop, and the code after an if or a
// block that some branch leaves early each start a block. Code after a block, if or loop that
// every path leaves through its end is charged with the code before it, since it runs exactly
// as often. Each instruction of a charged block runs at most once per charge, so the count is
// exact except in two deterministic cases: a trap inside a block (its rest was paid and not
// run), and a br_if that leaves its loop (the rest of the loop body was paid; this happens once
// per loop exit and halves the charges of while-shaped loops).
//
// Work whose size is only known at run time is charged just before it, from the count on the
// stack: memory.copy, memory.fill and memory.init cost BulkMemory + ceil(n/BulkBytesPerGas);
// table.copy, table.fill, table.init and table.grow cost BulkTable + n·TablePerElement;
// memory.grow costs MemoryGrow + pages·MemoryGrowPerPage, failed or not. A bulk operation that
// cannot be paid for never starts. Host functions charge HostCall + ceil(bytes/HostBytesPerGas)
// through Charge.
//
// # The counter
//
// The gas counter is a signed i64 that counts down from the call's limit; running out means
// going below zero. A function keeps it in a local (the compiler gives it a register) and
// writes the global where someone else reads it: before each call, at each exit, and on the way
// to the trap; it reloads the global after each call, because the callee or a host function
// changed it. A charge is then a subtract, a compare and a branch that is not taken, and the
// branch leads to one out-of-line path per function (store the counter, set ReasonOutOfGas,
// unreachable). On the tightest loop, with wazero's compiler, this costs +5%; a global store
// per charge costs +99%, keeping the counter only in the global +206%, and a call in the loop
// +397% (ABI-gas.md §9.10).
//
// Consequence: after a trap of the guest's own (unreachable, an out-of-bounds access, division
// by zero), the global holds the count as of the guest's last call or return, a deterministic
// lower bound of the gas used. After a normal return, ReasonOutOfGas and ReasonDepthExceeded
// the count is exact (after running out, GasUsed is the whole limit).
//
// # Call depth
//
// Functions that call module functions (call to a non-imported function, or call_indirect)
// take units from the depth counter on entry and give them back on every exit; running out
// sets ReasonDepthExceeded and traps. A frame takes 1 + slots/DepthSlotsPerUnit units, where
// slots are its parameters, locals and maximum operand stack height, so the limit bounds stack
// memory and not only frame count. Functions that call no module function cannot nest and are
// not counted. DefaultDepthLimit (1,000) stays below wazero's interpreter ceiling of 2,000
// frames, so the limit decides on every engine; the compiler's own ceiling is far higher and
// its stack use depends on the engine version, which is why the limit is counted here.
//
// # Instantiation
//
// A start function runs inside instantiation, before the host can set the counters, so the
// globals start at Config's initial gas and depth; an endless start function runs out of gas
// instead of hanging the deploy. Hosts Reset before calling _initialize like any other export.
//
// # Refused modules
//
// Instrument parses every instruction itself, because its insertions must land exactly on
// instruction boundaries. It accepts WebAssembly 2.0 without SIMD (MVP, bulk memory,
// reference types, sign extension, non-trapping conversions, multi-value) and refuses SIMD,
// threads, tail calls and exception handling, any reference to a function, global, type,
// local, table, memory, element or data segment the module lacks (after appending, such an
// index could name the counters), and modules that already export the reserved names. A
// structural scan runs before anything allocates from counts in the input; see
// internal/wasmbin for why, and for why sections are spliced rather than re-encoded by wabin.
package meter
