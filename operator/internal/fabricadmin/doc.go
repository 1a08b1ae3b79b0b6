// Package fabricadmin talks to a running Fabric network: orderer channel joins through the channel
// participation API (osnadmin REST, mutual TLS), peer channel joins, anchor peers, the chaincode lifecycle
// (install, approve, commit, query), ledger height and node health — with fabric-admin-sdk — and transactions
// (submit, evaluate, chaincode events) with fabric-gateway. It never uses fabric-sdk-go.
//
// Every state-changing call is idempotent: joining an already-joined channel, installing an installed package,
// approving an approved definition or committing a committed one succeeds without doing anything, so a
// reconciler or `devnet up` can simply repeat the whole sequence.
package fabricadmin
