#!/usr/bin/env bash
# Installs Debian's C cross compiler that scripts/build-image-binary.sh needs to build warden
# (cgo) for GOARCH on this machine, if it is missing. Used by the Dockerfile's build stage and
# by scripts/deps.sh, so both install the same packages.
#
#   scripts/install-cross-cc.sh GOARCH
set -euo pipefail

arch=${1:?usage: install-cross-cc.sh GOARCH}
host=$(dpkg --print-architecture)
if [[ "$arch" == "$host" ]]; then
  command -v gcc >/dev/null && exit 0
  pkgs=(gcc libc6-dev)
else
  case "$arch" in
    amd64) pkgs=(gcc-x86-64-linux-gnu libc6-dev-amd64-cross); cc=x86_64-linux-gnu-gcc ;;
    arm64) pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross); cc=aarch64-linux-gnu-gcc ;;
    *) echo "install-cross-cc: no cross compiler known for GOARCH $arch" >&2; exit 2 ;;
  esac
  command -v "$cc" >/dev/null && exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-cross-cc: missing ${pkgs[*]} — run: sudo apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
echo "install-cross-cc: installing ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
