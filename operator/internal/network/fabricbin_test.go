package network

import (
	"path/filepath"
	"testing"

	"github.com/medledger/medledger/operator/internal/testenv"
)

// fabricBinary returns the path of a Fabric v3.1.1 binary built by `make tools`. A missing binary fails the test
// (testenv says which make target builds it): the cross-checks against real Fabric are part of the suite.
func fabricBinary(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(testenv.FabricBin(t), name)
}
