// Package chaincode is wasmcc: the Fabric chaincode that keeps a registry of WebAssembly contracts on the
// ledger and runs them in the runtime/engine sandbox, served to peers as chaincode-as-a-service (Serve).
//
// # Functions
//
// The first argument names the function; the others are its arguments.
//
//	deploy        spec JSON [, module]   an admin deploys a contract (module in transient field "module" or arg 2)
//	upgrade       spec JSON [, module]   an admin replaces a contract's code; its state stays
//	get           name                   the registry entry
//	list          [options JSON]         entries, paginated ({"pageSize":N,"bookmark":"..."}); evaluate only
//	history       name                   every entry a contract had, oldest first
//	governance                           the governance record and the key-level policy Fabric holds
//	setGovernance spec JSON              an admin sets members and rule ({"members":[...],"rule":"MAJORITY"})
//	invoke        contract, function [, args]   run a contract function; the result is the contract's
//	query         contract, function [, args]   the same, refusing writes (for evaluate)
//	invokeReceipt, queryReceipt          the same, returning a Receipt (result, gas used, writes, events, log)
//
// A spec is {"name","version","sha256"?,"isolation"?,"limits"?}; see DeploySpec and Limits.
//
// # The registry on the ledger
//
// Module bytes are stored once, under code/<sha256>; the entry registry/contracts/<name> names the sha256, so
// every peer runs byte-identical code, and registry/history/<name>/<sequence> keeps each version. At deploy,
// every endorsing peer runs the engine's validation gate and its gas-metering instrumentation, and compiles
// and initialises the module. After a restart, a contract is compiled lazily on its first call from
// the bytes on the ledger, which must hash to the sha256 the registry names (ErrCodeIntegrity otherwise).
// The bytes are read through the key's history, which stays out of the read set, so a peer that loads the
// module endorses exactly what a peer that had it cached does.
//
// # Governance, enforced by Fabric
//
// Only admins (NodeOU admin) of member organisations may deploy, upgrade or change the governance. The
// governance rule (default MAJORITY of the member hospitals) is written as the key-level (state-based)
// endorsement policy of every registry key, and every deploy and upgrade writes registry/sequence, which
// carries it: Fabric's validation refuses a registry change endorsed by too few members' peers
// (ENDORSEMENT_POLICY_FAILURE), whatever this code or a tampered peer decides. The first setGovernance is
// endorsed under the chaincode's own endorsement policy, which should therefore be at least as strict
// (the channel default, MAJORITY of the application orgs, is).
//
// # Contract calls
//
// A call runs with the creator's identity (MSP ID, NodeOU role, certificate attributes), the proposal's tx id
// and timestamp, against fabricstub.State; its events become the transaction's one chaincode event (named
// after the contract). A contract error becomes a 400 response carrying the contract's message verbatim; a
// trap (out of gas, call depth, a memory or other limit) a 500 naming its kind. Gas is metered
// deterministically, so an infinite loop fails the same way on every peer, and receipts report the gas used.
package chaincode
