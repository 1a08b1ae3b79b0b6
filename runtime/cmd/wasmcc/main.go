// Command wasmcc is medledger's WebAssembly contract runtime as a Fabric chaincode-as-a-service server: the
// contract registry and dispatcher of runtime/chaincode, served to the peers of one organisation.
//
//	wasmcc --address 0.0.0.0:9999 --ccid wasmcc_1:<hash> [--tls-cert F --tls-key F [--tls-client-ca F]]
//	       [--cache-dir DIR] [--metrics-address :9443] [--log-level info]
//
// Every flag can come from the environment instead (Fabric's ccaas conventions where they exist):
// CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, CHAINCODE_TLS_CERT, CHAINCODE_TLS_KEY, CHAINCODE_CLIENT_CA_CERT,
// WASMCC_CACHE_DIR, WASMCC_METRICS_ADDRESS, WASMCC_LOG_LEVEL, WASMCC_LOG_FORMAT, WASMCC_CALL_TIMEOUT,
// WASMCC_DRAIN_TIMEOUT, WASMCC_MAX_IDLE_INSTANCES. Logs are JSON lines on stderr. SIGTERM or SIGINT shut it down gracefully: new
// transactions are refused, those in flight finish, then the server stops.
//
// The metrics address serves /metrics (Prometheus: wasmcc_* and the engine's medledger_contract_*) and
// /healthz (200 while serving, 503 while shutting down).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "wasmcc:", err)
		os.Exit(1)
	}
}

// started, when not nil, receives the listen addresses once serving (for tests).
type started func(grpcAddr, metricsAddr string)
