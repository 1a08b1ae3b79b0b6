// Package ccaas builds chaincode-as-a-service install packages and implements the peer side of them: the
// external builder (detect, build, release) that lets a Fabric peer run such chaincode without Docker.
//
// Fabric's own ccaas_builder lives in a nested module the Go proxy does not serve, so medledger carries its own.
// The peer's protocol is documented at https://hyperledger-fabric.readthedocs.io/en/latest/cc_launcher.html.
package ccaas

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/hyperledger/fabric-admin-sdk/pkg/chaincode"
)

// Type is the chaincode package type this builder claims (metadata.json "type").
const Type = "ccaas"

// Connection is the content of connection.json: where the peer dials the chaincode server.
type Connection struct {
	// Address is host:port of the chaincode server.
	Address string `json:"address"`
	// DialTimeout is a Go duration string, e.g. "10s"; empty means Fabric's default (3s).
	DialTimeout string `json:"dial_timeout,omitempty"`
	// TLSRequired makes the peer dial with TLS; RootCert must then hold the server's CA (PEM).
	TLSRequired bool   `json:"tls_required"`
	RootCert    string `json:"root_cert,omitempty"`
	// ClientAuthRequired makes the peer present ClientCert/ClientKey (PEM) for mutual TLS.
	ClientAuthRequired bool   `json:"client_auth_required,omitempty"`
	ClientCert         string `json:"client_cert,omitempty"`
	ClientKey          string `json:"client_key,omitempty"`
}

// labelRE is Fabric's rule for package labels (core/chaincode/persistence).
var labelRE = regexp.MustCompile(`^[[:alnum:]][[:alnum:]_.+-]*$`)

// fixedTime is stamped on every tar entry so the same inputs give the same bytes, hence the same package ID.
var fixedTime = time.Unix(0, 0).UTC()

// Package returns a reproducible ccaas install package: a tar.gz of metadata.json and code.tar.gz, the latter
// holding connection.json. Equal inputs always give equal bytes, so the package ID is stable across runs.
//
// # Errors
//   - label is not a valid Fabric package label;
//   - conn.Address is empty;
//   - conn.DialTimeout is not a Go duration;
//   - conn.TLSRequired is set without conn.RootCert;
//   - conn.ClientAuthRequired is set without TLS or without both ClientCert and ClientKey.
func Package(label string, conn Connection) ([]byte, error) {
	if !labelRE.MatchString(label) {
		return nil, fmt.Errorf("ccaas: invalid package label %q: must start with a letter or digit and hold only letters, digits and .+-_", label)
	}
	if err := conn.validate(); err != nil {
		return nil, err
	}
	connJSON, err := json.Marshal(conn)
	if err != nil {
		return nil, fmt.Errorf("ccaas: encode connection.json: %w", err)
	}
	code, err := tarGz([]tarFile{{"connection.json", connJSON}})
	if err != nil {
		return nil, err
	}
	meta, err := json.Marshal(struct {
		Type  string `json:"type"`
		Label string `json:"label"`
	}{Type, label})
	if err != nil {
		return nil, fmt.Errorf("ccaas: encode metadata.json: %w", err)
	}
	return tarGz([]tarFile{{"metadata.json", meta}, {"code.tar.gz", code}})
}

// PackageID returns the ID a peer gives pkg on install (label:sha256 of the package bytes).
//
// # Errors
//   - pkg is not a chaincode package with a metadata.json and a code.tar.gz.
func PackageID(pkg []byte) (string, error) {
	meta, _, err := chaincode.ParseChaincodePackage(pkg)
	if err != nil {
		return "", fmt.Errorf("ccaas: %w", err)
	}
	return chaincode.GetPackageID(meta.Label, pkg), nil
}

func (c Connection) validate() error {
	if c.Address == "" {
		return fmt.Errorf("ccaas: connection address is empty")
	}
	if c.DialTimeout != "" {
		if _, err := time.ParseDuration(c.DialTimeout); err != nil {
			return fmt.Errorf("ccaas: dial_timeout %q is not a duration: %w", c.DialTimeout, err)
		}
	}
	if c.TLSRequired && c.RootCert == "" {
		return fmt.Errorf("ccaas: tls_required needs root_cert (the chaincode server's CA, PEM)")
	}
	if c.ClientAuthRequired && (!c.TLSRequired || c.ClientCert == "" || c.ClientKey == "") {
		return fmt.Errorf("ccaas: client_auth_required needs tls_required, client_cert and client_key (PEM)")
	}
	return nil
}

type tarFile struct {
	name string
	data []byte
}

func tarGz(files []tarFile) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf) // zero ModTime and no name: the header is constant
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.name,
			Mode:     0o644,
			Size:     int64(len(f.data)),
			ModTime:  fixedTime,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("ccaas: tar %s: %w", f.name, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("ccaas: tar %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("ccaas: close tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("ccaas: close gzip: %w", err)
	}
	return buf.Bytes(), nil
}
