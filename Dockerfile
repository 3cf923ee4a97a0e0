# syntax=docker/dockerfile:1
# warden: one static binary on distroless, running as an unprivileged user.
#   docker build -t warden .
#   docker run --rm -p 9002:9002 -p 9901:9901 warden

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that editing code does not re-download modules.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/warden ./cmd/warden \
 && mkdir -p /out/var/lib/warden

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/warden /usr/local/bin/warden
# The audit spool: owned by the nonroot user so that a named volume mounted here inherits it.
COPY --from=build --chown=65532:65532 /out/var/lib/warden /var/lib/warden
USER 65532:65532
# 9002: ext_proc gRPC (Envoy connects here); 9901: admin HTTP (/healthz, /readyz, /metrics).
EXPOSE 9002 9901
ENTRYPOINT ["/usr/local/bin/warden"]
CMD ["serve", "--listen", "0.0.0.0:9002", "--admin", "0.0.0.0:9901"]
