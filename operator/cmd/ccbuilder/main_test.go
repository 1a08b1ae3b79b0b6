package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCCBuilder_Binary builds the real binary and drives it the way a Fabric peer does: through bin/detect,
// bin/build and bin/release symlinks, with the peer's directory arguments.
func TestCCBuilder_Binary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "ccbuilder")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "builder", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, stage := range []string{"detect", "build", "release"} {
		if err := os.Symlink(exe, filepath.Join(bin, stage)); err != nil {
			t.Fatal(err)
		}
	}
	src, meta, bld, rel := mkdir(t, dir, "src"), mkdir(t, dir, "meta"), mkdir(t, dir, "bld"), mkdir(t, dir, "rel")
	write(t, filepath.Join(meta, "metadata.json"), `{"type":"ccaas","label":"kv"}`)
	write(t, filepath.Join(src, "connection.json"), `{"address":"{{.host}}:9000","tls_required":false}`)

	steps := []struct {
		name string
		args []string
		env  string
		code int
	}{
		{"detect", []string{filepath.Join(bin, "detect"), src, meta}, "", 0},
		{"detect other", []string{filepath.Join(bin, "detect"), src, src}, "", 1},
		{"build", []string{filepath.Join(bin, "build"), src, meta, bld}, `CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG={"host":"peer0"}`, 0},
		{"release", []string{filepath.Join(bin, "release"), bld, rel}, "", 0},
		{"subcommand", []string{exe, "detect", src, meta}, "", 0},
		{"usage", []string{exe}, "", 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			cmd := exec.Command(s.args[0], s.args[1:]...)
			cmd.Env = append(os.Environ(), s.env)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != s.code {
				t.Fatalf("%v exited %d (%s), want %d", s.args, code, out, s.code)
			}
		})
	}
	got, err := os.ReadFile(filepath.Join(rel, "chaincode", "server", "connection.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `"peer0:9000"`) {
		t.Errorf("released connection.json = %s, want the templated address peer0:9000", got)
	}
}

func mkdir(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(parts...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
