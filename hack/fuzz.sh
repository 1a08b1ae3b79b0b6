#!/usr/bin/env bash
# fuzz.sh runs every Go fuzz target in the module for a bounded time each (default 10s), one after another.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
budget=${1:-10s}
found=0
while IFS= read -r file; do
	pkg=./$(dirname "$file")
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
		found=$((found + 1))
		echo "fuzz: $pkg $target for $budget"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" "$pkg"
	done
done < <(grep -rl --include='*_test.go' -E '^func Fuzz' operator runtime plugins 2>/dev/null | sort)
echo "fuzz: $found target(s) ran"
