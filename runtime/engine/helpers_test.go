package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/medledger/medledger/runtime/engine"
)

// testCacheDir is a disk compilation cache shared by test runs, so only the first run compiles the guest.
func testCacheDir(tb testing.TB) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "medledger", "engine-test-wazero")
}

// newEngine returns an engine with cfg plus the shared test disk cache, closed at the end of the test.
func newEngine(tb testing.TB, cfg engine.Config) *engine.Engine {
	tb.Helper()
	if cfg.CacheDir() == "" {
		cfg = cfg.WithCacheDir(testCacheDir(tb))
	}
	e, err := engine.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close(context.Background()) })
	return e
}
