package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/medledger/medledger/plugins/sdk/sdktest"
)

var (
	exampleOnce sync.Once
	examplePath string
)

// exampleWasm builds plugins/example once per test binary and writes it to a file, as a user would have it.
func exampleWasm(t *testing.T) string {
	t.Helper()
	exampleOnce.Do(func() {
		wasm := sdktest.Build(t, "../../../plugins/example")
		dir, err := os.MkdirTemp("", "medledger-cli-")
		if err != nil {
			t.Fatal(err)
		}
		examplePath = filepath.Join(dir, "example.wasm")
		if err := os.WriteFile(examplePath, wasm, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if examplePath == "" {
		t.Fatal("example contract was not built (see the first failure)")
	}
	return examplePath
}

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(args ...string) cliResult {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return cliResult{code, out.String(), errb.String()}
}

func TestContractValidate(t *testing.T) {
	wasm := exampleWasm(t)
	r := runCLI("contract", "validate", wasm)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"valid medledger contract", "abi          v1", "invoke", "medledger.state_get"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI("contract", "validate", wasm, "--json")
	var info struct {
		SHA256     string
		ABIVersion int
		Exports    []string
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || len(info.SHA256) != 64 || info.ABIVersion != 1 {
		t.Fatalf("--json: %v %+v\n%s", err, info, r.stdout)
	}
}

func TestContractValidate_Errors(t *testing.T) {
	dir := t.TempDir()
	notWasm := filepath.Join(dir, "notes.txt")
	os.WriteFile(notWasm, []byte("hello, not a module"), 0o644)
	truncated := filepath.Join(dir, "truncated.wasm")
	full, err := os.ReadFile(exampleWasm(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(truncated, full[:len(full)/2], 0o644)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not wasm", []string{notWasm}, "invalid contract module"},
		{"truncated", []string{truncated}, "invalid contract module"},
		{"missing file", []string{filepath.Join(dir, "nope.wasm")}, "no such file"},
		{"no file", nil, "accepts 1 arg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(append([]string{"contract", "validate"}, tc.args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

func TestContractCall_buildsStateAcrossCalls(t *testing.T) {
	wasm := exampleWasm(t)
	state := filepath.Join(t.TempDir(), "state.json")
	common := []string{"--state", state, "--caller", "Hospital1MSP:client:alice", "--time", "2026-03-01T09:30:00Z"}

	r := runCLI(append([]string{"contract", "call", wasm, "add", `{"id":"n1","text":"ward round at 9"}`}, common...)...)
	if r.code != 0 {
		t.Fatalf("add: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"ok       example.add", "write    ns/example/note/n1", "event    NoteAdded", "gas"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("add output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = runCLI(append([]string{"contract", "call", wasm, "list", "--json"}, common...)...)
	var out callOutcome
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("list --json: %v\n%s", err, r.stdout)
	}
	var ids []string
	if err := json.Unmarshal(out.Result, &ids); !out.OK || err != nil || len(ids) != 1 || ids[0] != "n1" {
		t.Fatalf("list after add: ok=%v result=%s", out.OK, out.Result)
	}
}

func TestContractCall_failureLeavesStateUntouched(t *testing.T) {
	wasm := exampleWasm(t)
	state := filepath.Join(t.TempDir(), "state.json")
	add := []string{"contract", "call", wasm, "add", `{"id":"n1","text":"first"}`, "--state", state}
	if r := runCLI(add...); r.code != 0 {
		t.Fatalf("first add: exit %d: %s", r.code, r.stderr)
	}
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}

	r := runCLI(add...) // the note exists now: a contract error
	if r.code != 2 || !strings.Contains(r.stderr, "already_exists: note n1 exists") {
		t.Fatalf("duplicate add: exit %d, stderr %q; want exit 2 and the contract's message", r.code, r.stderr)
	}
	if r := runCLI("contract", "call", wasm, "nosuch", "--state", state); r.code != 2 ||
		!strings.Contains(r.stderr, `unknown function "nosuch"`) {
		t.Fatalf("unknown function: exit %d, stderr %q", r.code, r.stderr)
	}
	after, _ := os.ReadFile(state)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed call changed the state file")
	}
}

func TestContractCall_Errors(t *testing.T) {
	wasm := exampleWasm(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte("{not json"), 0o644)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"invalid args JSON", []string{wasm, "add", `{"id":`}, "ARGS_JSON is not valid JSON"},
		{"bad caller", []string{wasm, "list", "--caller", "A:B:C:D"}, "want MSPID[:ROLE][:ID]"},
		{"bad role", []string{wasm, "list", "--caller", "Hospital1MSP:doctor"}, `role "doctor"`},
		{"bad attr", []string{wasm, "list", "--attr", "novalue"}, "want KEY=VALUE"},
		{"bad time", []string{wasm, "list", "--time", "yesterday"}, "want RFC 3339"},
		{"bad isolation", []string{wasm, "list", "--isolation", "shared"}, "--isolation"},
		{"gas above the ceiling", []string{wasm, "list", "--gas", "2000000001"}, "--gas 2000000001 is above the host ceiling 2000000000"},
		{"gas not a number", []string{wasm, "list", "--gas", "lots"}, `invalid argument "lots" for "--gas"`},
		{"bad name", []string{wasm, "list", "--name", "Bad_Name"}, `--name "Bad_Name"`},
		{"corrupt state", []string{wasm, "list", "--state", corrupt}, "is not a medledger ledger"},
		{"missing module", []string{filepath.Join(dir, "x.wasm"), "list"}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"contract", "call"}, tc.args...)
			if !slices.Contains(args, "--state") {
				args = append(args, "--state", state)
			}
			r := runCLI(args...)
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tc.want)
			}
			if _, err := os.Stat(state); err == nil {
				t.Fatal("a rejected command created the state file")
			}
		})
	}
}

// TestContractCall_gas: every call prints the gas it used and its limit; --gas sets the limit, and a call that
// needs more runs out of gas (exit 2, state untouched).
func TestContractCall_gas(t *testing.T) {
	wasm := exampleWasm(t)
	state := filepath.Join(t.TempDir(), "state.json")
	add := []string{"contract", "call", wasm, "add", `{"id":"n1","text":"first"}`, "--state", state, "--json"}
	r := runCLI(add...)
	var out callOutcome
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("add: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if out.GasUsed == 0 || out.GasUsed >= out.GasLimit || out.GasLimit != 200_000_000 {
		t.Fatalf("add used %d gas of %d, want some of the default 200000000", out.GasUsed, out.GasLimit)
	}
	tests := []struct {
		name, gas, want string
		code            int
	}{
		{"enough", "5000000", "gas      ", 0},
		{"too little", "1000", "gas      1000 of 1000", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI("contract", "call", wasm, "get", `{"id":"n1"}`, "--state", state, "--gas", tt.gas)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.want) || !strings.Contains(r.stdout, " of "+tt.gas+"\n") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and %q", r.code, r.stdout, r.stderr, tt.code, tt.want)
			}
			if tt.code == 2 && !strings.Contains(r.stderr, "out-of-gas") {
				t.Fatalf("stderr %q does not say out-of-gas", r.stderr)
			}
		})
	}
}

func TestDefaultContractName(t *testing.T) {
	for in, want := range map[string]string{
		"bin/plugins/consent.wasm": "consent",
		"Consent_v2.wasm":          "consent-v2",
		"2fast.wasm":               "c-2fast",
		"--.wasm":                  "c-",
	} {
		got := defaultContractName(in)
		if got != want {
			t.Errorf("defaultContractName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMain(m *testing.M) {
	// Keep compiled modules of this test run out of the user's cache.
	dir, err := os.MkdirTemp("", "medledger-cli-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("MEDLEDGER_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
