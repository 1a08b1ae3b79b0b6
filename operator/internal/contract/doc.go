// Package contract holds the pure parts of the SmartContract controller: fetching a module from its source and
// checking its digest ([FromConfigMap], [FetchURL], [Fetch]), running the runtime's own deploy-time gate on it
// ([Validate], the same engine.Validate the peers run), the pre-deploy policy checks ([CheckConsortium],
// [CheckNameConflict]), wasmcc's deploy argument and the deploy/upgrade decision ([DeploySpec], [Plan]), and the
// status and conditions computed from what the controller observed ([ApplyStatus]). Nothing here reads the API
// server, Fabric or the clock: the controller passes the ConfigMap it read, an HTTP client, the registry entry and
// the time.
//
// Every failure is a [*Failure] carrying the condition it belongs to and the reason constant from the API
// (v1alpha1.Reason*), so the controller can set it as-is and a user reads what to fix. Retry says whether the same
// spec can succeed later; a failure without it is phase Failed until the spec changes.
//
// Decisions:
//   - OCI sources are refused with InvalidSpec for now: no registry client is wired in yet, and failing clearly
//     beats a silent wait.
//   - A version already on the ledger with other code is refused (DeployFailed): code under a version never
//     changes.
//   - Deleting a SmartContract leaves the ledger untouched: wasmcc has no retire function and a ledger's history
//     cannot be removed, so the contract stays callable. (A retire needs a wasmcc function first.)
package contract
