#!/usr/bin/env bash
# Runs every fuzz target of both modules (the root module and wasm/) for FUZZTIME each.
#   bash scripts/fuzz.sh 10s        # or: make fuzz FUZZTIME=10s
# Targets are discovered with `go test -list`, so a new Fuzz function is picked up without
# editing this file. Go fuzzes one target of one package at a time, so they run one after another.
# New crashers land in the package's testdata/fuzz/<Target>/ and fail the run: commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-30s}

targets=()   # "moduledir|package|Target"
for mod in . wasm; do
  while IFS= read -r pkg; do
    while IFS= read -r name; do
      [[ $name == Fuzz* ]] && targets+=("$mod|$pkg|$name")
    done < <(cd "$mod" && go test -list '^Fuzz' "$pkg" 2>/dev/null | grep -E '^Fuzz' || true)
  done < <(cd "$mod" && go list ./... | grep -v /test/e2e)
done

if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${fuzztime} each" >&2

failed=()
for t in "${targets[@]}"; do
  IFS='|' read -r mod pkg name <<<"$t"
  echo "fuzz: $pkg $name" >&2
  if ! (cd "$mod" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"); then
    failed+=("$pkg $name")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed" >&2
