package e2e

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/devnet/testcc"
)

// serveNative serves the native Go chaincode of the benchmark until SIGTERM.
func serveNative() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := testcc.ListenAndServe(ctx, os.Getenv(devnet.EnvChaincodeAddress), os.Getenv(devnet.EnvChaincodeID)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
