package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAs(t *testing.T) {
	tests := []struct {
		in, role string
		want     asSpec
	}{
		{"hospital1", "admin", asSpec{"hospital1", "admin", ""}},
		{"hospital2", "client", asSpec{"hospital2", "client", ""}},
		{"Hospital2MSP:client:dr-lee", "admin", asSpec{"Hospital2MSP", "client", "dr-lee"}},
		{"2:admin", "client", asSpec{"2", "admin", ""}},
		{"hospital1::desk", "client", asSpec{"hospital1", "client", "desk"}},
	}
	for _, tt := range tests {
		got, err := parseAs(tt.in, tt.role)
		if err != nil || got != tt.want {
			t.Errorf("parseAs(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAs_Errors(t *testing.T) {
	for _, in := range []string{"", ":client", "hospital1:peer", "a:b:c:d"} {
		if _, err := parseAs(in, "client"); err == nil || !strings.Contains(err.Error(), "--as") {
			t.Errorf("parseAs(%q) = %v, want an error naming --as", in, err)
		}
	}
	if _, err := parseAttrs([]string{"role=clinician", "novalue"}); err == nil || !strings.Contains(err.Error(), `--attr "novalue"`) {
		t.Errorf("parseAttrs = %v", err)
	}
	if got, err := parseAttrs([]string{"role=clinician", "note=a=b"}); err != nil || got["note"] != "a=b" {
		t.Errorf("parseAttrs = %v, %v", got, err)
	}
}

// TestContractNet_Errors covers what the network commands refuse before reaching a network; deploy, invoke,
// query, list and demo on a real devnet run in operator/internal/e2e.
func TestContractNet_Errors(t *testing.T) {
	wasm := exampleWasm(t)
	nodev := filepath.Join(t.TempDir(), "nodevnet")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"deploy without a version", []string{"contract", "deploy", wasm, "--dir", nodev}, "--version is required"},
		{"deploy with a bad name", []string{"contract", "deploy", wasm, "--name", "Bad", "--version", "1", "--dir", nodev}, `--name "Bad"`},
		{"deploy with bad limits", []string{"contract", "deploy", wasm, "--version", "1", "--limits", `{"pages":1}`, "--dir", nodev}, `--limits: json: unknown field "pages"`},
		{"deploy with a bad isolation", []string{"contract", "deploy", wasm, "--version", "1", "--isolation", "none", "--dir", nodev}, "--isolation"},
		{"deploy of a missing file", []string{"contract", "deploy", "/nonexistent.wasm", "--version", "1", "--dir", nodev}, "read module"},
		{"deploy without a devnet", []string{"contract", "deploy", wasm, "--version", "1", "--dir", nodev}, "medledger devnet up"},
		{"invoke with invalid JSON", []string{"contract", "invoke", "notes", "add", "{", "--dir", nodev}, "ARGS_JSON is not valid JSON"},
		{"invoke without a devnet", []string{"contract", "invoke", "notes", "add", "--dir", nodev}, "medledger devnet up"},
		{"query without a devnet", []string{"contract", "query", "notes", "get", "--dir", nodev}, "medledger devnet up"},
		{"list without a devnet", []string{"contract", "list", "--dir", nodev}, "medledger devnet up"},
		{"demo without a devnet", []string{"contract", "demo", "--dir", nodev}, "medledger devnet up"},
		{"invoke needs a function", []string{"contract", "invoke", "notes"}, "accepts between 2 and 3 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(tt.args...)
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 mentioning %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

func TestContractNet_Help(t *testing.T) {
	r := runCLI("contract", "--help")
	for _, sub := range []string{"deploy", "invoke", "query", "list", "demo", "validate", "call"} {
		if !strings.Contains(r.stdout, sub) {
			t.Errorf("contract --help lacks %s:\n%s", sub, r.stdout)
		}
	}
}
