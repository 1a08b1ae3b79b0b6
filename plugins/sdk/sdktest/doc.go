// Package sdktest runs medledger contracts in tests: it builds a contract package to WebAssembly (cached) and
// calls it through the real runtime/engine against an in-memory ledger (runtime/ledger.Memory), committing
// every successful call like a block, so tests see exactly what a peer would compute.
//
//	func TestAdd(t *testing.T) {
//		h := sdktest.New(t, sdktest.Build(t, "."))
//		alice := sdktest.NewIdentity("Hospital1MSP", "alice", "client", map[string]string{"role": "clinician"})
//		h.Call("add", `{"id":"n1","text":"hi"}`, sdktest.As(alice)).RequireOK(t)
//		h.Call("add", `{"id":"n1","text":"again"}`, sdktest.As(alice)).RequireError(t, "already_exists")
//		if v, ok := h.Get("note/n1"); !ok { ... }
//	}
//
// All harnesses of a test binary share one engine, whose compiled code is cached on disk next to the built
// modules, so the second run of a contract's tests neither builds nor compiles.
package sdktest
