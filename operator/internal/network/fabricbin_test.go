package network

import (
	"os"
	"path/filepath"
	"testing"
)

// fabricBinEnv overrides the folder holding the Fabric binaries (default <repo>/bin/fabric).
const fabricBinEnv = "MEDLEDGER_FABRIC_BIN"

// fabricBinary returns the path of a Fabric v3.1.1 binary built by `make tools`. A missing
// binary fails the test: the cross-checks against real Fabric are part of the suite.
func fabricBinary(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv(fabricBinEnv)
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "bin", "fabric")
	}
	p := filepath.Join(dir, name)
	if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		t.Fatalf("Fabric binaries not found in bin/fabric: run `make tools` (no executable %s; %s overrides the folder)", p, fabricBinEnv)
	}
	return p
}

// repoRoot walks up from the test's folder to the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test folder")
		}
		dir = parent
	}
}
