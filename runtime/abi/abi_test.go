package abi_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/medledger/medledger/runtime/abi"
)

// section returns the text of ABI.md between the heading starting with title and the next "## " heading.
func section(t *testing.T, doc, title string) string {
	t.Helper()
	i := strings.Index(doc, "## "+title)
	if i < 0 {
		t.Fatalf("ABI.md has no section %q", title)
	}
	rest := doc[i+3:]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestABIDocument keeps ABI.md and this package in step: the host function and WASI tables name exactly the
// functions the package (and so the engine and the deploy gate) define.
func TestABIDocument(t *testing.T) {
	b, err := os.ReadFile("ABI.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	row := regexp.MustCompile("(?m)^\\| `([a-z_0-9]+)`")
	names := func(text string) []string {
		var out []string
		for _, m := range row.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return out
	}
	keys := func(m map[string]abi.Signature) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	if got, want := names(section(t, doc, "3. Host functions")), keys(abi.HostFunctions); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ABI.md §3 lists %v, package defines %v", got, want)
	}
	// §6 rows may list several functions per row.
	wasiText := section(t, doc, "6. WASI")
	var listed []string
	for _, line := range strings.Split(wasiText, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cell := strings.Split(line, "|")[1]
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(cell, -1) {
			listed = append(listed, m[1])
		}
	}
	sort.Strings(listed)
	if got, want := strings.Join(listed, ","), strings.Join(keys(abi.WASIFunctions), ","); got != want {
		t.Errorf("ABI.md §6 lists %v, package allows %v", got, want)
	}
	for _, s := range []string{abi.ExportMarkerV1, abi.ExportInvoke, abi.ExportInitialize, abi.ModuleName, abi.WASIModuleName} {
		if !strings.Contains(doc, "`"+s+"`") {
			t.Errorf("ABI.md does not mention %q", s)
		}
	}
}

func TestValidateKey(t *testing.T) {
	tests := []struct {
		key    string
		errSub string
	}{
		{"a", ""},
		{"patient/p1", ""},
		{"ünïcödé", ""},
		{strings.Repeat("k", 16), ""},
		{"", "key is empty"},
		{strings.Repeat("k", 17), "key is 17 bytes, limit 16"},
		{"\xff", "not valid UTF-8"},
		{"a\x00b", "key contains byte 0x00 at offset 1"},
	}
	for _, tt := range tests {
		err := abi.ValidateKey([]byte(tt.key), 16)
		if tt.errSub == "" && err != nil || tt.errSub != "" && (err == nil || !strings.Contains(err.Error(), tt.errSub)) {
			t.Errorf("ValidateKey(%q) = %v, want %q", tt.key, err, tt.errSub)
		}
	}
}

func TestValidateCollection(t *testing.T) {
	tests := []struct {
		coll   string
		errSub string
	}{
		{"_implicit_org_Hospital1MSP", ""},
		{"hospital.records-2", ""},
		{"", "empty"},
		{strings.Repeat("c", 129), "129 bytes, limit 128"},
		{"a/b", "byte 1 ('/') is not allowed"},
		{"a b", "byte 1 (' ') is not allowed"},
	}
	for _, tt := range tests {
		err := abi.ValidateCollection([]byte(tt.coll))
		if tt.errSub == "" && err != nil || tt.errSub != "" && (err == nil || !strings.Contains(err.Error(), tt.errSub)) {
			t.Errorf("ValidateCollection(%q) = %v, want %q", tt.coll, err, tt.errSub)
		}
	}
}

func TestValidateContractName(t *testing.T) {
	tests := []struct {
		name   string
		errSub string
	}{
		{"consent", ""},
		{"drug-trace2", ""},
		{strings.Repeat("a", 63), ""},
		{"", "empty"},
		{strings.Repeat("a", 64), "64 bytes, limit 63"},
		{"Consent", "byte 0 ('C')"},
		{"9lives", "byte 0 ('9')"},
		{"-x", "byte 0 ('-')"},
		{"a/b", "byte 1 ('/')"},
		{"a_b", "byte 1 ('_')"},
	}
	for _, tt := range tests {
		err := abi.ValidateContractName(tt.name)
		if tt.errSub == "" && err != nil || tt.errSub != "" && (err == nil || !strings.Contains(err.Error(), tt.errSub)) {
			t.Errorf("ValidateContractName(%q) = %v, want %q", tt.name, err, tt.errSub)
		}
	}
}

func TestNamespacedKey(t *testing.T) {
	if got := abi.NamespacedKey("consent", []byte("../x")); got != "ns/consent/../x" {
		t.Fatalf("NamespacedKey = %q", got)
	}
	if got := abi.Namespace("consent"); got != "ns/consent/" {
		t.Fatalf("Namespace = %q", got)
	}
}
