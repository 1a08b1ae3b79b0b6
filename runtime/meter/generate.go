package meter

// The test modules are WebAssembly text; their binaries are committed next to them.
// Regenerate with `go generate ./runtime/meter` (needs wabt's wat2wasm);
// TestTestdata_UpToDate checks they match.
//go:generate sh testdata/gen.sh
