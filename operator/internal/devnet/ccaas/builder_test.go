package ccaas

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, meta string
		wantErr    error
	}{
		{"ccaas", `{"type":"ccaas","label":"kv"}`, nil},
		{"upper case", `{"type":"CCAAS","label":"kv"}`, nil},
		{"golang", `{"type":"golang","label":"kv"}`, ErrNotCCAAS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "metadata.json"), tt.meta)
			err := Detect(dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Detect = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDetect_Errors(t *testing.T) {
	missing := t.TempDir()
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "metadata.json"), "{")
	for name, dir := range map[string]string{"missing metadata.json": missing, "not JSON": bad} {
		t.Run(name, func(t *testing.T) {
			err := Detect(dir)
			if err == nil || errors.Is(err, ErrNotCCAAS) {
				t.Fatalf("Detect = %v, want a read/parse error", err)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name, conn, tmpl, want string
		metaInf                bool
	}{
		{"copied as is", `{"address":"127.0.0.1:7000","tls_required":false}`, "", `{"address":"127.0.0.1:7000","tls_required":false}`, false},
		{"template", `{"address":"{{.host}}:7000","tls_required":false}`, `{"host":"cc1"}`, `{"address":"cc1:7000","tls_required":false}`, false},
		{"with indexes", `{"address":"a:1","tls_required":false}`, "", `{"address":"a:1","tls_required":false}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, out, rel := t.TempDir(), t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(src, "connection.json"), tt.conn)
			if tt.metaInf {
				writeFile(t, filepath.Join(src, "META-INF/statedb/couchdb/indexes/i.json"), `{"index":{}}`)
			}
			if err := Build(src, out, tt.tmpl); err != nil {
				t.Fatalf("Build: %v", err)
			}
			if err := Release(out, rel); err != nil {
				t.Fatalf("Release: %v", err)
			}
			got, err := os.ReadFile(filepath.Join(rel, "chaincode/server/connection.json"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("released connection.json = %s, want %s", got, tt.want)
			}
			_, err = os.Stat(filepath.Join(rel, "statedb/couchdb/indexes/i.json"))
			if tt.metaInf != (err == nil) {
				t.Errorf("statedb index released = %v, want %v", err == nil, tt.metaInf)
			}
		})
	}
}

func TestBuild_Errors(t *testing.T) {
	tests := []struct {
		name, conn, tmpl, want string
	}{
		{"no connection.json", "", "", "no such file"},
		{"not JSON", `{`, "", "not valid JSON"},
		{"no address", `{"address":""}`, "", "address is empty"},
		{"bad template config", `{"address":"{{.h}}"}`, `[1]`, "not a JSON object"},
		{"missing template key", `{"address":"{{.h}}"}`, `{}`, "render connection.json"},
		{"tls without root", `{"address":"a:1","tls_required":true}`, "", "root_cert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, out := t.TempDir(), t.TempDir()
			if tt.conn != "" {
				writeFile(t, filepath.Join(src, "connection.json"), tt.conn)
			}
			err := Build(src, out, tt.tmpl)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build error = %v, want it to mention %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("Build wrote %d entries to the output dir despite failing", len(entries))
			}
		})
	}
}

func TestRelease_Errors(t *testing.T) {
	if err := Release(t.TempDir(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "connection.json") {
		t.Fatalf("Release without a build = %v, want a connection.json error", err)
	}
}

func TestBuilderMain(t *testing.T) {
	meta := t.TempDir()
	writeFile(t, filepath.Join(meta, "metadata.json"), `{"type":"ccaas"}`)
	src, bld, rel := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(src, "connection.json"), `{"address":"a:1"}`)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"argv0 detect", []string{"/b/bin/detect", src, meta}, 0, ""},
		{"subcommand detect", []string{"ccbuilder", "detect", src, meta}, 0, ""},
		{"detect other type", []string{"detect", src, src}, 1, "metadata.json"},
		{"build", []string{"ccbuilder", "build", src, meta, bld}, 0, ""},
		{"release", []string{"release", bld, rel}, 0, ""},
		{"wrong arg count", []string{"build", src}, 1, "want 3 arguments"},
		{"unknown stage", []string{"ccbuilder", "launch"}, 2, "usage"},
		{"no args", nil, 2, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := Main(tt.args, &stderr); code != tt.code {
				t.Fatalf("Main(%v) = %d (%s), want %d", tt.args, code, stderr.String(), tt.code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr.String(), tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(rel, "chaincode/server/connection.json")); err != nil {
		t.Errorf("release stage left no connection.json: %v", err)
	}
}
