#!/usr/bin/env bash
# Installs what warden's tests need on a bare Debian machine, and nothing that is already there:
# Debian packages (kcat, docker-compose for checking the compose file, PostgreSQL for the Vault
# database engine tests, chromium for rendering the audit report headless), Go modules, and the Vault dev server binary (built once from the Go
# module proxy and cached outside the repository, keyed by version: see tools/vault/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v kcat >/dev/null || need+=(kcat)
command -v docker-compose >/dev/null || need+=(docker-compose)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing Debian packages: ${need[*]} — run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

go mod download

if [[ -f scripts/vault.sh ]]; then
  vault_bin=$(bash scripts/vault.sh)
  echo "deps: vault at $vault_bin" >&2
fi
