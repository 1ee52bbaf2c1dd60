-- wrk -t N -c N -s bench/mixed.lua: a care manager's mixed CRUD work, for
-- `make bench` (step 8). One connection per wrk thread, so each thread walks
-- its own cycle in order and can carry ids and ETags from one answer to the
-- next request. A cycle is ten requests on patients, tasks and encounters:
--   create: POST /patients, POST /tasks, POST /encounters (an ED visit, so
--           the rules also open its follow-up task);
--   read:   GET /patients/{id}, GET /tasks/{id}, GET /encounters?patient_id=,
--           GET /tasks?patient_id=;
--   update: PATCH /patients/{id}, PATCH /tasks/{id} (both with If-Match);
--   search: GET /patients?q= (a family name shared by many).
-- TOKEN (a bearer token) comes from the environment.
local token = os.getenv("TOKEN")
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

-- The step moves on when an answer arrives: wrk may ask for a request more
-- than once before sending it.
local step, cycles = 1, 0
local patient, patient_etag, task, task_etag
unexpected = 0 -- global: done() reads it from each thread

local function req(method, path, body, extra)
  local headers = { ["Authorization"] = "Bearer " .. token }
  if body then headers["Content-Type"] = "application/json" end
  if extra then for k, v in pairs(extra) do headers[k] = v end end
  return wrk.format(method, "/api/v1" .. path, headers, body)
end

function request()
  if step == 1 then
    return req("POST", "/patients", string.format(
      '{"given_name":"Mixed%d","family_name":"Loadtest","birth_date":"1970-01-01","sex":"female"}', tid))
  elseif step == 2 then
    return req("GET", "/patients/" .. patient)
  elseif step == 3 then
    return req("PATCH", "/patients/" .. patient, '{"phone":"503-555-0199"}', { ["If-Match"] = patient_etag })
  elseif step == 4 then
    return req("GET", "/patients?q=caseload&limit=25")
  elseif step == 5 then
    return req("POST", "/tasks", string.format(
      '{"patient_id":"%s","kind":"custom","title":"Call about housing forms","due_at":"2026-12-31T17:00:00Z"}', patient))
  elseif step == 6 then
    return req("GET", "/tasks/" .. task)
  elseif step == 7 then
    return req("PATCH", "/tasks/" .. task, '{"status":"in_progress"}', { ["If-Match"] = task_etag })
  elseif step == 8 then
    return req("POST", "/encounters", string.format(
      '{"patient_id":"%s","kind":"ed","facility":"Mercy ED","admitted_at":"2026-11-29T10:00:00Z","discharged_at":"2026-11-29T18:00:00Z"}',
      patient))
  elseif step == 9 then
    return req("GET", "/encounters?patient_id=" .. patient)
  else
    return req("GET", "/tasks?patient_id=" .. patient)
  end
end

function response(status, headers, body)
  local ok = (step == 1 or step == 5 or step == 8) and status == 201 or status == 200
  if not ok then unexpected = unexpected + 1 end
  if step == 1 then
    patient = body:match('"id"%s*:%s*"([^"]+)"')
    patient_etag = headers["ETag"] or headers["etag"]
  elseif step == 3 then
    patient_etag = headers["ETag"] or headers["etag"]
  elseif step == 5 then
    task = body:match('"id"%s*:%s*"([^"]+)"')
    task_etag = headers["ETag"] or headers["etag"]
  elseif step == 10 then
    cycles = cycles + 1
  end
  step = step % 10 + 1
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("unexpected") or 0) end
  local secs = summary.duration / 1e6
  io.write(string.format("requests %d  req/s %.0f  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  unexpected status %d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, bad))
end
