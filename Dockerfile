# syntax=docker/dockerfile:1
# warden: one binary on distroless (glibc), running as an unprivileged user.
#   docker build -t warden .
#   docker buildx build --platform linux/amd64,linux/arm64 -t warden .
#   docker run --rm -p 9002:9002 -p 9901:9901 -v $PWD/warden.yaml:/etc/warden/warden.yaml:ro \
#     -v $PWD/tls:/etc/warden/tls:ro warden
# The default command reads /etc/warden/warden.yaml: warden refuses plaintext on a non-loopback
# address unless the file says so (insecure_plaintext), so a container started without a
# configuration stops with an error instead of serving unauthenticated callers. See
# deploy/warden.yaml and docs/deployment.md.
#
# warden links PostgreSQL's parser (libpg_query) with cgo, so the binary needs glibc: it is built
# on Debian 12 (bookworm, glibc 2.36) and runs on distroless base-nossl-debian12 (the same glibc,
# no OpenSSL: warden's TLS is Go's). The build stage runs on the build machine's architecture and
# cross-compiles with Debian's cross gcc for the target one (no emulation).
# The build command is scripts/build-image-binary.sh, which `make test` also runs for amd64 and
# arm64 and smoke-tests (scripts/image-smoke.sh): edit it there, not here.

FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETARCH
WORKDIR /src
COPY scripts/install-cross-cc.sh scripts/
RUN scripts/install-cross-cc.sh "$TARGETARCH"
# Dependencies first, so that editing code does not re-download modules.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    scripts/build-image-binary.sh "$TARGETARCH" /out/warden \
 && mkdir -p /out/var/lib/warden

FROM gcr.io/distroless/base-nossl-debian12:nonroot
COPY --from=build /out/warden /usr/local/bin/warden
# The audit spool: owned by the nonroot user so that a named volume mounted here inherits it.
COPY --from=build --chown=65532:65532 /out/var/lib/warden /var/lib/warden
USER 65532:65532
# 9002: ext_proc gRPC (Envoy connects here); 9901: admin HTTP (/healthz, /readyz, /metrics).
EXPOSE 9002 9901
ENTRYPOINT ["/usr/local/bin/warden"]
CMD ["serve", "--config", "/etc/warden/warden.yaml"]
