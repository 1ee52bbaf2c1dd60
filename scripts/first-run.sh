#!/usr/bin/env bash
# Times a newcomer's first `make run`: a clean clone of this checkout's HEAD,
# an empty cargo home and npm cache, until `/api/ready` answers; then stops
# the server. For bench/RESULTS.md; it takes as long as it measures.
#
#   DB_SERVER_URL  postgres://user@host:port to create the database on
#                  (default postgres://postgres@127.0.0.1:5432)
#   WORK           where the clone, cargo home and npm cache go
#                  (default /tmp/caremgr-first-run; emptied first)
#   PORT           the port to serve on (default 8181)
#
# A wasm-bindgen already on PATH (in ~/.cargo/bin) is found and not built:
# move it aside first to count its install.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
server="${DB_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
work="${WORK:-/tmp/caremgr-first-run}"
port="${PORT:-8181}"
db=caremgr_first_run

rm -rf "$work"
mkdir -p "$work"
git clone -q "$repo" "$work/clone"
psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
start=$(date +%s)
(
  cd "$work/clone"
  exec setsid env CARGO_HOME="$work/cargo" npm_config_cache="$work/npm" \
    DATABASE_URL="$server/$db" BIND_ADDR="127.0.0.1:$port" make run
) > "$work/make-run.log" 2>&1 &
make_pid=$!
until curl -sf "http://127.0.0.1:$port/api/ready" > /dev/null; do
  if ! kill -0 "$make_pid" 2>/dev/null; then
    echo "make run stopped before serving; see $work/make-run.log" >&2
    exit 1
  fi
  sleep 2
done
echo "first make run: serving after $(( $(date +%s) - start )) s (log: $work/make-run.log)"
grep -E "Finished|Installed package" "$work/make-run.log" || true
kill -- "-$make_pid" 2>/dev/null || true
