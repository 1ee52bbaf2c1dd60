#!/usr/bin/env bash
# `make bench`: measures the worklist against this machine's own limits.
#   1. pgbench select-only on the same Postgres: the ceiling for one-query requests;
#   2. the bench caseload (bench/load.sql: 200 patients of one care manager,
#      5,000 open tasks in the organization) and EXPLAIN ANALYZE of the
#      worklist's queries (bench/explain.sql);
#   3. wrk against the release server: /api/health (no database),
#      GET /patients/{id} (one indexed read + audit write), and the worklist;
#      then pgbench running exactly the statements GET /patients/{id} sends
#      (bench/patient_read.sql, a read alone; bench/patient_read_batch8.sql,
#      eight the batcher found together), the ceiling of its own SQL;
#   4. the patient list's name search on 1,000,000 patients (bench/search.sql);
#   5. the worklist's page query with those patients, 1,000 care managers and
#      5,000,000 tasks in one organization (bench/worklist_scale.sql);
#   6. the patient search through the API on those 1,000,000 patients: every
#      kind of search (common family names, short prefixes, given names, two
#      words either way round, "family, given", identifiers, none found, a
#      deep page, one care manager's patients), p50/p95/p99 each
#      (bench/percentiles.lua);
#   7. the provider directory's searches through the API on 5,000 providers
#      (bench/providers.sql), as a care manager filters and ranks them;
#   8. a mixed CRUD workload (bench/mixed.lua: create, read, update and
#      search on patients, tasks and encounters), reported per core.
# Results go to target/bench/ (raw) and are summarized on stdout; copy the
# numbers into bench/RESULTS.md when they move.
#
#   DB_SERVER_URL  postgres://user@host:port (scripts/ensure-postgres.sh)
#   CAREMGR_BIN    release binary
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DB_SERVER_URL:?}" "${CAREMGR_BIN:?}"
out=target/bench
mkdir -p "$out"
port="${BENCH_PORT:-8098}"
duration="${BENCH_SECONDS:-15}"
conns="${BENCH_CONNECTIONS:-16}"
threads=$(nproc)
search_seconds="${BENCH_SEARCH_SECONDS:-5}"
search_conns="${BENCH_SEARCH_CONNECTIONS:-4}"
# Brings the database to the state a live one keeps before a step measures:
# VACUUM (ANALYZE) does what autovacuum would have done after a bulk load
# (visibility maps, hint bits, GIN pending lists merged; some Postgres
# installs run with autovacuum off, and then nothing ever does), and
# CHECKPOINT writes the load's pages out. Without it, the checkpoint the
# load's WAL triggers (one every few seconds while steps 4-5 load, then a
# spread one lasting minutes) runs under the measurement, and every
# request's audit commit waits on its I/O. CHECKPOINT takes a superuser or
# pg_checkpoint; without it the step runs anyway, and says so.
settle() {
  psql -q -c "VACUUM (ANALYZE)" "$1"
  psql -q -c CHECKPOINT "$1" 2>/dev/null || echo "(no CHECKPOINT: a checkpoint may run under this step)"
}

echo "== machine: $(nproc) cores, $(psql -Atc 'select version()' "$DB_SERVER_URL/postgres" | cut -d' ' -f1-2)"

echo "== 1. pgbench select-only (the database's own limit)"
psql -q "$DB_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS caremgr_pgbench WITH (FORCE)" -c "CREATE DATABASE caremgr_pgbench"
pgbench -q -i -s 10 "$DB_SERVER_URL/caremgr_pgbench" >/dev/null 2>&1
pgbench -S -n -c "$conns" -j "$threads" -T "$duration" "$DB_SERVER_URL/caremgr_pgbench" | tee "$out/pgbench.txt" | grep -E "^(tps|latency average)"

echo "== 2. bench caseload and EXPLAIN ANALYZE of the worklist queries"
db="$DB_SERVER_URL/caremgr_bench"
psql -q "$DB_SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS caremgr_bench WITH (FORCE)" -c "CREATE DATABASE caremgr_bench"
DATABASE_URL="$db" "$CAREMGR_BIN" seed-demo >/dev/null
psql -q "$db" -f bench/load.sql
psql -Atc "select count(*) filter (where status in ('open','in_progress')) || ' open tasks in the organization, ' ||
                  count(*) filter (where status in ('open','in_progress') and assignee_id = (select id from users where email='cm1@riverside.example')) || ' of them cm1''s'
             from tasks" "$db"
psql -q "$db" -f bench/explain.sql > "$out/explain.txt"
grep -E "^==|Execution Time" "$out/explain.txt"

echo "== 3. HTTP (wrk, $conns connections, ${duration}s each)"
settle "$db"
DATABASE_URL="$db" BIND_ADDR="127.0.0.1:$port" JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
  RUST_LOG=warn "$CAREMGR_BIN" serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/api/ready" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/api/ready" >/dev/null || { echo "server did not start:"; cat "$out/server.log"; exit 1; }
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"cm1@riverside.example","password":"demo-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
patient=$(psql -Atc "select id from patients where family_name = 'Caseload0001'" "$db")
run() {
  local name=$1 path=$2
  wrk -t "$threads" -c "$conns" -d "${duration}s" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port$path" > "$out/wrk-$name.txt"
  printf '%-28s %10s req/s   p50 %8s   p99 %8s\n' "$name" \
    "$(awk '/Requests\/sec/ {print $2}' "$out/wrk-$name.txt")" \
    "$(awk '$1 == "50%" {print $2}' "$out/wrk-$name.txt")" \
    "$(awk '$1 == "99%" {print $2}' "$out/wrk-$name.txt")"
}
run health /api/health
run patient "/api/v1/patients/$patient"
run worklist-page-50 "/api/v1/worklist?limit=50"
kill $server 2>/dev/null || true

echo "== 3b. pgbench running exactly the statements of GET /patients/{id} (bench/patient_read.sql)"
read -r user org <<<"$(psql -AtF' ' -c "select id, organization_id from users where email = 'cm1@riverside.example'" "$db")"
sid=$(psql -Atc "select id from sign_ins where user_id = '$user' order by started_at desc limit 1" "$db")
pgbench -n -M prepared -c "$conns" -j "$threads" -T "$duration" -f bench/patient_read.sql \
  -D sid="$sid" -D user="$user" -D org="$org" -D patient="$patient" "$db" \
  | tee "$out/pgbench-patient-read.txt" | grep -E "^(tps|latency average)"
echo "   the same for eight reads the batcher found waiting together (bench/patient_read_batch8.sql; reads/s = tps x 8)"
pgbench -n -M prepared -c "$conns" -j "$threads" -T "$duration" -f bench/patient_read_batch8.sql \
  -D sid="$sid" -D user="$user" -D org="$org" -D patient="$patient" "$db" \
  | tee "$out/pgbench-patient-read-batch8.txt" | grep -E "^(tps|latency average)"

echo "== 4. name search on 1,000,000 patients (EXPLAIN ANALYZE)"
psql -q "$db" -f bench/search.sql > "$out/search.txt"
grep -E "^==|Execution Time" "$out/search.txt"

echo "== 5. worklist page at 1,000,000 patients and 5,000,000 tasks (EXPLAIN ANALYZE)"
psql -q "$db" -f bench/worklist_scale.sql > "$out/worklist-scale.txt"
grep -E "^==|Execution Time|^ *[0-9]+$" "$out/worklist-scale.txt"
settle "$db"
echo "== 6. patient search through the API, 1,000,000 patients (wrk, $search_conns connections, ${search_seconds}s each)"
DATABASE_URL="$db" BIND_ADDR="127.0.0.1:$port" JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
  RUST_LOG=warn "$CAREMGR_BIN" serve >"$out/server-search.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/api/ready" >/dev/null && break; sleep 0.1; done
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@lakeside.example","password":"demo-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
cm=$(psql -Atc "select id from users where email = 'scale-cm7@lakeside.example'" "$db")
deep=$(curl -fs "http://127.0.0.1:$port/api/v1/patients?q=smith&limit=100" -H "Authorization: Bearer $token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
for i in 1 2 3 4 5 6 7 8 9; do
  deep=$(curl -fs "http://127.0.0.1:$port/api/v1/patients?q=smith&limit=100&cursor=$deep" -H "Authorization: Bearer $token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
done
search() {
  local name=$1 query=$2
  printf '%-34s ' "$name"
  wrk -t 1 -c "$search_conns" -d "${search_seconds}s" -s bench/percentiles.lua -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/$query" | tee "$out/wrk-search-$name.txt" | tail -1
}
search family-common "patients?q=smith"
search family-common-2 "patients?q=okafor"
search prefix-1-letter "patients?q=s"
search prefix-2-letters "patients?q=sm"
search family-rare "patients?q=corason"
search given-only "patients?q=maria"
search given-family "patients?q=maria%20smith"
search family-given "patients?q=smith%20maria"
search family-comma-given "patients?q=smith,%20ma"
search two-words-rare "patients?q=linh%20smithson"
search identifier "patients?q=LK0500000"
search none-found "patients?q=zzzz"
search page-11-of-smith "patients?q=smith&limit=100&cursor=$deep"
search care-manager-smith "patients?q=smith&care_manager_id=$cm"
search care-manager-all "patients?care_manager_id=$cm"

echo "== 7. provider directory through the API, 5,000 providers (wrk, $search_conns connections, ${search_seconds}s each)"
psql -q "$db" -f bench/providers.sql | tail -3
settle "$db"
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"cm1@riverside.example","password":"demo-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
search providers-all "providers"
search providers-service "providers?service=outpatient_therapy"
search providers-name "providers?q=harbor%20counseling"
search providers-name-one-letter "providers?q=h"
search providers-specialty "providers?specialty=trauma"
search providers-specialty-common "providers?specialty=adults"
search providers-language-medicaid "providers?language=es&payer=medicaid&accepting=true"
search providers-for-patient "providers?service=psychiatry&near_patient_id=$patient"
search providers-within-25mi "providers?service=outpatient_therapy&near_patient_id=$patient&within_miles=25"

echo "== 8. mixed CRUD workload (bench/mixed.lua, $conns connections, ${duration}s)"
TOKEN="$token" wrk -t "$conns" -c "$conns" -d "${duration}s" -s bench/mixed.lua "http://127.0.0.1:$port" \
  | tee "$out/wrk-mixed.txt" | tail -1
awk -v cores="$(nproc)" '/^requests/ {printf "per core (%d cores, client and Postgres on the same cores): %.0f req/s\n", cores, $4 / cores}' "$out/wrk-mixed.txt"
kill $server 2>/dev/null || true
echo "raw output in $out/"
