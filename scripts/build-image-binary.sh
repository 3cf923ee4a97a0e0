#!/usr/bin/env bash
# Builds the warden binary exactly as the container image does. The Dockerfile runs this script,
# and `make image-binaries` (part of `make test`) runs it for linux/amd64 and linux/arm64, so the
# image's build command and the one CI checks cannot drift apart.
#
#   scripts/build-image-binary.sh GOARCH OUTPUT
#
# warden is built with cgo: inspect/sqlparse links libpg_query, PostgreSQL's own parser, through
# github.com/pganalyze/pg_query_go (docs/deployment.md, "Why cgo", has the numbers against the
# pure-Go wasm build). The binary therefore needs glibc at run time; the image's final stage is
# gcr.io/distroless/base-nossl-debian12 (glibc 2.36), and the build runs on Debian 12 so that the
# binary asks for no newer glibc than that (scripts/image-smoke.sh checks it).
#
# A target architecture other than the build machine's needs Debian's cross compiler
# (gcc-aarch64-linux-gnu for arm64 on amd64, gcc-x86-64-linux-gnu for amd64 on arm64);
# scripts/deps.sh installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

arch=${1:?usage: build-image-binary.sh GOARCH OUTPUT}
out=${2:?usage: build-image-binary.sh GOARCH OUTPUT}
GO=${GO:-go}

case "$arch" in
  amd64) triplet=x86_64-linux-gnu ;;
  arm64) triplet=aarch64-linux-gnu ;;
  *) echo "build-image-binary: GOARCH $arch is not built (amd64 and arm64 are)" >&2; exit 2 ;;
esac
cc=gcc
if [[ "$arch" != "$($GO env GOHOSTARCH)" ]]; then
  cc=$triplet-gcc
fi
if ! command -v "$cc" >/dev/null; then
  echo "build-image-binary: C compiler $cc for linux/$arch is missing: run scripts/deps.sh (Debian package gcc-${triplet%%-linux-gnu}-linux-gnu)" >&2
  exit 1
fi

# -trimpath: no build machine paths in the binary. -s -w: no symbol table or DWARF.
# netgo/osusergo: DNS and user lookups in Go, so the binary needs nothing from glibc but libc
# itself (no NSS modules, which distroless does not ship).
CGO_ENABLED=1 GOOS=linux GOARCH="$arch" CC="$cc" \
  "$GO" build -trimpath -tags netgo,osusergo -ldflags="-s -w" -o "$out" ./cmd/warden
