#!/bin/sh
# Regenerates every hostile/validation test module from its .wat source (wabt's wat2wasm).
set -e
cd "$(dirname "$0")"
for f in *.wat; do
	wat2wasm --enable-threads "$f" -o "${f%.wat}.wasm"
done
