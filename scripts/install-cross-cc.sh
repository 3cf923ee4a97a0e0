#!/usr/bin/env bash
# Installs Debian's C cross compiler that scripts/build-image-binary.sh needs to build warden
# (cgo) for GOARCH on this machine, if it is missing. Used by the Dockerfile's build stage and
# by scripts/deps.sh, so both install the same packages.
#
# With --run (make image-binaries, not the Dockerfile) it also installs qemu-user-static, so
# that scripts/image-smoke.sh can run the foreign binary.
#
#   scripts/install-cross-cc.sh GOARCH [--run]
set -euo pipefail

arch=${1:?usage: install-cross-cc.sh GOARCH [--run]}
want_run=${2:-}
host=$(dpkg --print-architecture)
pkgs=()
if [[ "$arch" == "$host" ]]; then
  command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
else
  case "$arch" in
    amd64) cc=x86_64-linux-gnu-gcc; qemu=qemu-x86_64-static; cross=(gcc-x86-64-linux-gnu libc6-dev-amd64-cross) ;;
    arm64) cc=aarch64-linux-gnu-gcc; qemu=qemu-aarch64-static; cross=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross) ;;
    *) echo "install-cross-cc: no cross compiler known for GOARCH $arch" >&2; exit 2 ;;
  esac
  command -v "$cc" >/dev/null || pkgs+=("${cross[@]}")
  if [[ "$want_run" == --run ]]; then
    command -v "$qemu" >/dev/null || pkgs+=(qemu-user-static)
  fi
fi
((${#pkgs[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "install-cross-cc: missing ${pkgs[*]} — run: sudo apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
echo "install-cross-cc: installing ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
