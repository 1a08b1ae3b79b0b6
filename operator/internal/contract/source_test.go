package contract

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

var module = []byte("\x00asm\x01\x00\x00\x00 pretend module bytes")

func sum(b []byte) v1alpha1.SHA256 {
	s := sha256.Sum256(b)
	return v1alpha1.SHA256(hex.EncodeToString(s[:]))
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func configMap(binary map[string][]byte, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "consent", Namespace: "ns"}, BinaryData: binary, Data: data}
}

func TestFromConfigMap(t *testing.T) {
	tests := []struct {
		name string
		cm   *corev1.ConfigMap
		src  v1alpha1.ConfigMapModuleSource
	}{
		{"binaryData plain", configMap(map[string][]byte{"m.wasm": module}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m.wasm"}},
		{"binaryData gzip pinned", configMap(map[string][]byte{"m.wasm.gz": gz(t, module)}, nil),
			v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m.wasm.gz", Compression: v1alpha1.CompressionGzip, SHA256: sum(module)}},
		{"data plain", configMap(nil, map[string]string{"m.wasm": string(module)}), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m.wasm", Compression: v1alpha1.CompressionNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, f := FromConfigMap(tt.cm, tt.src, DefaultMaxModuleBytes)
			if f != nil {
				t.Fatalf("FromConfigMap: %v", f)
			}
			if !bytes.Equal(m.Bytes, module) || m.SHA256 != string(sum(module)) || m.Size() != int64(len(module)) {
				t.Fatalf("got %d bytes sha256 %s, want the module", len(m.Bytes), m.SHA256)
			}
		})
	}
}

func TestFromConfigMap_Errors(t *testing.T) {
	wrong := sum([]byte("other"))
	tests := []struct {
		name       string
		cm         *corev1.ConfigMap
		src        v1alpha1.ConfigMapModuleSource
		max        int
		reason     string
		retry      bool
		msgContain string
	}{
		{"missing ConfigMap", nil, v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m"}, DefaultMaxModuleBytes, v1alpha1.ReasonSourceNotFound, true, `ConfigMap "consent" not found`},
		{"missing key", configMap(map[string][]byte{"other": module}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m"}, DefaultMaxModuleBytes, v1alpha1.ReasonSourceNotFound, true, "keys: [other]"},
		{"not gzip", configMap(map[string][]byte{"m": module}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m", Compression: v1alpha1.CompressionGzip}, DefaultMaxModuleBytes, v1alpha1.ReasonDecompressFailed, false, "not gzip"},
		{"truncated gzip", configMap(map[string][]byte{"m": gz(t, module)[:20]}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m", Compression: v1alpha1.CompressionGzip}, DefaultMaxModuleBytes, v1alpha1.ReasonDecompressFailed, false, "corrupt gzip"},
		{"gzip bomb", configMap(map[string][]byte{"m": gz(t, make([]byte, 1<<20))}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m", Compression: v1alpha1.CompressionGzip}, 1 << 10, v1alpha1.ReasonDecompressFailed, false, "past the 1024-byte"},
		{"too big plain", configMap(map[string][]byte{"m": module}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m"}, 8, v1alpha1.ReasonInvalidSpec, false, "above the 8-byte limit"},
		{"digest mismatch", configMap(map[string][]byte{"m": module}, nil), v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m", SHA256: wrong}, DefaultMaxModuleBytes, v1alpha1.ReasonDigestMismatch, false, string(sum(module)) + ", spec.source says " + string(wrong)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, f := FromConfigMap(tt.cm, tt.src, tt.max)
			if f == nil {
				t.Fatalf("FromConfigMap succeeded (%d bytes), want %s", len(m.Bytes), tt.reason)
			}
			if f.Reason != tt.reason || f.Retry != tt.retry || f.Condition != v1alpha1.SmartContractSourceAvailable || !strings.Contains(f.Message, tt.msgContain) {
				t.Fatalf("got %+v, want reason %s retry %v message containing %q", f, tt.reason, tt.retry, tt.msgContain)
			}
			if m.Bytes != nil || m.SHA256 != "" {
				t.Fatalf("a failure returned a module: %+v", m)
			}
		})
	}
}

func server(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok.wasm":
			_, _ = w.Write(module)
		case "/big.wasm":
			_, _ = w.Write(make([]byte, 4096))
		case "/gone.wasm":
			w.WriteHeader(http.StatusGone)
		case "/broken.wasm":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchURL(t *testing.T) {
	srv := server(t)
	m, f := FetchURL(context.Background(), srv.Client(), v1alpha1.URLModuleSource{URL: srv.URL + "/ok.wasm", SHA256: sum(module)}, DefaultMaxModuleBytes)
	if f != nil {
		t.Fatalf("FetchURL: %v", f)
	}
	if !bytes.Equal(m.Bytes, module) || m.SHA256 != string(sum(module)) {
		t.Fatalf("got sha256 %s, want %s", m.SHA256, sum(module))
	}
}

func TestFetchURL_Errors(t *testing.T) {
	srv := server(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name       string
		src        v1alpha1.URLModuleSource
		max        int
		reason     string
		retry      bool
		msgContain string
	}{
		{"sha256 missing", v1alpha1.URLModuleSource{URL: srv.URL + "/ok.wasm"}, DefaultMaxModuleBytes, v1alpha1.ReasonInvalidSpec, false, "sha256 is required"},
		{"not http", v1alpha1.URLModuleSource{URL: "ftp://example.org/m.wasm", SHA256: sum(module)}, DefaultMaxModuleBytes, v1alpha1.ReasonInvalidSpec, false, "not an absolute http(s) URL"},
		{"404", v1alpha1.URLModuleSource{URL: srv.URL + "/missing.wasm", SHA256: sum(module)}, DefaultMaxModuleBytes, v1alpha1.ReasonSourceNotFound, true, "404"},
		{"410", v1alpha1.URLModuleSource{URL: srv.URL + "/gone.wasm", SHA256: sum(module)}, DefaultMaxModuleBytes, v1alpha1.ReasonSourceNotFound, true, "410"},
		{"500", v1alpha1.URLModuleSource{URL: srv.URL + "/broken.wasm", SHA256: sum(module)}, DefaultMaxModuleBytes, v1alpha1.ReasonFetchFailed, true, "500"},
		{"connection refused", v1alpha1.URLModuleSource{URL: closedURL + "/ok.wasm", SHA256: sum(module)}, DefaultMaxModuleBytes, v1alpha1.ReasonFetchFailed, true, "GET " + closedURL},
		{"too big", v1alpha1.URLModuleSource{URL: srv.URL + "/big.wasm", SHA256: sum(module)}, 1024, v1alpha1.ReasonInvalidSpec, false, "larger than the 1024-byte"},
		{"digest mismatch", v1alpha1.URLModuleSource{URL: srv.URL + "/ok.wasm", SHA256: sum([]byte("x"))}, DefaultMaxModuleBytes, v1alpha1.ReasonDigestMismatch, false, string(sum(module))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, f := FetchURL(context.Background(), srv.Client(), tt.src, tt.max)
			if f == nil {
				t.Fatalf("FetchURL succeeded (%d bytes), want %s", len(m.Bytes), tt.reason)
			}
			if f.Reason != tt.reason || f.Retry != tt.retry || f.Condition != v1alpha1.SmartContractSourceAvailable || !strings.Contains(f.Message, tt.msgContain) {
				t.Fatalf("got %+v, want reason %s retry %v message containing %q", f, tt.reason, tt.retry, tt.msgContain)
			}
		})
	}
}

func TestFetch(t *testing.T) {
	srv := server(t)
	cm := configMap(map[string][]byte{"m.gz": gz(t, module)}, nil)
	tests := []struct {
		name   string
		src    v1alpha1.ContractSource
		reason string // "" means success
	}{
		{"configMap", v1alpha1.ContractSource{ConfigMap: &v1alpha1.ConfigMapModuleSource{Name: "consent", Key: "m.gz", Compression: v1alpha1.CompressionGzip}}, ""},
		{"url", v1alpha1.ContractSource{URL: &v1alpha1.URLModuleSource{URL: srv.URL + "/ok.wasm", SHA256: sum(module)}}, ""},
		{"oci refused", v1alpha1.ContractSource{OCI: &v1alpha1.OCIModuleSource{Reference: "ghcr.io/medledger/consent:1.0.0"}}, v1alpha1.ReasonInvalidSpec},
		{"empty", v1alpha1.ContractSource{}, v1alpha1.ReasonInvalidSpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, f := Fetch(context.Background(), tt.src, Inputs{ConfigMap: cm, HTTPClient: srv.Client()})
			switch {
			case tt.reason == "" && f != nil:
				t.Fatalf("Fetch: %v", f)
			case tt.reason == "" && m.SHA256 != string(sum(module)):
				t.Fatalf("got sha256 %s", m.SHA256)
			case tt.reason != "" && (f == nil || f.Reason != tt.reason || f.Retry):
				t.Fatalf("got %+v, want %s without retry", f, tt.reason)
			}
		})
	}
	_, f := Fetch(context.Background(), v1alpha1.ContractSource{OCI: &v1alpha1.OCIModuleSource{Reference: "ghcr.io/x/y:1"}}, Inputs{})
	if !strings.Contains(f.Message, ErrOCIUnsupported.Error()) || !strings.Contains(f.Message, "ghcr.io/x/y:1") {
		t.Fatalf("OCI message %q does not name the reference and the cause", f.Message)
	}
}
