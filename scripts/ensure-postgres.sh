#!/usr/bin/env bash
# Prints the URL (without a database name) of a Postgres server we may create
# databases on, starting one if needed:
#   1. the server of $DATABASE_URL, when set;
#   2. the machine's server on 127.0.0.1:5432 (user postgres, trust auth);
#   3. a private throwaway cluster under target/pg (port 55432), created and
#      started here — as the `postgres` user when running as root, since
#      Postgres refuses to run as root.
# CAREMGR_PRIVATE_PG=1 skips straight to 3 (to exercise it on any machine).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "ensure-postgres: $*" >&2; }

can_connect() { psql "$1/postgres" -Atqc 'SELECT 1' >/dev/null 2>&1; }

if [ "${CAREMGR_PRIVATE_PG:-}" = 1 ]; then
  :
elif [ -n "${DATABASE_URL:-}" ]; then
  server="$(printf '%s' "$DATABASE_URL" | sed -E 's#^(postgres(ql)?://[^/]*).*#\1#')"
  if can_connect "$server"; then echo "$server"; exit 0; fi
  log "DATABASE_URL is set but its server ($server) does not answer"; exit 1
fi

if [ "${CAREMGR_PRIVATE_PG:-}" != 1 ] && can_connect "postgres://postgres@127.0.0.1:5432"; then
  echo "postgres://postgres@127.0.0.1:5432"; exit 0
fi

port=55432
dir="$PWD/target/pg"
server="postgres://postgres@127.0.0.1:$port"
if can_connect "$server"; then echo "$server"; exit 0; fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  log "installing PostgreSQL (no server is reachable and none is installed)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
fi

as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  log "creating a private cluster in $dir/data"
  "${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
mkdir -p "$dir/sock"; if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir/sock"; fi
log "starting the private cluster on port $port"
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
  -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1" -w start >&2
echo "$server"
