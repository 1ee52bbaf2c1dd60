#!/usr/bin/env bash
# Property-based API tests: schemathesis generates requests from the served
# OpenAPI document (valid ones and invalid ones) and checks every answer
# against it — status codes, headers, bodies, and that the server accepts
# what the document allows and refuses what it forbids. Any failure, and any
# warning (a document that does not match the server), fails the run.
#
# The server runs on 127.0.0.1 against a fresh, seeded database and is
# stopped on exit; the run signs in as the demo admin (every permission).
#
#   DB_SERVER_URL  postgres://user@host:port of a server we may create databases on
#   CAREMGR_BIN    the caremgr binary (default target/debug/caremgr)
#   ST_PORT        port for the server under test (default 8098)
#   ST_DB          database name (default caremgr_schemathesis)
#   ST_VENV        the virtualenv holding schemathesis (default target/venv)
#   ST_SEED        the generation seed (default fixed, for reproducible runs;
#                  `random` explores anew)
#   ST_REPORT      report formats (default junit), written to target/schemathesis
#   ST_CALL_LOG    a file to log every call to, one JSON line each (debugging)
#   Further arguments go to `st run` (e.g. --include-path-regex /tasks).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DB_SERVER_URL:?set DB_SERVER_URL, e.g. postgres://postgres@127.0.0.1:5432}"
CAREMGR_BIN="${CAREMGR_BIN:-$PWD/target/debug/caremgr}"
port="${ST_PORT:-8098}"
db="${ST_DB:-caremgr_schemathesis}"
venv="${ST_VENV:-$PWD/target/venv}"
out="$PWD/target/schemathesis"
base="http://127.0.0.1:$port"

# One run at a time: both would use the same database and port.
exec 9>"${TMPDIR:-/tmp}/caremgr-schemathesis-$(id -u).lock"
flock 9

scripts/schemathesis-venv.sh "$venv" >&2
rm -rf "$out" && mkdir -p "$out"

psql -q "$DB_SERVER_URL/postgres" -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
DATABASE_URL="$DB_SERVER_URL/$db" "$CAREMGR_BIN" seed-demo >/dev/null

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT

# A throwaway signing key for this test server only.
DATABASE_URL="$DB_SERVER_URL/$db" BIND_ADDR="127.0.0.1:$port" \
  JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
  HTTP_WORKERS=2 RUST_LOG="${RUST_LOG:-warn}" \
  "$CAREMGR_BIN" serve >"$out/server.log" 2>&1 &
server_pid=$!

# `call PATH [JSON [KEY]]`: GET (or POST the JSON; `METHOD=PUT call …` to
# put it) as the admin once signed in; prints the answer's KEY (or nothing),
# fails unless it is a 2xx.
call() {
  "$venv/bin/python" - "$base" "$@" <<'PY'
import json, os, sys, urllib.request
base, path = sys.argv[1], sys.argv[2]
body = sys.argv[3].encode() if len(sys.argv) > 3 else None
request = urllib.request.Request(base + path, data=body, method=os.environ.get("METHOD"))
request.add_header("Content-Type", "application/json")
if os.environ.get("TOKEN"):
    request.add_header("Authorization", "Bearer " + os.environ["TOKEN"])
with urllib.request.urlopen(request, timeout=10) as answer:
    if len(sys.argv) > 4:
        print(json.load(answer)[sys.argv[4]])
PY
}

for _ in $(seq 1 120); do
  call /api/ready 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.5
done
call /api/ready

TOKEN="$(call /api/v1/auth/login \
  '{"email":"admin@riverside.example","password":"demo-password-1"}' access_token)"
export TOKEN
token="$TOKEN"

# The records valid requests reach: an active patient of the admin's
# organization, a care manager (never the admin: a run that changed its role
# would lock itself out), and, of that patient, a contact, a care-team
# member, an encounter, a task and a note the admin wrote (only its author
# changes or signs a note) made here, and a seeded appointment and alert;
# and, made here, a provider in the network, a community program, the
# medical-necessity criteria of one service (the documented example), a
# draft referral of the patient to the provider with a barrier on it, and
# an enrollment of the patient in the program.
q() { psql -Atq "$DB_SERVER_URL/$db" -c "$1"; }
org="(SELECT organization_id FROM users WHERE email = 'admin@riverside.example')"
patient="$(q "SELECT id FROM patients WHERE organization_id = $org AND status = 'active' ORDER BY id LIMIT 1")"
user="$(q "SELECT id FROM users WHERE organization_id = $org AND role = 'care_manager' AND active ORDER BY email LIMIT 1")"
# A record of `table`, the patient's when it has one.
one() { q "SELECT id FROM $1 WHERE organization_id = $org
  ORDER BY (patient_id = '$patient') DESC, id LIMIT 1"; }
appointment="$(one appointments)"
alert="$(one alerts)"
# POSTs JSON as the admin; prints the new record's id.
create() { call "$1" "$2" id; }
contact="$(create "/api/v1/patients/$patient/contacts" \
  '{"name":"Rosa Lopez","relationship":"sibling","consent":{"scope":"appointments","starts_on":"2025-01-01"}}')"
member="$(create "/api/v1/patients/$patient/care-team" \
  '{"name":"Dr. Ana Alvarez","role":"pcp","start_date":"2026-01-15"}')"
# (The documented examples change these two: their dates fit.)
encounter="$(create /api/v1/encounters \
  "{\"patient_id\":\"$patient\",\"kind\":\"ed\",\"facility\":\"Mercy ED\",\"admitted_at\":\"2026-03-01T22:40:00Z\"}")"
task="$(create /api/v1/tasks "{\"patient_id\":\"$patient\",\"assignee_id\":\"$user\",\"kind\":\"outreach\",\"title\":\"Call\",\"due_at\":\"2030-01-01T17:00:00Z\"}")"
note="$(create "/api/v1/patients/$patient/notes" \
  '{"type":"care_coordination","body":"Called the patient about the plan.","minutes":10}')"
screening="$(create "/api/v1/patients/$patient/screenings" \
  '{"instrument":"phq2","administered_at":"2026-01-05T10:00:00Z","answers":{"1":0,"2":1}}')"
api_key="$(create /api/v1/api-keys '{"name":"schemathesis","scopes":["patients:read"]}')"
provider="$(create /api/v1/providers \
  '{"name":"Clínica Esperanza","kind":"organization","services":["outpatient_therapy","inpatient_psychiatric"],"languages":["en","es"],"medicaid":true,"accepting_new_clients":true,"address":{"line1":"410 Commercial St NE","city":"Salem","state":"OR","postal_code":"97301"},"network_status":"in_network"}')"
program="$(create /api/v1/programs \
  '{"name":"SNAP","kind":"benefits","eligibility_notes":"Household income at or below 185% of the federal poverty level","renewal_months":12}')"
# (At the version the demo data may have set them at.)
criteria_version="$(q "SELECT version FROM service_criteria WHERE organization_id = $org AND service = 'inpatient_psychiatric'")"
METHOD=PUT call /api/v1/service-criteria/inpatient_psychiatric \
  "{\"criteria\":{\"any_of\":[{\"kind\":\"score_at_least\",\"instrument\":\"phq9\",\"total\":20},{\"kind\":\"positive_screen\",\"instrument\":\"cssrs\"},{\"kind\":\"discharged_within\",\"kinds\":[\"bhcc\"],\"days\":30}],\"alternatives\":[\"Intensive outpatient program\",\"Peer-support program\",\"Crisis plan\"]},\"version\":${criteria_version:-null}}"
referral="$(create /api/v1/referrals \
  "{\"patient_id\":\"$patient\",\"provider_id\":\"$provider\",\"service\":\"outpatient_therapy\",\"reason\":\"Weekly therapy after an ED visit\"}")"
barrier="$(create "/api/v1/referrals/$referral/barriers" '{"kind":"transportation","description":"No bus line reaches the clinic"}')"
enrollment="$(create "/api/v1/patients/$patient/enrollments" "{\"program_id\":\"$program\"}")"
admin_id="$(q "SELECT id FROM users WHERE email = 'admin@riverside.example'")"
huddle="$(create /api/v1/huddles \
  "{\"attendee_ids\":[\"$admin_id\",\"$user\"],\"patients\":[{\"patient_id\":\"$patient\",\"notes\":\"Stable\"}],\"action_items\":[{\"patient_id\":\"$patient\",\"title\":\"Call back\",\"assignee_id\":\"$user\",\"due_at\":\"2030-01-01T17:00:00Z\"}]}")"
# A webhook at a public address nothing answers on, and a delivery to it
# (of a discharge recorded after it).
webhook="$(create /api/v1/webhooks \
  '{"url":"https://203.0.113.10/hooks","events":["encounter.discharged","referral.status_changed"]}')"
create /api/v1/encounters \
  "{\"patient_id\":\"$patient\",\"kind\":\"ed\",\"facility\":\"Mercy ED\",\"admitted_at\":\"2026-01-04T22:40:00Z\",\"discharged_at\":\"2026-01-05T06:10:00Z\"}" >/dev/null
delivery="$(q "SELECT id FROM webhook_deliveries WHERE subscription_id = '$webhook' LIMIT 1")"
for id in "$patient" "$user" "$appointment" "$alert" "$delivery"; do
  [ -n "$id" ] || { echo "schemathesis: the seed lacks a record the run needs" >&2; exit 1; }
done

config="$out/schemathesis.toml"
{
  cat scripts/schemathesis.toml
  path_id() {
    printf '\n[[operations]]\ninclude-path-regex = "%s"\nparameters = { "path.id" = "%s" }\n' "$1" "$2"
  }
  path_id '^/api/v1/patients/\\{id\\}' "$patient"
  path_id '^/api/v1/tasks/\\{id\\}$' "$task"
  path_id '^/api/v1/notes/\\{id\\}' "$note"
  path_id '^/api/v1/contacts/\\{id\\}$' "$contact"
  path_id '^/api/v1/screenings/\\{id\\}' "$screening"
  path_id '^/api/v1/care-team/\\{id\\}$' "$member"
  path_id '^/api/v1/encounters/\\{id\\}$' "$encounter"
  path_id '^/api/v1/appointments/\\{id\\}$' "$appointment"
  path_id '^/api/v1/alerts/\\{id\\}/' "$alert"
  path_id '^/api/v1/users/\\{id\\}$' "$user"
  path_id '^/api/v1/api-keys/\\{id\\}$' "$api_key"
  path_id '^/api/v1/providers/\\{id\\}' "$provider"
  path_id '^/api/v1/referrals/\\{id\\}' "$referral"
  path_id '^/api/v1/barriers/\\{id\\}$' "$barrier"
  path_id '^/api/v1/enrollments/\\{id\\}$' "$enrollment"
  # The FHIR API reads the same records under their FHIR types.
  path_id '^/fhir/r4/Patient/\\{id\\}$' "$patient"
  path_id '^/fhir/r4/RelatedPerson/\\{id\\}$' "$contact"
  path_id '^/fhir/r4/CareTeam/\\{id\\}$' "$member"
  path_id '^/fhir/r4/Encounter/\\{id\\}$' "$encounter"
  path_id '^/fhir/r4/Appointment/\\{id\\}$' "$appointment"
  path_id '^/fhir/r4/Task/\\{id\\}$' "$task"
  path_id '^/fhir/r4/ServiceRequest/\\{id\\}$' "$referral"
  path_id '^/fhir/r4/(Organization|HealthcareService)/\\{id\\}$' "$provider"
  path_id '^/fhir/r4/(QuestionnaireResponse|Observation)/\\{id\\}$' "$screening"
  care_plan="$(one care_plans)"
  [ -z "$care_plan" ] || path_id '^/fhir/r4/CarePlan/\\{id\\}$' "$care_plan"
  # Another patient's: the run replaces the care plan of `$patient`, and
  # with it the ids of its goals.
  goal="$(q "SELECT g ->> 'id' FROM care_plans p CROSS JOIN LATERAL jsonb_array_elements(p.content -> 'goals') g
    WHERE p.organization_id = $org AND jsonb_typeof(g -> 'id') = 'string' AND p.patient_id <> '$patient'
    ORDER BY 1 LIMIT 1")"
  [ -z "$goal" ] || path_id '^/fhir/r4/Goal/\\{id\\}$' "$goal"
  path_id '^/api/v1/huddles/\\{id\\}$' "$huddle"
  path_id '^/api/v1/webhooks/\\{id\\}' "$webhook"
  path_id '^/api/v1/webhook-deliveries/\\{id\\}/' "$delivery"
} >"$config"

seed=()
case "${ST_SEED:-}" in
  random) ;;
  "") seed=(--seed 20261130) ;;
  *) seed=(--seed "$ST_SEED") ;;
esac

status=0
# The hooks read and make records (schemathesis_hooks.py, `before_call`).
ST_BASE_URL="$base" ST_TOKEN="$token" ST_PATIENT="$patient" ST_USER="$user" \
  ST_TASK="$task" ST_CONTACT="$contact" ST_PROVIDER="$provider" ST_PROGRAM="$program" \
  ST_REFERRAL="$referral" ST_WEBHOOK="$webhook" \
"$venv/bin/st" --config-file "$config" run "$base/api/openapi.json" \
  --checks all \
  -H "Authorization: Bearer $token" \
  "${seed[@]}" \
  --report "${ST_REPORT:-junit}" --report-dir "$out" \
  "$@" || status=$?

if grep -q "panicked\|internal error" "$out/server.log"; then
  echo "schemathesis: the server logged an internal error (see $out/server.log)" >&2
  status=1
fi
exit "$status"
