package ccaas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// TemplateEnv names the environment variable holding a JSON object whose fields fill {{.field}} placeholders in
// connection.json at build time, so one package can point each peer at its own server. The peer must list it in
// the builder's propagateEnvironment. The name matches Fabric's ccaas_builder.
const TemplateEnv = "CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"

// ErrNotCCAAS is returned by Detect when the package is of another type; the peer then tries its next builder.
var ErrNotCCAAS = errors.New("ccaas: package type is not ccaas")

// Detect reports whether the package whose metadata.json is in metadataDir is a ccaas package.
//
// # Errors
//   - metadata.json is missing or not JSON;
//   - the type is not "ccaas" (ErrNotCCAAS).
func Detect(metadataDir string) error {
	raw, err := os.ReadFile(filepath.Join(metadataDir, "metadata.json"))
	if err != nil {
		return fmt.Errorf("ccaas detect: %w", err)
	}
	var meta struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("ccaas detect: metadata.json: %w", err)
	}
	if !strings.EqualFold(meta.Type, Type) {
		return fmt.Errorf("%w (it is %q)", ErrNotCCAAS, meta.Type)
	}
	return nil
}

// Build validates sourceDir/connection.json, fills its template fields from templateJSON (the value of
// TemplateEnv; empty means none), and writes it to outputDir. A META-INF folder in the source (CouchDB index
// definitions) is copied along.
//
// # Errors
//   - connection.json is missing, is not a valid template, or templateJSON is not a JSON object;
//   - the rendered connection.json is not JSON or fails validation (empty address, bad dial_timeout, TLS
//     without a root certificate);
//   - outputDir cannot be written.
func Build(sourceDir, outputDir, templateJSON string) error {
	raw, err := os.ReadFile(filepath.Join(sourceDir, "connection.json"))
	if err != nil {
		return fmt.Errorf("ccaas build: %w", err)
	}
	rendered, err := render(raw, templateJSON)
	if err != nil {
		return fmt.Errorf("ccaas build: %w", err)
	}
	var conn Connection
	if err := json.Unmarshal(rendered, &conn); err != nil {
		return fmt.Errorf("ccaas build: connection.json is not valid JSON: %w", err)
	}
	if err := conn.validate(); err != nil {
		return fmt.Errorf("ccaas build: connection.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(outputDir, "connection.json"), rendered, 0o644); err != nil {
		return fmt.Errorf("ccaas build: %w", err)
	}
	metaInf := filepath.Join(sourceDir, "META-INF")
	if fi, err := os.Stat(metaInf); err == nil && fi.IsDir() {
		if err := copyTree(metaInf, filepath.Join(outputDir, "META-INF")); err != nil {
			return fmt.Errorf("ccaas build: %w", err)
		}
	}
	return nil
}

// Release places the built connection.json where the peer looks for it (releaseDir/chaincode/server) and
// CouchDB indexes, if any, in releaseDir/statedb.
//
// # Errors
//   - buildDir/connection.json is missing (Build did not run);
//   - releaseDir cannot be written.
func Release(buildDir, releaseDir string) error {
	conn, err := os.ReadFile(filepath.Join(buildDir, "connection.json"))
	if err != nil {
		return fmt.Errorf("ccaas release: %w", err)
	}
	serverDir := filepath.Join(releaseDir, "chaincode", "server")
	if err := os.MkdirAll(serverDir, 0o755); err != nil {
		return fmt.Errorf("ccaas release: %w", err)
	}
	if err := os.WriteFile(filepath.Join(serverDir, "connection.json"), conn, 0o644); err != nil {
		return fmt.Errorf("ccaas release: %w", err)
	}
	statedb := filepath.Join(buildDir, "META-INF", "statedb")
	if fi, err := os.Stat(statedb); err == nil && fi.IsDir() {
		if err := copyTree(statedb, filepath.Join(releaseDir, "statedb")); err != nil {
			return fmt.Errorf("ccaas release: %w", err)
		}
	}
	return nil
}

// Main runs one builder stage and returns the process exit code. The stage is the base name of args[0]
// (detect, build or release, for a binary installed under those names) or else args[1]; the remaining
// arguments are the directories the peer passes. Messages go to stderr, which the peer copies to its log.
func Main(args []string, stderr io.Writer) int {
	stage, rest := "", []string(nil)
	if len(args) > 0 {
		stage, rest = filepath.Base(args[0]), args[1:]
	}
	if !isStage(stage) && len(rest) > 0 {
		stage, rest = rest[0], rest[1:]
	}
	var err error
	switch stage {
	case "detect":
		if err = wantArgs("detect", rest, "CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR"); err == nil {
			err = Detect(rest[1])
		}
	case "build":
		if err = wantArgs("build", rest, "CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR BUILD_OUTPUT_DIR"); err == nil {
			err = Build(rest[0], rest[2], os.Getenv(TemplateEnv))
		}
	case "release":
		if err = wantArgs("release", rest, "BUILD_OUTPUT_DIR RELEASE_OUTPUT_DIR"); err == nil {
			err = Release(rest[0], rest[1])
		}
	default:
		fmt.Fprintf(stderr, "usage: ccbuilder detect|build|release DIR... (or install the binary as bin/detect, bin/build, bin/release); got %q\n", stage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func isStage(s string) bool { return s == "detect" || s == "build" || s == "release" }

func wantArgs(stage string, got []string, usage string) error {
	if n := len(strings.Fields(usage)); len(got) != n {
		return fmt.Errorf("ccaas %s: want %d arguments (%s), got %d", stage, n, usage, len(got))
	}
	return nil
}

func render(raw []byte, templateJSON string) ([]byte, error) {
	if templateJSON == "" {
		return raw, nil
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(templateJSON), &data); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %w", TemplateEnv, err)
	}
	tmpl, err := template.New("connection.json").Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("connection.json is not a valid template: %w", err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, data); err != nil {
		return nil, fmt.Errorf("render connection.json with %s: %w", TemplateEnv, err)
	}
	return out.Bytes(), nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
