#!/usr/bin/env bash
# Smoke-tests a warden binary built by scripts/build-image-binary.sh for this machine:
#   - it needs nothing newer than the image's glibc (distroless base-nossl-debian12: 2.36) and
#     no shared library but glibc's own;
#   - `serve` answers /healthz and /readyz on the admin port;
#   - `check` denies a DROP that only PostgreSQL's parser (libpg_query, the cgo part) reads:
#     the rule must be destructive-sql, not unparsable-sql (what a broken parser would give);
#   - `redact` replaces a secret and keeps the line structure.
#
# The library checks run for any architecture; the run-time checks run the binary natively, or
# for another architecture under qemu-user with Debian's cross glibc (qemu-user-static and
# libc6-<arch>-cross, installed by `scripts/install-cross-cc.sh GOARCH --run`).
#
#   scripts/image-smoke.sh GOARCH BINARY
set -euo pipefail

arch=${1:?usage: image-smoke.sh GOARCH BINARY}
bin=$(realpath "${2:?usage: image-smoke.sh GOARCH BINARY}")
max_glibc=2.36
work=$(mktemp -d)
serve_pid=""
cleanup() {
  if [[ -n "$serve_pid" ]]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "image-smoke: FAIL: $*" >&2; exit 1; }

# 1. Architecture, shared libraries and glibc symbol versions (readelf reads any architecture).
case "$arch" in amd64) want_elf="X86-64" ;; arm64) want_elf="AArch64" ;; *) fail "unknown GOARCH $arch" ;; esac
machine=$(readelf -h "$bin" | awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}')
[[ "$machine" == *"$want_elf"* ]] || fail "$bin is not a linux/$arch binary (ELF machine: $machine)"
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
for lib in $needed; do
  case "$lib" in
    libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2|libresolv.so.2|ld-linux-*) ;;
    *) fail "binary needs $lib, which gcr.io/distroless/base-nossl-debian12 does not ship" ;;
  esac
done
newest=$(readelf -V "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
[[ -n "$newest" ]] || fail "no glibc symbol versions: is this the cgo build?"
if [[ $(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -1) != "$max_glibc" ]]; then
  fail "binary needs GLIBC_$newest, the image's glibc is $max_glibc"
fi
echo "image-smoke: ok: linux/$arch, needs only $needed(newest glibc symbol: $newest ≤ $max_glibc)"
run=("$bin")
if [[ "$arch" != "$(dpkg --print-architecture)" ]]; then
  case "$arch" in amd64) qarch=x86_64 ;; arm64) qarch=aarch64 ;; esac
  command -v "qemu-$qarch-static" >/dev/null ||
    fail "linux/$arch cannot run here without qemu-$qarch-static: run scripts/install-cross-cc.sh $arch --run"
  run=("qemu-$qarch-static" -L "/usr/$qarch-linux-gnu" "$bin")
  echo "image-smoke: running linux/$arch under qemu-$qarch-static"
fi

# 2. serve: /healthz and /readyz on the admin port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc_port=$(free_port)
admin_port=$(free_port)
(cd "$work" && exec "${run[@]}" serve --listen "127.0.0.1:$grpc_port" --admin "127.0.0.1:$admin_port" >"$work/serve.log" 2>&1) &
serve_pid=$!
ready=""
for _ in $(seq 1 600); do # up to 60 s: the loaded CI machine may be slow to start it
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    cat "$work/serve.log" >&2
    fail "serve exited before answering /healthz"
  fi
  if curl -fsS -o /dev/null "http://127.0.0.1:$admin_port/healthz" 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
[[ -n "$ready" ]] || { cat "$work/serve.log" >&2; fail "serve did not answer /healthz within 60 s"; }
curl -fsS -o /dev/null "http://127.0.0.1:$admin_port/readyz" || fail "/readyz did not answer 200 while /healthz did"
echo "image-smoke: ok: serve answers /healthz and /readyz"
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited non-zero on SIGTERM (log: $(cat "$work/serve.log"))"
serve_pid=""

# 3. check: DROP SCHEMA is beyond warden's pure-Go fast path (it reads DROP TABLE only), so the
# statement reaches libpg_query; a broken parser would give a parse error instead.
printf '%s\n' '{"request": {"method": "POST", "url": "https://db-gateway.internal/v1/query", "headers": {"content-type": "application/json"}, "body": "{\"sql\": \"DROP SCHEMA billing CASCADE\"}"}}' \
  | "${run[@]}" check >"$work/check.out" || fail "check exited non-zero: $(cat "$work/check.out")"
python3 - "$work/check.out" <<'PY' || fail "check did not deny DROP SCHEMA as destructive: $(cat "$work/check.out")"
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[0])
ok = d.get("action") == "deny" and d.get("rule") == "destructive-sql"
print("image-smoke: check said", json.dumps(d), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
echo "image-smoke: ok: check denies DROP SCHEMA through PostgreSQL's parser"

# 4. redact: a secret (an AWS access key id, found by its own rule, not by a "token:" keyword)
# is replaced; the line count is kept.
secret=AKIAZ7Q3K2M4N6P5R2T4
printf 'the key %s is in use\nsecond line\n' "$secret" | "${run[@]}" redact >"$work/redact.out" || fail "redact exited non-zero"
grep -q "$secret" "$work/redact.out" && fail "redact let the secret through: $(cat "$work/redact.out")"
grep -q '^the key \[REDACTED:aws-access-token\] is in use$' "$work/redact.out" ||
  fail "redact did not replace the key with its rule's marker: $(cat "$work/redact.out")"
[[ $(wc -l <"$work/redact.out") -eq 2 ]] || fail "redact changed the line count: $(cat "$work/redact.out")"
grep -q '^second line$' "$work/redact.out" || fail "redact damaged the text around the secret"
echo "image-smoke: ok: redact replaces the secret and keeps the lines"
