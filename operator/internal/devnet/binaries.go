package devnet

import (
	"fmt"
	"os"
	"path/filepath"
)

// FabricBinDir is where `make tools` installs the Fabric binaries, relative to the repository root.
const FabricBinDir = "bin/fabric"

// requiredBinaries are the Fabric programs the devnet runs; channel joins and lifecycle go through fabricadmin.
var requiredBinaries = []string{"peer", "orderer"}

// FindFabricBin returns dir if given, else the bin/fabric folder of the medledger checkout that holds the
// working directory (found by walking up to its go.mod). It only locates; CheckFabricBin verifies.
func FindFabricBin(dir string) string {
	if dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return FabricBinDir
	}
	for d := wd; ; d = filepath.Dir(d) {
		if raw, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && isMedledgerMod(raw) {
			return filepath.Join(d, FabricBinDir)
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, FabricBinDir)
		}
	}
}

func isMedledgerMod(gomod []byte) bool {
	const decl = "module github.com/medledger/medledger\n"
	return len(gomod) >= len(decl) && string(gomod[:len(decl)]) == decl
}

// CheckFabricBin verifies that dir holds executable peer and orderer binaries.
//
// # Errors
//   - a binary is missing or not executable: "Fabric binaries not found in DIR: run `make tools`".
func CheckFabricBin(dir string) error {
	for _, b := range requiredBinaries {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return fmt.Errorf("devnet: Fabric binaries not found in %s: run `make tools` (%s is missing)", dir, b)
		}
	}
	return nil
}
