#!/usr/bin/env bash
# Builds every contract under plugins/ (each folder holding a main package, except plugins/sdk) to
# bin/plugins/<name>.wasm, where <name> is the folder's path below plugins/ with "/" turned into "-".
# A module is rebuilt only when its key changes: a sha256 of the Go version, the build flags, go.mod, go.sum
# and every source file of the main module's packages it imports (so an SDK change rebuilds every contract).
#
#   hack/build-plugins.sh            build what is out of date
#   hack/build-plugins.sh -f         rebuild everything
#   hack/build-plugins.sh example    only plugins/example (names as above)
#
# The flags match plugins/sdk/sdktest.BuildFlags, so a contract's bytes (and sha256) are the same either way.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out_dir=bin/plugins
flags=(-buildmode=c-shared -trimpath -buildvcs=false)
force=0
if [[ "${1:-}" == "-f" ]]; then force=1; shift; fi
export GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0

# Every main package below plugins/, as paths relative to plugins/ (plugins/sdk holds the SDK, its test
# harness and its test guests, never a deployable contract).
mapfile -t pkgs < <(go list -f '{{if eq .Name "main"}}{{.Dir}}{{end}}' ./plugins/... \
  | sed "s|^$root/plugins/||" | grep -v -E '^sdk(/|$)' | sort)
if [[ $# -gt 0 ]]; then
  wanted=()
  for name in "$@"; do
    found=""
    for p in "${pkgs[@]}"; do [[ "${p//\//-}" == "$name" ]] && found=$p; done
    [[ -n "$found" ]] || { echo "build-plugins: no contract named $name under plugins/ (have: ${pkgs[*]//\//-})" >&2; exit 2; }
    wanted+=("$found")
  done
  pkgs=("${wanted[@]}")
fi
if [[ ${#pkgs[@]} -eq 0 ]]; then echo "build-plugins: no contract main packages under plugins/"; exit 0; fi

# key prints the cache key of the package in plugins/$1.
key() {
  {
    go env GOVERSION
    echo "${flags[*]}"
    go list -deps -f '{{if and .Module .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}' "./plugins/$1" | grep . | sort | while read -r f; do
      printf '%s ' "${f#"$root"/}"; sha256sum <"$f"
    done
    sha256sum go.mod go.sum
  } | sha256sum | cut -d' ' -f1
}

mkdir -p "$out_dir"
n=${#pkgs[@]} i=0 built=0 failed=()
for p in "${pkgs[@]}"; do
  i=$((i + 1))
  name=${p//\//-}
  wasm=$out_dir/$name.wasm stamp=$out_dir/.$name.key
  k=$(key "$p")
  if [[ $force -eq 0 && -f "$wasm" && -f "$stamp" && "$(cat "$stamp")" == "$k" ]]; then
    echo "[$i/$n] $name: up to date ($wasm)"
    continue
  fi
  echo -n "[$i/$n] $name: building... "
  start=$(date +%s%N)
  if go build "${flags[@]}" -o "$wasm.tmp" "./plugins/$p" 2>"$out_dir/.$name.err"; then
    mv "$wasm.tmp" "$wasm"
    echo "$k" >"$stamp"
    rm -f "$out_dir/.$name.err"
    built=$((built + 1))
    ms=$((($(date +%s%N) - start) / 1000000))
    printf 'ok, %s bytes, %d.%03ds\n' "$(stat -c %s "$wasm")" $((ms / 1000)) $((ms % 1000))
  else
    rm -f "$wasm.tmp" "$stamp"
    echo "FAILED"
    sed 's/^/    /' "$out_dir/.$name.err" >&2
    failed+=("$name")
  fi
done
echo "build-plugins: $n contracts, $built built, $((n - built - ${#failed[@]})) up to date, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]] || { echo "build-plugins: failed: ${failed[*]}" >&2; exit 1; }
