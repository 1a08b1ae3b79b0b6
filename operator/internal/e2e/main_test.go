package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/medledger/medledger/operator/internal/devnet/ccaas"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// The test binary doubles as the peers' external builder ("__ccbuilder STAGE DIR...") and as the native Go
// chaincode of the benchmark ("__nativecc"); wasmcc itself runs as the real binary, built once by TestMain.
const (
	selfBuilder  = "__ccbuilder"
	selfNativeCC = "__nativecc"
)

// wasmccBin is the path of the wasmcc binary built for this test run.
var wasmccBin string

func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case selfBuilder:
			os.Exit(ccaas.Main(os.Args[1:], os.Stderr))
		case selfNativeCC:
			os.Exit(serveNative())
		}
	}
	dir, err := os.MkdirTemp("", "medledger-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		root, err := testenv.RepoRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		wasmccBin = filepath.Join(dir, "wasmcc")
		build := exec.Command("go", "build", "-o", wasmccBin, "./runtime/cmd/wasmcc")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building wasmcc: %v\n%s", err, out)
			return 1
		}
		code := m.Run()
		cleanupShared()
		return code
	}()
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
