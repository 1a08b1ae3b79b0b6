package contract

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	corev1 "k8s.io/api/core/v1"

	"github.com/medledger/medledger/operator/api/v1alpha1"
)

// DefaultMaxModuleBytes is the largest uncompressed module accepted from any source, the engine's default size cap
// (16 MiB). It also bounds gzip decompression and downloads so a hostile source cannot exhaust the operator's memory.
const DefaultMaxModuleBytes = 16 << 20

// Module is a fetched module, uncompressed, with its digest.
type Module struct {
	// Bytes are the module as the engine and the ledger see it.
	Bytes []byte
	// SHA256 is the lower-case hex SHA-256 of Bytes.
	SHA256 string
}

// Size returns len(m.Bytes).
func (m Module) Size() int64 { return int64(len(m.Bytes)) }

// Failure is a step that failed, phrased as the condition it sets.
type Failure struct {
	// Condition is the condition type that turns False (SourceAvailable, ModuleValid or Deployed).
	Condition string
	// Reason is a v1alpha1.Reason* constant.
	Reason string
	// Message names the cause and what to fix.
	Message string
	// Retry says the same spec can succeed later (network trouble, a ConfigMap that may appear); false means the
	// spec or its source must change.
	Retry bool
}

// Error implements error: "<reason>: <message>".
func (f *Failure) Error() string { return f.Reason + ": " + f.Message }

func sourceFailure(reason string, retry bool, format string, args ...any) *Failure {
	return &Failure{Condition: v1alpha1.SmartContractSourceAvailable, Reason: reason, Message: fmt.Sprintf(format, args...), Retry: retry}
}

// newModule digests b and, when want is not empty, checks it.
func newModule(b []byte, want v1alpha1.SHA256, where string) (Module, *Failure) {
	sum := sha256.Sum256(b)
	m := Module{Bytes: b, SHA256: hex.EncodeToString(sum[:])}
	if want != "" && string(want) != m.SHA256 {
		return Module{}, sourceFailure(v1alpha1.ReasonDigestMismatch, false,
			"%s has sha256 %s, spec.source says %s: publish the right module or fix the digest", where, m.SHA256, want)
	}
	return m, nil
}

// FromConfigMap reads the module of src from cm (nil when the ConfigMap does not exist), decompressing it when
// src.Compression is Gzip, and checks src.SHA256 when set. maxBytes caps the uncompressed size.
//
// # Errors
//
// A *Failure on SourceAvailable:
//   - SourceNotFound (retry) when cm is nil or has the key in neither binaryData nor data;
//   - DecompressFailed when Gzip is set but the bytes are not gzip, or inflate past maxBytes;
//   - InvalidSpec when the (uncompressed) module is larger than maxBytes;
//   - DigestMismatch when src.SHA256 is set and differs.
func FromConfigMap(cm *corev1.ConfigMap, src v1alpha1.ConfigMapModuleSource, maxBytes int) (Module, *Failure) {
	where := fmt.Sprintf("ConfigMap %q key %q", src.Name, src.Key)
	if cm == nil {
		return Module{}, sourceFailure(v1alpha1.ReasonSourceNotFound, true, "ConfigMap %q not found in the SmartContract's namespace: create it or fix spec.source.configMap.name", src.Name)
	}
	raw, ok := cm.BinaryData[src.Key]
	if !ok {
		s, inData := cm.Data[src.Key]
		if !inData {
			return Module{}, sourceFailure(v1alpha1.ReasonSourceNotFound, true, "%s: no such key in binaryData or data (keys: %v)", where, configMapKeys(cm))
		}
		raw = []byte(s)
	}
	b := raw
	if src.Compression == v1alpha1.CompressionGzip {
		var err error
		if b, err = gunzip(raw, maxBytes); err != nil {
			return Module{}, sourceFailure(v1alpha1.ReasonDecompressFailed, false, "%s: %v: re-create it with `gzip -9`, or set compression: None", where, err)
		}
	} else if len(b) > maxBytes {
		return Module{}, sourceFailure(v1alpha1.ReasonInvalidSpec, false, "%s: module is %d bytes, above the %d-byte limit", where, len(b), maxBytes)
	}
	return newModule(b, src.SHA256, where)
}

func configMapKeys(cm *corev1.ConfigMap) []string {
	keys := make([]string, 0, len(cm.Data)+len(cm.BinaryData))
	for k := range cm.BinaryData {
		keys = append(keys, k)
	}
	for k := range cm.Data {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// gunzip inflates b, refusing output past maxBytes.
func gunzip(b []byte, maxBytes int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not gzip data (%w)", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("corrupt gzip data (%w)", err)
	}
	if len(out) > maxBytes {
		return nil, fmt.Errorf("decompresses past the %d-byte module limit", maxBytes)
	}
	return out, nil
}

// FetchURL downloads src.URL with client (nil means http.DefaultClient) and checks the mandatory src.SHA256.
// maxBytes caps the download.
//
// # Errors
//
// A *Failure on SourceAvailable:
//   - InvalidSpec when src.SHA256 is empty (a URL's content can change, so the digest is required) or the URL is
//     not a valid http(s) URL, or the body is larger than maxBytes;
//   - SourceNotFound (retry) on HTTP 404 or 410;
//   - FetchFailed (retry) on any other transport error or non-200 status;
//   - DigestMismatch when the body's SHA-256 differs from src.SHA256.
func FetchURL(ctx context.Context, client *http.Client, src v1alpha1.URLModuleSource, maxBytes int) (Module, *Failure) {
	if src.SHA256 == "" {
		return Module{}, sourceFailure(v1alpha1.ReasonInvalidSpec, false, "spec.source.url.sha256 is required: the content behind %s can change", src.URL)
	}
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		return Module{}, sourceFailure(v1alpha1.ReasonInvalidSpec, false, "spec.source.url %q is not an absolute http(s) URL", src.URL)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Module{}, sourceFailure(v1alpha1.ReasonFetchFailed, true, "GET %s: %v", src.URL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return Module{}, sourceFailure(v1alpha1.ReasonSourceNotFound, true, "GET %s: %s", src.URL, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return Module{}, sourceFailure(v1alpha1.ReasonFetchFailed, true, "GET %s: %s", src.URL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(maxBytes)+1))
	if err != nil {
		return Module{}, sourceFailure(v1alpha1.ReasonFetchFailed, true, "GET %s: reading body: %v", src.URL, err)
	}
	if len(b) > maxBytes {
		return Module{}, sourceFailure(v1alpha1.ReasonInvalidSpec, false, "GET %s: body is larger than the %d-byte module limit", src.URL, maxBytes)
	}
	return newModule(b, src.SHA256, "GET "+src.URL)
}

// Inputs is what Fetch needs besides the source: whatever the controller read for it.
type Inputs struct {
	// ConfigMap is source.configMap's ConfigMap, nil when it does not exist (or the source is not a ConfigMap).
	ConfigMap *corev1.ConfigMap
	// HTTPClient downloads URL sources; nil means http.DefaultClient.
	HTTPClient *http.Client
	// MaxModuleBytes caps the module size; 0 means DefaultMaxModuleBytes.
	MaxModuleBytes int
}

// ErrOCIUnsupported is the cause behind the InvalidSpec failure for OCI sources.
var ErrOCIUnsupported = errors.New("OCI sources are not supported by this operator version yet")

// Fetch fetches the module of src: from in.ConfigMap, from its URL, or refuses OCI.
//
// # Errors
//
// Whatever FromConfigMap or FetchURL report, and a *Failure on SourceAvailable with reason InvalidSpec when src
// sets no source (the API server should not allow it) or is an OCI reference (not supported yet: use a ConfigMap
// or a URL with sha256).
func Fetch(ctx context.Context, src v1alpha1.ContractSource, in Inputs) (Module, *Failure) {
	max := in.MaxModuleBytes
	if max <= 0 {
		max = DefaultMaxModuleBytes
	}
	switch {
	case src.ConfigMap != nil:
		return FromConfigMap(in.ConfigMap, *src.ConfigMap, max)
	case src.URL != nil:
		return FetchURL(ctx, in.HTTPClient, *src.URL, max)
	case src.OCI != nil:
		return Module{}, sourceFailure(v1alpha1.ReasonInvalidSpec, false, "spec.source.oci %q: %v; use source.configMap (gzip) or source.url with sha256", src.OCI.Reference, ErrOCIUnsupported)
	default:
		return Module{}, sourceFailure(v1alpha1.ReasonInvalidSpec, false, "spec.source sets none of configMap, url or oci")
	}
}
