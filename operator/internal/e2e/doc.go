// Package e2e holds medledger's real-Fabric end-to-end tests of the contract runtime: a devnet (Fabric v3.1.1
// peers and orderer as local processes) with wasmcc deployed per hospital, the health contracts on it, and the
// properties the runtime promises checked through the Fabric Gateway: deploy, invoke and query across
// hospitals, governance enforced by endorsement policies, determinism across peers, containment of hostile
// contracts, restart from ledger-stored code with tamper detection. The benchmarks compare committed
// throughput and latency of a WebAssembly contract on wasmcc with the same logic as a native Go chaincode.
//
// Everything is in _test.go files; run it with `go test ./operator/internal/e2e/` (a minute or two; the
// Fabric binaries from `make tools` are required, the test fails naming the make target when they are missing).
package e2e
