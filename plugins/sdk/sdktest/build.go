package sdktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
)

// BuildFlags are the go build flags of every contract module sdktest builds; hack/build-plugins.sh uses the
// same. -trimpath and -buildvcs=false make the module bytes (and so its sha256) independent of the checkout.
var BuildFlags = []string{"-buildmode=c-shared", "-trimpath", "-buildvcs=false"}

// CacheDirEnv names the environment variable that overrides the build cache directory.
const CacheDirEnv = "MEDLEDGER_SDKTEST_CACHE"

// Build compiles the contract main package in dir (relative to the test's working directory, so "." is the
// package under test) to a GOOS=wasip1 GOARCH=wasm c-shared module and returns its bytes. Results are cached
// by a hash of the Go version, the build flags, go.mod, go.sum and the source files of every package of the
// main module the contract imports (the SDK included), so a rerun with unchanged sources costs one `go list`; within one test binary each dir is built or looked up
// once.
// The cache is $MEDLEDGER_SDKTEST_CACHE, else <user cache dir>/medledger/sdktest; modules unused for a week are
// pruned when a new one is built, and the directory may be deleted at any time.
//
// # Errors
//
// Build fails the test (t.Fatal) when dir is not a main package, does not compile for wasip1, or the cache
// cannot be written.
func Build(t testing.TB, dir string) []byte {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("sdktest.Build(%q): %v", dir, err)
	}
	builtMu.Lock()
	defer builtMu.Unlock()
	if wasm, ok := built[abs]; ok {
		return wasm
	}
	path, err := buildCached(abs)
	if err != nil {
		t.Fatalf("sdktest.Build(%q): %v", dir, err)
	}
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("sdktest.Build(%q): %v", dir, err)
	}
	built[abs] = wasm
	return wasm
}

// built remembers each package's module for the rest of the test binary: sources do not change under a
// running test, and the `go list` behind the cache key costs a few hundred milliseconds.
var (
	builtMu sync.Mutex
	built   = map[string][]byte{}
)

// buildCached returns the path of the cached module for the package in dir, building it if needed.
// Other processes building the same module are kept safe by the atomic rename.
func buildCached(dir string) (string, error) {
	key, err := sourceKey(dir)
	if err != nil {
		return "", err
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	out := filepath.Join(cache, key+".wasm")
	if _, err := os.Stat(out); err == nil {
		// Mark it used, so pruning keeps it.
		now := time.Now()
		_ = os.Chtimes(out, now, now)
		return out, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("build cache: %w", err)
	}
	tmp, err := os.CreateTemp(cache, key+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("build cache: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := append([]string{"build", "-o", tmp.Name()}, BuildFlags...)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = wasmEnv()
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("GOOS=wasip1 GOARCH=wasm go %v: %w\n%s", cmd.Args[1:], err, msg)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", fmt.Errorf("build cache: %w", err)
	}
	prune(cache, time.Now().Add(-cacheMaxAge))
	return out, nil
}

// cacheMaxAge is how long a module nobody built or used stays in the cache. Every source edit adds a module
// of a few MB, so old ones must go.
const cacheMaxAge = 7 * 24 * time.Hour

// prune deletes the cached modules last used before cutoff; errors only leave files behind.
func prune(cache string, cutoff time.Time) {
	old, _ := filepath.Glob(filepath.Join(cache, "*.wasm"))
	for _, f := range old {
		if st, err := os.Stat(f); err == nil && st.ModTime().Before(cutoff) {
			_ = os.Remove(f)
		}
	}
}

func cacheDir() (string, error) {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no build cache directory (set %s): %w", CacheDirEnv, err)
	}
	return filepath.Join(d, "medledger", "sdktest"), nil
}

func wasmEnv() []string {
	return append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
}

// listedPackage is the part of `go list -json` output the cache key needs.
type listedPackage struct {
	Dir        string
	ImportPath string
	Name       string
	Standard   bool
	Module     *struct {
		Main  bool
		Dir   string
		GoMod string
	}
	GoFiles    []string
	EmbedFiles []string
	Error      *struct{ Err string }
}

// sourceKey hashes everything a wasip1 build of the package in dir depends on that can change without the Go
// version changing: the main module's go.mod and go.sum and the files of each of its packages in the import
// graph. Other modules are pinned by go.sum, the standard library by the Go version.
func sourceKey(dir string) (string, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=Dir,ImportPath,Name,Standard,Module,GoFiles,EmbedFiles,Error", ".")
	cmd.Dir = dir
	cmd.Env = wasmEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -deps in %s: %w\n%s", dir, err, stderr.Bytes())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("go list output: %w", err)
		}
		if p.Error != nil {
			return "", fmt.Errorf("package %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	// go list -deps prints the named package last.
	if len(pkgs) == 0 || pkgs[len(pkgs)-1].Name != "main" {
		name := "nothing"
		if len(pkgs) > 0 {
			name = "package " + pkgs[len(pkgs)-1].Name
		}
		return "", fmt.Errorf("%s holds %s, not a contract main package", dir, name)
	}
	goVersion, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOVERSION: %w", err)
	}

	h := sha256.New()
	fmt.Fprintf(h, "sdktest build v1\n%s%q\n", goVersion, BuildFlags)
	var files []string
	var modDir string
	for _, p := range pkgs {
		if p.Standard || p.Module == nil || !p.Module.Main {
			continue
		}
		modDir = p.Module.Dir
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			files = append(files, filepath.Join(p.Dir, f))
		}
	}
	sort.Strings(files)
	files = append(files, filepath.Join(modDir, "go.mod"), filepath.Join(modDir, "go.sum"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		noSum := errors.Is(err, os.ErrNotExist) && filepath.Base(f) == "go.sum" // a module without dependencies
		if err != nil && !noSum {
			return "", fmt.Errorf("hashing sources: %w", err)
		}
		rel, _ := filepath.Rel(modDir, f)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
