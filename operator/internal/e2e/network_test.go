package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/testenv"
	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

// shared is the one network every test and benchmark of the package uses; TestMain tears it down.
var shared struct {
	once sync.Once
	dir  string
	d    *devnet.Devnet
	log  *syncBuffer
	opts devnet.Options
	err  error
}

// syncBuffer collects devnet progress output from concurrent steps.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// network brings the shared devnet up once: 2 hospitals, 1 orderer, wasmcc on every hospital.
func network(t testing.TB) *devnet.Devnet {
	t.Helper()
	bin := testenv.FabricBin(t)
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		shared.log = &syncBuffer{}
		if shared.dir, shared.err = os.MkdirTemp("", "medledger-e2e-"); shared.err != nil {
			return
		}
		shared.opts = devnet.Options{Dir: filepath.Join(shared.dir, "devnet"), FabricBin: bin, Builder: selfCommand(t, selfBuilder), Out: shared.log}
		shared.d, shared.err = devnet.Up(ctx, shared.opts)
		if shared.err != nil {
			return
		}
		_, shared.err = shared.d.DeployWasmcc(ctx, devnet.WasmccOptions{Command: []string{wasmccBin}})
	})
	if shared.err != nil {
		out := ""
		if shared.log != nil {
			out = shared.log.String()
		}
		t.Fatalf("shared devnet: %v\n%s", shared.err, out)
	}
	return shared.d
}

func cleanupShared() {
	if shared.dir != "" {
		_ = devnet.Down(filepath.Join(shared.dir, "devnet"), true, nil)
		os.RemoveAll(shared.dir)
	}
}

// plugin builds a contract of plugins/ (cached by sdktest).
func plugin(t testing.TB, name string) []byte {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return sdktest.Build(t, filepath.Join(root, "plugins", name))
}

// testContract builds a contract of this package's testdata.
func testContract(t testing.TB, name string) []byte {
	t.Helper()
	return sdktest.Build(t, filepath.Join("testdata", name))
}

// guestWasm is the tiny WAT test contract of runtime/chaincode (put/get/emit...), quick to compile.
func guestWasm(t testing.TB) []byte {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "runtime", "chaincode", "testdata", "guest.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// healthPlugins writes the three health contracts to a folder, as `make plugins` lays them out.
func healthPlugins(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(shared.dir, "plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range devnet.DemoContracts {
		if err := os.WriteFile(filepath.Join(dir, name+".wasm"), plugin(t, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
