# Fluxion — developer and ops entry points. Everything builds in the release profile:
# the bundled DuckDB is a ~25-minute C++ build and we keep a single copy of it.

CARGO_TARGET_DIR ?= $(HOME)/.cache/fluxion-target
export CARGO_TARGET_DIR
CARGO ?= cargo
SCALE ?= small
PORT ?= 8080
BIN := $(CARGO_TARGET_DIR)/release/fluxion

.PHONY: build demo test test-deps lint test-fast bench bench-screens bench-distribution bench-etl bench-import bench-wizard new-tenant check-config clean-demo
.PHONY: deploy rollback status logs backup-now build-static

build:
	$(CARGO) build --release --locked

## make demo [SCALE=tiny|small|client] [PORT=8080]: build, generate a demo chain, serve it.
demo: build
	$(BIN) demo --scale $(SCALE) --port $(PORT) --data-dir fluxion-demo-$(SCALE)

## make test: installs what the tests need (.ci/deps: chromium, openssh-server, …), then every
## test (unit, integration, real DuckDB/SQLite files, headless Chromium).
test: test-deps
	$(CARGO) test --release --locked --no-fail-fast

test-deps:
	@bash .ci/deps

## make lint: formatting (rustfmt.toml) and clippy with warnings as errors, as CI runs them before the tests.
lint: test-deps
	$(CARGO) fmt --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

## make test-fast: unit tests of the library only.
test-fast:
	$(CARGO) test --release --locked --lib

## make bench: benchmarks (criterion) of the user-facing queries at scale.
bench:
	$(CARGO) bench --locked

## make bench-screens: the sales, inventory and product screens over HTTP at client scale.
bench-screens:
	$(CARGO) bench --locked --bench screens

## make bench-distribution: the multi-store batch (calculation and save) over HTTP at client scale.
bench-distribution:
	$(CARGO) bench --locked --bench distribution

## make bench-import: `fluxion import` of a 4.4 M-line ventas.csv (20 stores, 180 days) into a fresh tenant.
bench-import:
	$(CARGO) test --release --locked --test loads_at_scale -- --ignored --nocapture bench_import_csv

## make bench-wizard: the order wizard at client scale in headless Chromium (first paint, filter change).
bench-wizard:
	$(CARGO) test --release --locked --test browser_bench -- --ignored --nocapture

## make bench-etl: ETL throughput (decoded lines and KLK JSON into DuckDB, over HTTP).
bench-etl:
	$(CARGO) test --release --locked --test etl_bench -- --ignored --nocapture --test-threads 1

## make new-tenant TENANT=<name>: copy the template into tenants/<name>/ with a fresh JWT secret.
new-tenant:
	@test -n "$(TENANT)" || { echo "usage: make new-tenant TENANT=<name>"; exit 2; }
	@deploy/new-tenant.sh "$(TENANT)"

## make check-config TENANT=<name>
check-config: build
	$(BIN) config check tenants/$(TENANT)/tenant.toml

clean-demo:
	rm -rf fluxion-demo-tiny fluxion-demo-small fluxion-demo-client

# ── Per-tenant operations (deploy/README.md). Everything tenant-specific comes from
# tenants/$(TENANT)/ (tenant.toml, secrets.toml, branding/, deploy.toml).
# DEPLOY_BIN empty = build and ship the static binary; DRY_RUN=1 prints every step only.
DEPLOY_BIN ?=
DEPLOY := BIN="$(DEPLOY_BIN)" DRY_RUN="$(DRY_RUN)" deploy/deploy.sh

## make build-static: the truly static binary `make deploy` ships (own target folder, ~25 min cold).
build-static:
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --locked --target x86_64-unknown-linux-gnu

## make deploy TENANT=<name> [VERSION=…] [DEPLOY_BIN=…] [DRY_RUN=1]: ship, switch, health check, rollback on failure.
deploy:
	@test -n "$(TENANT)" || { echo "usage: make deploy TENANT=<name>"; exit 64; }
	@$(DEPLOY) deploy "$(TENANT)"

## make rollback TENANT=<name> [RESTORE=<backup-id>]: back to the previous release.
rollback:
	@test -n "$(TENANT)" || { echo "usage: make rollback TENANT=<name>"; exit 64; }
	@RESTORE="$(RESTORE)" $(DEPLOY) rollback "$(TENANT)"

## make status|logs|backup-now TENANT=<name>
status logs backup-now:
	@test -n "$(TENANT)" || { echo "usage: make $@ TENANT=<name>"; exit 64; }
	@$(DEPLOY) $@ "$(TENANT)"
