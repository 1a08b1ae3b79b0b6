package ccaas

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func untar(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", hdr.Name, err)
		}
		out[hdr.Name] = b
	}
}

func TestPackage(t *testing.T) {
	tests := []struct {
		name  string
		label string
		conn  Connection
	}{
		{"plain", "kv_1.0", Connection{Address: "127.0.0.1:9999", DialTimeout: "10s"}},
		{"tls", "kv-tls", Connection{Address: "cc.example:7052", TLSRequired: true, RootCert: "PEM"}},
		{"mutual tls", "kv-mtls", Connection{Address: "127.0.0.1:7052", TLSRequired: true, RootCert: "PEM", ClientAuthRequired: true, ClientCert: "C", ClientKey: "K"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, err := Package(tt.label, tt.conn)
			if err != nil {
				t.Fatalf("Package: %v", err)
			}
			again, err := Package(tt.label, tt.conn)
			if err != nil {
				t.Fatalf("Package again: %v", err)
			}
			if !bytes.Equal(pkg, again) {
				t.Fatal("Package is not reproducible: two calls gave different bytes")
			}
			files := untar(t, pkg)
			var meta map[string]string
			if err := json.Unmarshal(files["metadata.json"], &meta); err != nil {
				t.Fatalf("metadata.json: %v", err)
			}
			if meta["type"] != "ccaas" || meta["label"] != tt.label {
				t.Errorf("metadata = %v, want type ccaas label %s", meta, tt.label)
			}
			code := untar(t, files["code.tar.gz"])
			var got Connection
			if err := json.Unmarshal(code["connection.json"], &got); err != nil {
				t.Fatalf("connection.json: %v", err)
			}
			if got != tt.conn {
				t.Errorf("connection.json = %+v, want %+v", got, tt.conn)
			}
			id, err := PackageID(pkg)
			if err != nil {
				t.Fatalf("PackageID: %v", err)
			}
			if !strings.HasPrefix(id, tt.label+":") || len(id) != len(tt.label)+1+64 {
				t.Errorf("PackageID = %q, want %s:<sha256 hex>", id, tt.label)
			}
		})
	}
}

func TestPackage_Errors(t *testing.T) {
	tests := []struct {
		name, label string
		conn        Connection
		want        string
	}{
		{"empty label", "", Connection{Address: "a:1"}, "invalid package label"},
		{"label with colon", "kv:1", Connection{Address: "a:1"}, "invalid package label"},
		{"no address", "kv", Connection{}, "address is empty"},
		{"bad timeout", "kv", Connection{Address: "a:1", DialTimeout: "soon"}, "not a duration"},
		{"tls without root", "kv", Connection{Address: "a:1", TLSRequired: true}, "root_cert"},
		{"client auth without TLS", "kv", Connection{Address: "a:1", ClientAuthRequired: true, ClientCert: "C", ClientKey: "K"}, "client_auth_required needs"},
		{"client auth without a key", "kv", Connection{Address: "a:1", TLSRequired: true, RootCert: "R", ClientAuthRequired: true, ClientCert: "C"}, "client_auth_required needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, err := Package(tt.label, tt.conn)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Package error = %v, want it to mention %q", err, tt.want)
			}
			if pkg != nil {
				t.Error("Package returned bytes along with an error")
			}
		})
	}
}

func TestPackageID_Errors(t *testing.T) {
	notMeta, err := tarGz([]tarFile{{"code.tar.gz", []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pkg  []byte
		want string
	}{
		{"not gzip", []byte("hello"), "gzip"},
		{"no metadata", notMeta, "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := PackageID(tt.pkg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("PackageID error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
