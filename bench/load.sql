-- A large caseload on top of the demo data, for `make bench`:
-- Riverside grows to at least 200 active patients of cm1 and 5,000 open
-- tasks in the organization (a quarter of them cm1's), with outreach
-- attempts on some of them and a year of appointments. Idempotent enough
-- for a fresh database.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE ctx AS
SELECT o.id AS org,
       (SELECT id FROM users WHERE email = 'cm1@riverside.example') AS cm1,
       ARRAY(SELECT id FROM users WHERE organization_id = o.id AND role IN ('care_manager', 'supervisor') ORDER BY email) AS staff
  FROM organizations o WHERE o.name = 'Riverside Community Health';

INSERT INTO patients (id, organization_id, given_name, family_name, birth_date, sex, preferred_language,
                      interpreter_needed, insurance_medicaid, status, primary_care_manager_id, risk_level,
                      version, created_at, updated_at)
SELECT gen_random_uuid(), ctx.org, 'Bench' || n, 'Caseload' || lpad(n::text, 4, '0'), date '1970-01-01' + n * 37,
       'unknown', 'en', false, true, 'active', ctx.cm1,
       (ARRAY['low', 'moderate', 'high', 'very_high'])[1 + n % 4], 1, now(), now()
  FROM ctx, generate_series(1, 200) AS n;

CREATE TEMP TABLE bench_patients AS
SELECT p.id, row_number() OVER (ORDER BY p.id) AS n
  FROM patients p, ctx WHERE p.organization_id = ctx.org AND p.family_name LIKE 'Caseload%';

INSERT INTO tasks (id, organization_id, patient_id, assignee_id, kind, title, due_at, priority, status,
                   source_type, version, created_at, updated_at)
SELECT gen_random_uuid(), ctx.org, bp.id,
       CASE WHEN t % 4 = 0 THEN ctx.cm1 ELSE ctx.staff[1 + t % array_length(ctx.staff, 1)] END,
       (ARRAY['referral_followup', 'screening_due', 'care_plan_review', 'outreach', 'chart_review'])[1 + t % 5],
       'Bench task ' || t,
       now() + make_interval(hours => (t % 240) - 72),
       'normal', CASE WHEN t % 7 = 0 THEN 'in_progress' ELSE 'open' END,
       'manual', 1, now(), now()
  FROM ctx, generate_series(1, 5000) AS t
  JOIN bench_patients bp ON bp.n = 1 + t % 200;

INSERT INTO outreach_attempts (id, organization_id, patient_id, task_id, method, outcome, occurred_at, created_at)
SELECT gen_random_uuid(), t.organization_id, t.patient_id, t.id, 'phone',
       (ARRAY['no_answer', 'left_message', 'reached'])[1 + (abs(hashtext(t.id::text)) % 3)], now(), now()
  FROM tasks t WHERE t.title LIKE 'Bench task %' AND t.status = 'in_progress';
-- A year of appointments for each of cm1's patients (about one every four
-- weeks, one of them still ahead, about one in six missed): with only the
-- demo's hundred rows, Postgres scans the whole table for each worklist
-- row's missed appointments instead of probing appointments_missed_idx, a
-- plan no real caseload would get.
INSERT INTO appointments (id, organization_id, patient_id, provider_name, kind, scheduled_at, location,
                          status, status_changed_at, source, version, created_at, updated_at)
SELECT gen_random_uuid(), ctx.org, bp.id, 'Bench clinician ' || (1 + a % 5),
       (ARRAY['therapy', 'psychiatry', 'medical', 'other'])[1 + a % 4], at, 'Riverside clinic',
       CASE WHEN at > now() THEN 'scheduled'
            WHEN (bp.n + a) % 6 = 0 THEN 'missed'
            WHEN (bp.n + a) % 9 = 0 THEN 'cancelled'
            ELSE 'attended' END,
       CASE WHEN at > now() THEN NULL ELSE at + interval '1 hour' END,
       'manual', 1, now(), now()
  FROM ctx, bench_patients bp, generate_series(0, 11) AS a,
       LATERAL (SELECT now() + make_interval(days => a * 28 - 300 + (bp.n % 14)::int) AS at) s;
COMMIT;
ANALYZE;
