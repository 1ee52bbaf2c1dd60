#!/usr/bin/env bash
# A/B of two release binaries on this machine: they take turns serving one
# bench database (the demo seed, bench/load.sql, bench/providers.sql), and
# each turn runs the same wrk loads, so a change is read off pairs measured
# minutes apart instead of runs on different days (bench/RESULTS.md says
# why: this machine's own limit moves by a factor of four).
#
#   OLD, NEW        the two release binaries (same migrations, or see below)
#   OLD_SQL, NEW_SQL  when the change is a migration: a file psql runs
#                   before each turn of that side (the migration's down.sql
#                   and up.sql), so both sides serve their own schema
#   DB_SERVER_URL   postgres://user@host:port (default: the local server)
#   ROUNDS=3 D=10   turns per binary, seconds per load
#   FRESH=1         rebuild the bench database first (0 reuses it)
#   DIR=0 MIXED=1   also the directory's nine searches / the mixed workload
#   READS=1         the patient read and the worklist pages (0 skips them)
#   LIMITS="50"     the worklist's page sizes, each its own load
set -uo pipefail
cd "$(dirname "$0")/.."
: "${OLD:?release binary before the change}" "${NEW:?release binary after it}"
S=${DB_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
db=$S/caremgr_ab
ROUNDS=${ROUNDS:-3}
D=${D:-10}
port=${BENCH_PORT:-8097}
out=target/bench-ab
mkdir -p "$out"
if [ "${FRESH:-1}" = 1 ]; then
  psql -q "$S/postgres" -c "DROP DATABASE IF EXISTS caremgr_ab WITH (FORCE)" -c "CREATE DATABASE caremgr_ab"
  DATABASE_URL=$db "$OLD" seed-demo >/dev/null
  psql -q "$db" -f bench/load.sql >/dev/null
  psql -q "$db" -f bench/providers.sql >/dev/null
  # What autovacuum would do next (scripts/bench.sh, settle).
  psql -q "$db" -c "VACUUM (ANALYZE)"
fi
psql -q "$S/postgres" -c "DROP DATABASE IF EXISTS caremgr_pgbench WITH (FORCE)" -c "CREATE DATABASE caremgr_pgbench"
pgbench -q -i -s 10 "$S/caremgr_pgbench" >/dev/null 2>&1
ceiling() { pgbench -S -n -c 16 -j "$(nproc)" -T "$D" "$S/caremgr_pgbench" | awk '/^tps/ {print "pgbench -S", $3, "tps"}'; }
ceiling
patient=$(psql -Atc "select id from patients where family_name = 'Caseload0001'" "$db")
secret=$(head -c 48 /dev/urandom | base64 -w0)
for r in $(seq 1 "$ROUNDS"); do
  for which in old new; do
    bin=$OLD sql=${OLD_SQL:-}
    [ "$which" = new ] && bin=$NEW sql=${NEW_SQL:-}
    [ -n "$sql" ] && psql -q "$db" -f "$sql"
    DATABASE_URL=$db BIND_ADDR=127.0.0.1:$port JWT_SECRET="$secret" RUST_LOG=warn "$bin" serve >"$out/server-$which.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/api/ready" >/dev/null && break; sleep 0.1; done
    token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"email":"cm1@riverside.example","password":"demo-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    load() {
      wrk -t 2 -c 16 -d "${D}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$2" >"$out/$which-$1-$r.txt"
      printf '%s round %s %-10s %8s req/s   p50 %s\n' "$which" "$r" "$1" \
        "$(awk '/Requests\/sec/ {print $2}' "$out/$which-$1-$r.txt")" "$(awk '$1 == "50%" {print $2}' "$out/$which-$1-$r.txt")"
    }
    if [ "${READS:-1}" = 1 ]; then
      load patient "/api/v1/patients/$patient"
      for limit in ${LIMITS:-50}; do
        load "worklist-$limit" "/api/v1/worklist?limit=$limit"
      done
    fi
    if [ "${DIR:-0}" = 1 ]; then
      for q in "providers" "providers?service=outpatient_therapy" "providers?q=harbor%20counseling" \
               "providers?q=h" "providers?specialty=trauma" "providers?specialty=adults" \
               "providers?language=es&payer=medicaid&accepting=true" "providers?service=psychiatry&near_patient_id=$patient" \
               "providers?service=outpatient_therapy&near_patient_id=$patient&within_miles=25"; do
        printf '%s round %s %-60s ' "$which" "$r" "${q/$patient/…}"
        wrk -t 1 -c 4 -d 5s -s bench/percentiles.lua -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/$q" | tail -1
      done
    fi
    if [ "${MIXED:-1}" = 1 ]; then
      printf '%s round %s mixed      ' "$which" "$r"
      TOKEN="$token" wrk -t 16 -c 16 -d "${D}s" -s bench/mixed.lua "http://127.0.0.1:$port" | tail -1
    fi
    kill "$pid"
    wait "$pid" 2>/dev/null
  done
done
ceiling
