package devnet

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"

	"github.com/medledger/medledger/operator/internal/devnet/ccaas"
	"github.com/medledger/medledger/operator/internal/devnet/testcc"
)

// The test binary doubles as the two programs a devnet runs besides Fabric, so the tests drive real processes
// without building anything: "__ccbuilder STAGE DIR..." is the peers' external builder and "__testcc" the tiny
// chaincode server (address and package ID from the environment, as a devnet passes them).
const (
	selfBuilder = "__ccbuilder"
	selfTestCC  = "__testcc"
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case selfBuilder:
			os.Exit(ccaas.Main(os.Args[1:], os.Stderr))
		case selfTestCC:
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			if err := testcc.ListenAndServe(ctx, os.Getenv(EnvChaincodeAddress), os.Getenv(EnvChaincodeID)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			os.Exit(0)
		}
	}
	code := m.Run()
	cleanupBench()
	os.Exit(code)
}

// selfCommand returns the test binary's absolute path followed by args.
func selfCommand(t testing.TB, args ...string) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("test binary: %v", err)
	}
	return append([]string{exe}, args...)
}

func mustBlock(t *testing.T, raw []byte) *cb.Block {
	t.Helper()
	b := &cb.Block{}
	if err := proto.Unmarshal(raw, b); err != nil {
		t.Fatal(err)
	}
	return b
}
