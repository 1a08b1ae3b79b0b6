package sdktest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeModule writes a standalone module with one package (main or not) to a temp dir and returns the dir.
func writeModule(t *testing.T, pkg, body string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.test/m\n\ngo 1.26\n",
		"main.go": "package " + pkg + "\n\n" + body + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuild(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(CacheDirEnv, cache)
	mod := writeModule(t, "main", "func main() {}")

	first := Build(t, mod)
	if !bytes.HasPrefix(first, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Fatalf("Build returned %d bytes that are not a wasm module", len(first))
	}
	entries := cacheEntries(t, cache)
	if len(entries) != 1 {
		t.Fatalf("cache holds %q after one build, want one module", entries)
	}
	if again := Build(t, mod); !bytes.Equal(again, first) {
		t.Error("a second Build in the same test binary returned different bytes")
	}

	// Across processes, the disk cache answers: unchanged sources are not rebuilt (the marker survives)...
	if err := os.WriteFile(entries[0], []byte("marker"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := buildCached(mod)
	if b, _ := os.ReadFile(path); err != nil || path != entries[0] || string(b) != "marker" {
		t.Fatalf("buildCached of unchanged sources = %q (%.6q), %v; want the cached %q untouched", path, b, err, entries[0])
	}
	// ...and any source change is a new key, so a new build.
	if err := os.WriteFile(filepath.Join(mod, "extra.go"), []byte("package main\n\nvar X = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if path, err := buildCached(mod); err != nil || path == entries[0] {
		t.Errorf("buildCached after a source change = %q, %v; want a new module", path, err)
	}
	if n := len(cacheEntries(t, cache)); n != 2 {
		t.Errorf("cache holds %d modules after a source change, want 2", n)
	}
	if tmp, _ := filepath.Glob(filepath.Join(cache, "*.tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left in the cache: %q", tmp)
	}
}

func TestPrune(t *testing.T) {
	cache := t.TempDir()
	now := time.Now()
	ages := map[string]time.Duration{"old.wasm": 8 * 24 * time.Hour, "recent.wasm": time.Hour, "old.txt": 30 * 24 * time.Hour}
	for name, age := range ages {
		f := filepath.Join(cache, name)
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	prune(cache, now.Add(-cacheMaxAge))
	left, _ := filepath.Glob(filepath.Join(cache, "*"))
	for i := range left {
		left[i] = filepath.Base(left[i])
	}
	if want := []string{"old.txt", "recent.wasm"}; strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("after prune the cache holds %q, want %q", left, want)
	}
}

func TestBuild_Errors(t *testing.T) {
	t.Setenv(CacheDirEnv, t.TempDir())
	tests := []struct {
		name string
		dir  string
		want string
	}{
		{"library package", writeModule(t, "lib", "func F() {}"), "holds package lib, not a contract main package"},
		{"compile error", writeModule(t, "main", "func main() { undefined() }"), "undefined: undefined"},
		{"missing dir", filepath.Join(t.TempDir(), "nope"), "go list -deps"},
		{"import missing", writeModule(t, "main", `import _ "example.test/absent"
func main() {}`), "example.test/absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := buildCached(tt.dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("buildCached = %q, %v; want an error containing %q", path, err, tt.want)
			}
			if entries := cacheEntries(t, os.Getenv(CacheDirEnv)); len(entries) != 0 {
				t.Errorf("a failed build left %q in the cache", entries)
			}
		})
	}
}
