package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medledger/medledger/operator/internal/devnet"
	"github.com/medledger/medledger/operator/internal/testenv"
)

// devnetCLI runs the medledger command line in-process.
func devnetCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDevnetCmd_Errors(t *testing.T) {
	bin := testenv.FabricBin(t)
	emptyBin := t.TempDir()
	oldFormat := t.TempDir()
	writeTestFile(t, filepath.Join(oldFormat, "VERSION"), "medledger-devnet/0\n")
	writeTestFile(t, filepath.Join(oldFormat, "state.json"), "{}")
	foreign := t.TempDir()
	writeTestFile(t, filepath.Join(foreign, "notes.txt"), "keep")
	fresh := func() string { return filepath.Join(t.TempDir(), "devnet") }

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown subcommand", []string{"devnet", "bogus"}, 1, `unknown command "bogus"`},
		{"unknown flag", []string{"devnet", "up", "--bogus"}, 1, "unknown flag: --bogus"},
		{"bad flag value", []string{"devnet", "up", "--hospitals", "two"}, 1, `invalid argument "two"`},
		{"up with stray argument", []string{"devnet", "up", "now"}, 1, "unknown command"},
		{"missing binaries", []string{"devnet", "up", "--dir", fresh(), "--fabric-bin", emptyBin}, 1, "Fabric binaries not found in " + emptyBin + ": run `make tools`"},
		{"no hospitals", []string{"devnet", "up", "--dir", fresh(), "--fabric-bin", bin, "--hospitals", "0"}, 1, "hospitals = 0"},
		{"too many orderers", []string{"devnet", "up", "--dir", fresh(), "--fabric-bin", bin, "--orderers", "7"}, 1, "orderers = 7"},
		{"work dir of another version", []string{"devnet", "up", "--dir", oldFormat, "--fabric-bin", bin}, 1, "down --purge"},
		{"base port out of range", []string{"devnet", "up", "--dir", fresh(), "--fabric-bin", bin, "--base-port", "80"}, 1, "1024-65535"},
		{"status without devnet", []string{"devnet", "status", "--dir", fresh()}, 1, "no devnet"},
		{"logs without node", []string{"devnet", "logs", "--dir", fresh()}, 1, "accepts 1 arg(s)"},
		{"logs without devnet", []string{"devnet", "logs", "peer0", "--dir", fresh()}, 1, "no devnet"},
		{"demo without devnet", []string{"devnet", "demo", "--dir", fresh()}, 1, "no devnet"},
		{"purge a foreign dir", []string{"devnet", "down", "--purge", "--dir", foreign}, 1, "refusing"},
		{"testcc without settings", []string{"devnet", "testcc"}, 1, "CHAINCODE_SERVER_ADDRESS"},
		{"builder without stage", []string{"devnet", "ccbuilder"}, 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := devnetCLI(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("medledger %v: exit %d, stderr %q (stdout %q); want exit %d and %q", tt.args, code, stderr, stdout, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(foreign, "notes.txt")); err != nil {
		t.Errorf("down --purge touched a foreign dir: %v", err)
	}
}

func TestDevnetCmd_Down(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	code, stdout, stderr := devnetCLI("devnet", "down", "--purge", "--dir", missing)
	if code != 0 || !strings.Contains(stdout, "no devnet") {
		t.Fatalf("down of a missing devnet: exit %d, %q %q; want success", code, stdout, stderr)
	}
}

// TestDevnetCmd_Builder drives the hidden builder subcommand the way the devnet's bin/detect script does.
func TestDevnetCmd_Builder(t *testing.T) {
	src, meta, bld, rel := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	writeTestFile(t, filepath.Join(meta, "metadata.json"), `{"type":"ccaas","label":"kv"}`)
	writeTestFile(t, filepath.Join(src, "connection.json"), `{"address":"127.0.0.1:9999","tls_required":false}`)
	other := t.TempDir()
	writeTestFile(t, filepath.Join(other, "metadata.json"), `{"type":"golang","label":"kv"}`)
	steps := []struct {
		args []string
		code int
	}{
		{[]string{"devnet", "ccbuilder", "detect", src, meta}, 0},
		{[]string{"devnet", "ccbuilder", "detect", src, other}, 1},
		{[]string{"devnet", "ccbuilder", "build", src, meta, bld}, 0},
		{[]string{"devnet", "ccbuilder", "release", bld, rel}, 0},
	}
	for _, s := range steps {
		if code, _, stderr := devnetCLI(s.args...); code != s.code {
			t.Fatalf("medledger %v: exit %d (%s), want %d", s.args, code, stderr, s.code)
		}
	}
	if _, err := os.Stat(filepath.Join(rel, "chaincode", "server", "connection.json")); err != nil {
		t.Errorf("release left no connection.json: %v", err)
	}
}

func TestDevnetCmd_DefaultDir(t *testing.T) {
	cmd := newDevnetCmd()
	if got := cmd.PersistentFlags().Lookup("dir").DefValue; got != devnet.DefaultDir {
		t.Errorf("--dir default = %q, want %q", got, devnet.DefaultDir)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
