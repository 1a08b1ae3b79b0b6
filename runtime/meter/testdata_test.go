package meter

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestdata_UpToDate regenerates every committed test binary from its .wat with wat2wasm
// and requires the same bytes, so the binaries the tests run are the sources reviewers read.
func TestTestdata_UpToDate(t *testing.T) {
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		t.Fatal("wat2wasm (wabt) is needed to check the test modules: apt-get install wabt")
	}
	for _, dir := range []string{"testdata", "testdata/invalid"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.wat"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no .wat files (%v)", dir, err)
		}
		for _, wat := range files {
			committed, err := os.ReadFile(strings.TrimSuffix(wat, ".wat") + ".wasm")
			if err != nil {
				t.Errorf("%s has no committed binary: %v (run go generate)", wat, err)
				continue
			}
			out := filepath.Join(t.TempDir(), "out.wasm")
			args := []string{wat, "-o", out}
			if dir == "testdata/invalid" {
				args = append(args, "--no-check")
			}
			if msg, err := exec.Command(wat2wasm, args...).CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", wat, err, msg)
				continue
			}
			fresh, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fresh, committed) {
				t.Errorf("%s: the committed binary is stale (run go generate ./runtime/meter)", wat)
			}
		}
	}
}
