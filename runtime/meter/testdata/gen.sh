#!/bin/sh
# Regenerates the test binaries from their WebAssembly text (go generate ./runtime/meter).
# Needs wabt's wat2wasm. The modules in invalid/ are invalid on purpose, hence --no-check.
set -e
cd "$(dirname "$0")"
for f in *.wat; do wat2wasm "$f" -o "${f%.wat}.wasm"; done
cd invalid
for f in *.wat; do wat2wasm --no-check "$f" -o "${f%.wat}.wasm"; done
