// Package testenv finds the real components that medledger's tests run — the Fabric binaries and envtest's
// kube-apiserver + etcd, all built from source by `make tools` — and fails a test with the make target to run when
// they are missing. Tests never skip for want of them.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// TB is the part of testing.TB that this package needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// RepoRoot returns the directory holding medledger's go.mod, found by walking up from the working directory.
//
// # Errors
//   - no go.mod of module github.com/medledger/medledger above the working directory.
func RepoRoot() (string, error) {
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && isRootModule(data) {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = errors.New("testenv: medledger's go.mod not found above the working directory")
				return
			}
			dir = parent
		}
	})
	return rootDir, rootErr
}

func isRootModule(gomod []byte) bool {
	const decl = "module github.com/medledger/medledger\n"
	return len(gomod) >= len(decl) && string(gomod[:len(decl)]) == decl
}

// FabricBinDir is where `make tools` installs peer, orderer, osnadmin and configtxgen, relative to the repo root.
const FabricBinDir = "bin/fabric"

// EnvtestBinDir is where `make tools` installs kube-apiserver and etcd, relative to the repo root.
const EnvtestBinDir = "bin/k8s"

// Binaries returns the absolute directory dir (relative to the repo root) after checking that every named binary
// is in it and executable.
//
// # Errors
//   - the repo root cannot be found;
//   - a binary is missing or not executable: the message names it and the make target that builds it.
func Binaries(dir, target string, names ...string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	abs := filepath.Join(root, dir)
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(abs, n))
		if err != nil || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s not found in %s: run `make %s`", n, dir, target)
		}
	}
	return abs, nil
}

// FabricBin returns the directory of the source-built Fabric binaries, or fails t with
// "peer not found in bin/fabric: run `make tools`".
func FabricBin(t TB) string {
	t.Helper()
	dir, err := Binaries(FabricBinDir, "tools", "peer", "orderer", "osnadmin", "configtxgen")
	if err != nil {
		t.Fatalf("Fabric binaries: %v", err)
	}
	return dir
}

// EnvtestBin returns the directory holding kube-apiserver and etcd for envtest, or fails t with
// "kube-apiserver not found in bin/k8s: run `make tools`".
func EnvtestBin(t TB) string {
	t.Helper()
	dir, err := Binaries(EnvtestBinDir, "tools", "kube-apiserver", "etcd")
	if err != nil {
		t.Fatalf("envtest binaries: %v", err)
	}
	return dir
}
