#!/usr/bin/env bash
# build-tools.sh builds, from source through the Go module proxy, the real components that medledger's tests and
# devnet run: Hyperledger Fabric, kube-apiserver + etcd (envtest), and the developer tools.
#
#   hack/build-tools.sh [fabric|k8s|dev|all]
#
# Each group is built once per version into a cache outside the work tree (MEDLEDGER_TOOLS_CACHE, default
# ~/.cache/medledger/tools), keyed by the group's tools module (go.mod + go.sum), the Go version and this script's
# build recipe, then copied into bin/<group>/. A second run finds the stamp and does nothing; a version bump (a new
# go.mod) builds a new cache entry. A fresh clone on a machine that built before only copies.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${MEDLEDGER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medledger/tools}
recipe=1 # bump when a build recipe below changes

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# group_key DIR prints the cache key of the tools module in hack/tools/DIR.
group_key() {
	cat "$root/hack/tools/$1/go.mod" "$root/hack/tools/$1/go.sum" <(go env GOVERSION) <(echo "recipe=$recipe $2") |
		sha256sum | cut -c1-16
}

# build_group NAME LABEL DEST MODDIR LDFLAGS PKG... builds each PKG of the tools module MODDIR into the cache and
# installs the binaries into bin/DEST.
build_group() {
	local name=$1 label=$2 dest=$3 moddir=$4 ldflags=$5
	shift 5
	local key entry stamp
	key=$(group_key "$moddir" "$ldflags $*")
	entry="$cache/$name-$key"
	stamp="$root/bin/$dest/.stamp-$name"
	if [[ -f $stamp && $(cat "$stamp") == "$key" ]]; then
		say "$label: up to date (bin/$dest)"
		return
	fi
	if [[ ! -f $entry/.complete ]]; then
		local tmp="$entry.tmp.$$" i=0 n=$# start=$SECONDS
		rm -rf "$tmp" && mkdir -p "$tmp"
		for pkg in "$@"; do
			i=$((i + 1))
			local t0=$SECONDS bin
			bin=$(basename "$pkg")
			[[ $bin == v3 ]] && bin=etcd # go.etcd.io/etcd/server/v3 builds the etcd server
			say "building $label $bin ($i/$n)…"
			(cd "$root/hack/tools/$moddir" && go build -trimpath -ldflags "$ldflags" -o "$tmp/$bin" "$pkg")
			say "  built $bin in $((SECONDS - t0))s"
		done
		touch "$tmp/.complete"
		rm -rf "$entry" && mv "$tmp" "$entry"
		say "$label: built in $((SECONDS - start))s (cached in $entry)"
	else
		say "$label: found in cache $entry"
	fi
	mkdir -p "$root/bin/$dest"
	for f in "$entry"/*; do cp -f "$f" "$root/bin/$dest/"; done
	echo "$key" >"$stamp"
}

fabric() {
	local meta=github.com/hyperledger/fabric/common/metadata
	build_group fabric "Fabric v3.1.1" fabric fabric \
		"-X $meta.Version=3.1.1 -X $meta.CommitSHA=435a7f1 -X $meta.BaseDockerLabel=org.hyperledger.fabric" \
		github.com/hyperledger/fabric/cmd/peer github.com/hyperledger/fabric/cmd/orderer \
		github.com/hyperledger/fabric/cmd/osnadmin github.com/hyperledger/fabric/cmd/configtxgen
}

k8s() {
	build_group kube-apiserver "kube-apiserver v1.34.4" k8s kube-apiserver \
		"-X k8s.io/component-base/version.gitVersion=v1.34.4 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34" \
		k8s.io/kubernetes/cmd/kube-apiserver
	build_group etcd "etcd v3.6.6" k8s etcd "" go.etcd.io/etcd/server/v3
}

dev() {
	build_group controller-gen "controller-gen v0.23.0" tools controller-gen "" sigs.k8s.io/controller-tools/cmd/controller-gen
	build_group benchstat "benchstat" tools benchstat "" golang.org/x/perf/cmd/benchstat
	build_group golangci-lint "golangci-lint v2.6.2" tools golangci-lint "" github.com/golangci/golangci-lint/v2/cmd/golangci-lint
}

case ${1:-all} in
fabric) fabric ;;
k8s) k8s ;;
dev) dev ;;
all) fabric && k8s && dev ;;
*)
	echo "usage: $0 [fabric|k8s|dev|all]" >&2
	exit 2
	;;
esac
