#!/usr/bin/env bash
# Runs the Playwright browser tests against a freshly migrated and seeded
# database, with `caremgr serve` serving the built SPA (Playwright starts and
# stops the server; see tests/e2e/playwright.config.ts).
#
#   DB_SERVER_URL  postgres://user@host:port of a server we may create databases on
#   CAREMGR_BIN    the caremgr binary (default target/debug/caremgr)
#   E2E_PORT       port for the server under test (default 8097)
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DB_SERVER_URL:?set DB_SERVER_URL, e.g. postgres://postgres@127.0.0.1:5432}"
export CAREMGR_BIN="${CAREMGR_BIN:-$PWD/target/debug/caremgr}"
export E2E_PORT="${E2E_PORT:-8097}"
export STATIC_DIR="${STATIC_DIR:-$PWD/web/dist}"
db="${E2E_DB:-caremgr_e2e}"
# One run at a time: a second run would empty Playwright's output directory under the first.
exec 9>"${TMPDIR:-/tmp}/caremgr-e2e-$(id -u).lock"
flock 9

psql -q "$DB_SERVER_URL/postgres" -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export E2E_DATABASE_URL="$DB_SERVER_URL/$db"
DATABASE_URL="$E2E_DATABASE_URL" "$CAREMGR_BIN" seed-demo >/dev/null

cd tests/e2e
npx playwright test "$@"
