package testenv

import (
	"strings"
	"testing"
)

func TestBinaries_Errors(t *testing.T) {
	_, err := Binaries(FabricBinDir, "tools", "no-such-binary")
	if err == nil || !strings.Contains(err.Error(), "no-such-binary not found in bin/fabric: run `make tools`") {
		t.Fatalf("missing binary: got %v", err)
	}
}

func TestIsRootModule(t *testing.T) {
	for in, want := range map[string]bool{
		"module github.com/medledger/medledger\n\ngo 1.26\n": true,
		"module github.com/medledger/medledger/hack/tools\n": false,
		"": false,
	} {
		if got := isRootModule([]byte(in)); got != want {
			t.Errorf("isRootModule(%q) = %v, want %v", in, got, want)
		}
	}
}
