#!/usr/bin/env bash
# vault.sh prints the path of a cached HashiCorp Vault server binary for tests,
# building it first when it is missing. See tools/vault/README.md.
#
#   bash scripts/vault.sh            # -> /var/cache/warden-tools/vault-1.21.4/vault
#   bash scripts/vault.sh --cached   # print the path only if already built, else exit 3
#
# Environment:
#   WARDEN_TOOLS_CACHE   cache root (default /var/cache/warden-tools)
#   WARDEN_VAULT_BUILD_P package build parallelism, go build -p (default 1)
#   WARDEN_VAULT_NICE    niceness of the build (default 10)
#
# Only the binary path goes to stdout; progress goes to stderr. Safe to run
# concurrently (a lock file serialises builds) and repeatedly (a cached,
# working binary is reused without touching the network).
set -euo pipefail

VAULT_VERSION=1.21.4
SDK_VERSION=0.21.0

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_dir=$repo_root/tools/vault
cache_root=${WARDEN_TOOLS_CACHE:-/var/cache/warden-tools}
dir=$cache_root/vault-$VAULT_VERSION
bin=$dir/vault
parallel=${WARDEN_VAULT_BUILD_P:-1}
niceness=${WARDEN_VAULT_NICE:-10}

log() { echo "vault.sh: $*" >&2; }

usable() { [[ -x $bin ]] && "$bin" version >/dev/null 2>&1; }

if usable; then
	echo "$bin"
	exit 0
fi
if [[ ${1:-} == --cached ]]; then
	log "no cached vault at $bin; run: bash scripts/vault.sh"
	exit 3
fi

mkdir -p "$dir"
# Children get 9>&- so that a killed build's orphans cannot hold the lock.
exec 9>"$dir/.lock"
log "waiting for build lock $dir/.lock"
flock 9
if usable; then # another run built it while we waited
	echo "$bin"
	exit 0
fi

for tool in go patch; do
	command -v "$tool" >/dev/null || { log "$tool not found in PATH; install it and rerun"; exit 1; }
done

work=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -p=$parallel"

# 1. The published sdk v0.21.0 lags vault v1.21.4's in-tree sdk (which is not
#    part of the vault module zip). Copy it out of the module cache and patch
#    it; nothing of it is kept in the repository.
log "downloading github.com/hashicorp/vault/sdk@v$SDK_VERSION"
sdk_dir=$(cd "$tools_dir" && go mod download -json "github.com/hashicorp/vault/sdk@v$SDK_VERSION" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
[[ -d $sdk_dir ]] || { log "could not locate the downloaded sdk module (got '$sdk_dir')"; exit 1; }
cp -R "$sdk_dir" "$work/sdk"
chmod -R u+w "$work/sdk"
log "applying tools/vault/sdk.patch"
patch -s -p1 -d "$work/sdk" <"$tools_dir/sdk.patch"

# 2. A build module: the pinned go.mod plus a replace pointing at the patch.
mkdir "$work/build"
cp "$tools_dir/go.mod" "$work/build/go.mod"
[[ -f $tools_dir/go.sum ]] && cp "$tools_dir/go.sum" "$work/build/go.sum"
(cd "$work/build" && go mod edit -replace "github.com/hashicorp/vault/sdk=../sdk")

# 3. Resolve and download every package vault needs (several GB on a cold
#    module cache), then build.
log "downloading vault v$VAULT_VERSION and its dependencies (cold cache: ~4 min, ~6 GB)"
t0=$(date +%s)
(cd "$work/build" && go list -mod=mod -deps github.com/hashicorp/vault >"$work/packages.txt" 9>&-)
log "resolved $(wc -l <"$work/packages.txt") packages in $(($(date +%s) - t0))s"
start=$(date +%s)
log "building vault (go build -p=$parallel, nice -n $niceness; cold: ~15 min on 2 cores); log: $dir/build.log"
set +e
(cd "$work/build" && nice -n "$niceness" go build -mod=mod -trimpath -ldflags '-s -w' -v \
	-o "$work/vault" github.com/hashicorp/vault 2>&1 9>&-) |
	tee "$dir/build.log" |
	awk '{ n++; if (n % 250 == 0) printf "vault.sh: %d packages compiled\n", n > "/dev/stderr" }'
rc=${PIPESTATUS[0]}
set -e
if [[ $rc -ne 0 ]]; then
	tail -n 40 "$dir/build.log" >&2
	log "build failed (exit $rc); full log in $dir/build.log"
	exit 1
fi
log "built in $(($(date +%s) - start))s: $("$work/vault" version)"

mv -f "$work/vault" "$bin"
echo "$bin"
