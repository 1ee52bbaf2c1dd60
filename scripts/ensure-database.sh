#!/usr/bin/env bash
# Creates the database named in the URL $1 when it does not exist yet.
set -euo pipefail
url="$1"
server="${url%/*}"
name="${url##*/}"; name="${name%%\?*}"
exists="$(psql "$server/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$name'")"
if [ "$exists" != "1" ]; then
  psql "$server/postgres" -qc "CREATE DATABASE \"$name\"" >/dev/null
  echo "created database $name" >&2
fi
