# Care Manager — the only commands a user needs:
#   make run    install what is missing, build, migrate, load demo data, serve on :8080
#   make test   install what is missing, then every check CI runs
# Every step is idempotent and installs only from package registries
# (crates.io, npm, Debian); nothing is downloaded from GitHub.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# `cargo install` puts wasm-bindgen in $CARGO_HOME/bin, which is ~/.cargo/bin
# unless CARGO_HOME says otherwise.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(HOME)/.cargo/bin:$(CURDIR)/web/node_modules/.bin:$(PATH)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)
WASM_SPLIT_VERSION := $(shell sed -n '/^name = "wasm_split_helpers"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)
BIND_ADDR ?= 127.0.0.1:8080
NPROC := $(shell nproc 2>/dev/null || echo 2)

.PHONY: help run test bench openapi setup system-packages rust-tools web-tools e2e-tools \
        wasm-target wasm-bindgen-cli wasm-split-cli web-wasm web-release lint \
        unit-and-scenario-tests e2e clean-pg

help:
	@echo "make run      build and serve Care Manager with demo data on http://$(BIND_ADDR)"
	@echo "make test     fmt, clippy, wasm check, unit + HTTP scenario tests, OpenAPI drift, browser tests"
	@echo "make openapi  regenerate openapi/openapi.json from the code"
	@echo "make bench    measure the API against the machine's own Postgres limit (pgbench)"

## ---------------------------------------------------------------- setup

# Debian packages: libpq for diesel, the Postgres client (and server, when no
# server is reachable — scripts/ensure-postgres.sh), Node.js for the wasm
# optimizer and Playwright, brotli and gzip to precompress the SPA, Chromium
# for the browser tests and the Postgres server binaries for the restart test
# (test only: WITH_BROWSER, WITH_PG_SERVER).
system-packages:
	@missing=""; \
	[ -e /usr/include/postgresql/libpq-fe.h ] || missing="$$missing libpq-dev"; \
	command -v psql >/dev/null || missing="$$missing postgresql-client"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	command -v brotli >/dev/null || missing="$$missing brotli"; \
	command -v gzip >/dev/null || missing="$$missing gzip"; \
	if [ -n "$(WITH_BROWSER)" ]; then command -v chromium >/dev/null || missing="$$missing chromium"; fi; \
	if [ -n "$(WITH_PG_SERVER)" ]; then ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(APT) update -qq && $(APT) install -y -qq $$missing; \
	fi

# The wasm32 target, then the two CLIs the SPA's build runs after cargo.
# Separate targets, so that `make -j` (make run) installs the CLIs while
# cargo compiles the wasm, which needs only the target.
rust-tools: wasm-target wasm-bindgen-cli wasm-split-cli

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock; its own lockfile
# wants a crate version the registry lacks, so it installs without --locked.
wasm-bindgen-cli:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "wasm-bindgen not found in Cargo.lock"; exit 1; }
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

# wasm-split-cli cuts the lazily loaded screens out of the wasm; it must read
# the split points of the wasm_split_helpers in Cargo.lock, so same version.
wasm-split-cli:
	@test -n "$(WASM_SPLIT_VERSION)" || { echo "wasm_split_helpers not found in Cargo.lock"; exit 1; }
	@cargo install --list | grep -qx "wasm_split_cli_support v$(WASM_SPLIT_VERSION):" || \
	  cargo install wasm_split_cli_support --version $(WASM_SPLIT_VERSION) --features build-binary --locked

# wasm-opt from npm (binaryen 132): Debian's binaryen 108 silently breaks the wasm.
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web-tools: system-packages rust-tools web/node_modules/.package-lock.json

tests/e2e/node_modules/.package-lock.json: tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund
	@touch $@

e2e-tools: tests/e2e/node_modules/.package-lock.json
	@$(MAKE) system-packages WITH_BROWSER=1

setup: web-tools

## ---------------------------------------------------------------- build

# The release SPA, in trunk's steps without trunk (compiling it took 11 of a
# fresh machine's 26 minutes): the wasm in the Cargo profile `wasm-release`,
# linked with its relocations so that wasm-split can cut the screens loaded on
# first visit out of it (web/src/lazy_routes.rs), wasm-bindgen's JS glue for
# the main wasm, wasm-opt -Oz on every wasm, then web/bundle.mjs names every
# asset by its content hash and writes index.html (preloads with integrity,
# and the inline module script whose hash the server puts in its CSP). Beside each
# text or wasm file go its brotli (.br) and gzip (.gz) copies, which the
# server sends to browsers that accept them (api/src/spa.rs); the bundler
# replaces web/dist whole, so no stale copy outlives its original.
WEB_WASM := $(TARGET_DIR)/wasm32-unknown-unknown/wasm-release/web.wasm
WEB_SPLIT := $(TARGET_DIR)/web-split
WEB_BINDGEN := $(TARGET_DIR)/web-bindgen
# What rustc's wasm32-unknown-unknown target enables by default; the split
# chunks carry no target-features section for wasm-opt to read them from.
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue

# --emit-relocs lets wasm-split see every reference; --no-merge-data-segments
# keeps each constant its own data segment, so it goes to the one module that
# uses it: merged into one .rodata segment, the constants of every split had to
# fit its old length again, and when alignment padding made that a few bytes
# longer wasm-split put all of it in the main wasm (+108 kB brotli).
web-wasm: wasm-target
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Clink-args=--emit-relocs -Clink-args=--no-merge-data-segments" \
	  cargo build -p web --target wasm32-unknown-unknown --profile wasm-release

web-release: web-wasm web-tools
	@rm -rf $(WEB_SPLIT) $(WEB_BINDGEN)
	wasm-split-cli --target web --out-name web $(WEB_WASM) $(WEB_SPLIT)
	wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir $(WEB_BINDGEN) --out-name web $(WEB_SPLIT)/web.wasm
	@cp $(WEB_SPLIT)/*.wasm $(WEB_SPLIT)/__wasm_split.js $(WEB_BINDGEN)/ && rm $(WEB_BINDGEN)/web.wasm
	@# One wasm-opt per file, as many at once as there are cores.
	find $(WEB_BINDGEN) -name '*.wasm' -print0 | xargs -0 -P $(NPROC) -I{} \
	  sh -c 'wasm-opt -Oz $(WASM_FEATURES) --output "$$1.opt" "$$1" && mv "$$1.opt" "$$1"' _ {}
	node web/bundle.mjs $(WEB_BINDGEN) web/dist
	@find web/dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \
	  -o -name '*.svg' -o -name '*.json' \) -print0 | \
	  xargs -0 -P $(NPROC) -I{} sh -c 'gzip -9 -n -k -f -- "$$1" && brotli -q 11 -k -f -- "$$1"' _ {}
	@echo "web/dist: precompressed $$(find web/dist -name '*.br' | wc -l) files (.br and .gz)"

## ---------------------------------------------------------------- run

# Serves API + SPA with demo data. DATABASE_URL wins when set; otherwise the
# local server or a private cluster under target/pg (scripts/ensure-postgres.sh).
#
# The API is a development build (Cargo's dev profile: what `cargo run`
# builds, and what `make test` builds and tests), so a first run does not
# compile every crate a second time with optimizations: the release build
# alone took 8 min 48 s of a cold first run on two cores. Deployments and
# `make bench` build `--release`; `make run API_PROFILE=release` serves one.
# The API builds beside the SPA's tools and wasm: installing the CLIs, and
# the wasm's last step (LTO into one codegen unit), have long stretches on
# one core, and the two use different target directories, so cargo runs
# them at once (bench/RESULTS.md).
API_PROFILE ?= dev
API_BIN := $(TARGET_DIR)/$(if $(filter dev,$(API_PROFILE)),debug,$(API_PROFILE))/caremgr

run: system-packages
	@cargo build --profile $(API_PROFILE) -p api & api=$$!; \
	$(MAKE) -j$(NPROC) web-release || { kill $$api 2>/dev/null; wait $$api; exit 1; }; \
	wait $$api
	@server="$$(scripts/ensure-postgres.sh)"; \
	db_url="$${DATABASE_URL:-$$server/caremgr}"; \
	scripts/ensure-database.sh "$$db_url"; \
	mkdir -p target; \
	[ -s target/.jwt-secret ] || head -c 48 /dev/urandom | base64 -w0 > target/.jwt-secret; \
	DATABASE_URL="$$db_url" $(API_BIN) seed-demo; \
	echo; \
	echo "Care Manager is starting on http://$(BIND_ADDR)"; \
	echo "Local demo logins (password: demo-password-1) — demo credentials, for this machine only:"; \
	echo "  admin@riverside.example  supervisor@riverside.example  cm1@riverside.example (cm2, cm3)"; \
	echo "  viewer@riverside.example  admin@lakeside.example"; \
	echo "API docs: http://$(BIND_ADDR)/api/docs/   (Ctrl-C stops the server)"; \
	echo; \
	exec env DATABASE_URL="$$db_url" JWT_SECRET="$$(cat target/.jwt-secret)" \
	  STATIC_DIR=web/dist BIND_ADDR=$(BIND_ADDR) RUST_LOG=$${RUST_LOG:-info} \
	  $(API_BIN) serve

## ---------------------------------------------------------------- test

lint: wasm-target system-packages
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	@# shared must stay free of I/O crates: it is compiled to wasm for the SPA.
	cargo check -p shared --target wasm32-unknown-unknown
	cargo clippy -p web --target wasm32-unknown-unknown -- -D warnings

# Unit tests, HTTP scenarios against real Postgres (a fresh database per
# test), CLI tests and the OpenAPI drift check (api/tests/openapi.rs). The
# restart test (tests/tests/scenarios/restarts.rs) stops and starts a private
# cluster of its own, so it needs the server binaries (initdb, pg_ctl) even
# where a server is already running.
unit-and-scenario-tests: system-packages
	@$(MAKE) -s system-packages WITH_PG_SERVER=1
	@server="$$(scripts/ensure-postgres.sh)"; \
	TEST_DATABASE_URL="$$server/postgres" cargo test --workspace

# Browser tests: Playwright drives Debian's Chromium against the real server
# serving the release SPA, on a freshly seeded database.
e2e: web-release e2e-tools
	cargo build -p api
	@server="$$(scripts/ensure-postgres.sh)"; \
	DB_SERVER_URL="$$server" CAREMGR_BIN=$(TARGET_DIR)/debug/caremgr scripts/e2e.sh

# Property-based API tests: schemathesis (pinned, in a virtualenv under
# target/, from PyPI) checks the served OpenAPI document against the server on
# a freshly seeded database: every status, header, body and limit, valid and
# invalid requests. Any failure or warning fails (scripts/schemathesis.sh).
.PHONY: schemathesis
schemathesis: system-packages
	cargo build -p api
	@server="$$(scripts/ensure-postgres.sh)"; \
	DB_SERVER_URL="$$server" CAREMGR_BIN=$(TARGET_DIR)/debug/caremgr scripts/schemathesis.sh

test: lint unit-and-scenario-tests e2e schemathesis
	@echo "make test: all checks passed"

openapi:
	cargo run -q -p api --bin caremgr -- openapi > openapi/openapi.json
	@echo "openapi/openapi.json regenerated"

## ---------------------------------------------------------------- bench

# Throughput and query plans measured against this machine's own Postgres
# limit (pgbench), never asserted by timed tests; see bench/RESULTS.md.
bench: system-packages
	@command -v wrk >/dev/null || { $(APT) update -qq && $(APT) install -y -qq wrk; }
	cargo build --release -p api
	@server="$$(scripts/ensure-postgres.sh)"; \
	DB_SERVER_URL="$$server" CAREMGR_BIN=$(TARGET_DIR)/release/caremgr scripts/bench.sh

## ---------------------------------------------------------------- misc

clean-pg:
	@if [ -f target/pg/data/postmaster.pid ]; then \
	  runas=(); [ "$$(id -u)" = 0 ] && runas=(runuser -u postgres --); \
	  "$${runas[@]}" "$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/pg_ctl" -D target/pg/data stop; \
	fi
	rm -rf target/pg
