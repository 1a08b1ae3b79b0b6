// Package sdk is the Go guest SDK for medledger smart contracts. A contract is an ordinary Go main package
// that registers its functions in init and is built as a WebAssembly reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o greet.wasm .
//
// (hack/build-plugins.sh builds every contract under plugins/ that way into bin/plugins/, reproducibly.)
//
// A complete contract:
//
//	package main
//
//	import "github.com/medledger/medledger/plugins/sdk"
//
//	type greetArgs struct {
//		Name string `json:"name"`
//	}
//
//	func init() {
//		sdk.Register("greet", func(ctx sdk.Context, a greetArgs) (string, error) {
//			if a.Name == "" {
//				return "", sdk.NewError(sdk.InvalidArgument, "name is required")
//			}
//			ctx.PutState("last", []byte(a.Name))
//			return "hello " + a.Name, nil
//		})
//	}
//
//	func main() {}
//
// # Model
//
// The host (runtime/engine) calls the module's `invoke` export once per transaction; the SDK reads the function
// name and argument bytes, dispatches to the registered handler and hands back its result or error. Everything a
// handler needs from the ledger goes through [Context]: world state ([Context.GetState], [Context.PutState],
// [Context.DelState], JSON helpers, range scans with paging handled by the SDK), private data collections
// ([Context.Private]), events ([Context.Emit]), the caller's identity ([Context.Caller]), the transaction id and
// timestamp, and a bounded log. The wire protocol is runtime/abi/ABI.md (v1); this package implements its guest
// side and exports `invoke` and the `medledger_abi_v1` marker, so a contract must not declare its own
// `go:wasmexport` or `go:wasmimport` functions.
//
// # Errors
//
// A handler's error becomes a contract error: the call writes nothing and the caller sees the error's message.
// [NewError] attaches a machine-readable [Code] ("not_found: patient p1 has no record"). A panic in a handler is
// recovered and reported the same way (`panic in "greet": ...`). Misuse the host refuses (an empty or oversized
// key, too many events, an oversized value) ends the call with a trap whose message names the limit; see ABI.md §7.
//
// # Determinism
//
// Every peer must compute the same result. Do not depend on map iteration order in anything written or
// returned (encoding/json sorts map keys, which is fine), and use [Context.TxTime] rather than the wall clock
// (the host serves time.Now from the transaction timestamp anyway).
//
// # Performance
//
// Under the engine's default Snapshot isolation every call starts from the module's state right after
// initialisation, so work done in init is never repeated: Register builds encoding/json's codecs for its
// argument and result types then. Types used only with GetJSON/PutJSON/Emit can be warmed the same way by
// marshalling a zero value in the contract's init. RegisterRaw skips JSON altogether.
//
// # Host builds
//
// Built for any GOOS other than wasip1, the package compiles (so `go build ./...` and `go vet ./...` work for
// every contract) but the Context methods that need the host panic. Test contracts with plugins/sdk/sdktest,
// which builds the module and runs it in the real engine.
package sdk
