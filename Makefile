# warden — run `make help` for the targets.
SHELL := /bin/bash
GO ?= go
PKGS := ./...
# The race detector slows tests down ~5x; e2e and load tests run without it (they are bounded by
# count, not time, and assert behaviour, not speed).
TEST_FLAGS ?= -race -count=1 -timeout 20m
BENCH ?= .
BENCHTIME ?= 1s

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
# run and dev exec the built binary instead of `go run`: on Ctrl-C warden stops cleanly and exits
# 0, but `go run` exits 1 when interrupted, which make reported as "*** [run] Error 1".
run: build ## run warden on embedded defaults (ext_proc on 127.0.0.1:9002, admin on 127.0.0.1:9901)
	exec bin/warden serve

.PHONY: dev
dev: build ## run warden plus a local Envoy-faithful gateway on 127.0.0.1:8080 (routes: deploy/dev-routes.yaml)
	exec bin/warden dev --routes deploy/dev-routes.yaml

.PHONY: build
build: ## build bin/warden
	$(GO) build -trimpath -o bin/warden ./cmd/warden

.PHONY: deps
deps: ## install what the tests need (Debian packages, Go modules, the cached Vault binary)
	bash scripts/deps.sh

.PHONY: test
test: deps ## everything CI runs: unit tests with -race, then the end-to-end tests
	$(GO) vet ./...
	$(GO) test $(TEST_FLAGS) $$($(GO) list ./... | grep -v /test/e2e)
	cd wasm && $(GO) test -count=1 -timeout 15m ./...
	$(MAKE) --no-print-directory image-binaries
	cd bench/redact && $(GO) test -count=1 -timeout 10m ./...
	$(MAKE) --no-print-directory e2e-only

.PHONY: unit
unit: ## unit tests only, with -race
	$(GO) test $(TEST_FLAGS) $$($(GO) list ./... | grep -v /test/e2e)
	cd bench/redact && $(GO) test -count=1 -timeout 10m ./...

.PHONY: e2e
e2e: deps e2e-only ## end-to-end tests: emulated Envoy, kfake Kafka, real Vault and PostgreSQL, kcat

.PHONY: e2e-only
e2e-only:
	$(GO) test -count=1 -timeout 30m ./test/e2e/...

.PHONY: bench
bench: ## benchmarks (numbers go to docs/benchmarks.md by hand, with the command)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem ./...

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 30s)
	bash scripts/fuzz.sh $${FUZZTIME:-30s}

.PHONY: lint
lint: ## golangci-lint v2 (pinned in tools/lint/go.mod)
	$(GO) tool -modfile=tools/lint/go.mod golangci-lint run ./...
	cd wasm && $(GO) tool -modfile=../tools/lint/go.mod golangci-lint run ./...

.PHONY: wasm
wasm: ## build the proxy-wasm filter (wasm/, its own go.mod)
	cd wasm && GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o ../bin/warden.wasm .

.PHONY: image-binaries
image-binaries: ## build warden as the Dockerfile does (linux/amd64, linux/arm64) and smoke-test it
	bash scripts/install-cross-cc.sh amd64 --run
	bash scripts/install-cross-cc.sh arm64 --run
	GO=$(GO) bash scripts/build-image-binary.sh amd64 bin/image/warden-linux-amd64
	GO=$(GO) bash scripts/build-image-binary.sh arm64 bin/image/warden-linux-arm64
	bash scripts/image-smoke.sh amd64 bin/image/warden-linux-amd64
	bash scripts/image-smoke.sh arm64 bin/image/warden-linux-arm64
