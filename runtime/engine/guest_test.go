package engine_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
)

// The Go test guest (testdata/guest) is built once per source hash into the user cache dir, so repeated test
// runs skip the ~20 s wasip1 build.
var (
	guestOnce sync.Once
	guestWasm []byte
	guestErr  error
)

// guest returns the compiled test guest, building it when its sources changed.
func guest(tb testing.TB) []byte {
	tb.Helper()
	guestOnce.Do(func() { guestWasm, guestErr = buildGuest() })
	if guestErr != nil {
		tb.Fatalf("build test guest: %v", guestErr)
	}
	return guestWasm
}

func buildGuest() ([]byte, error) {
	h := sha256.New()
	h.Write([]byte(runtime.Version()))
	for _, pattern := range []string{"testdata/guest/*.go", "../abi/*.go", "../../go.mod"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			h.Write([]byte(f))
			h.Write(b)
		}
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "medledger", "engine-testguest")
	out := filepath.Join(dir, hex.EncodeToString(h.Sum(nil))[:24]+".wasm")
	if b, err := os.ReadFile(out); err == nil {
		return b, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp := out + ".tmp"
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", tmp, "./testdata/guest")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, &buildError{msg: string(msg), err: err}
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

type buildError struct {
	msg string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.msg }
