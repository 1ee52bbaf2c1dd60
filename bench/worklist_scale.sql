-- The worklist at organization scale, for `make bench` (after search.sql has
-- grown Lakeside to 1,000,000 patients): 1,000 care managers share those
-- patients and 5,000,000 tasks (2,000,000 of them open, about 2,000 per
-- care manager), and the worklist's page query (api/src/tasks/store.rs
-- `worklist_page`) is EXPLAIN ANALYZEd for one of them: the first page and
-- a page deep in the list (a keyset in band 4).
\set ON_ERROR_STOP on
SELECT id AS org FROM organizations WHERE name = 'Lakeside Health Home' \gset
INSERT INTO users (id, organization_id, email, name, role, password_hash)
SELECT gen_random_uuid(), :'org', 'scale-cm' || n || '@lakeside.example', 'Scale CM ' || n, 'care_manager', 'x'
  FROM generate_series(1, 1000) AS n;
CREATE TEMP TABLE scale_cms AS
SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM users
 WHERE organization_id = :'org' AND email LIKE 'scale-cm%';
CREATE TEMP TABLE scale_patients AS
SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM patients WHERE organization_id = :'org';
UPDATE patients p SET primary_care_manager_id = c.id,
       risk_level = (ARRAY['low', 'moderate', 'high', 'very_high'])[1 + (sp.n / 1000) % 4]
  FROM scale_patients sp JOIN scale_cms c ON c.n = sp.n % 1000
 WHERE p.id = sp.id;
INSERT INTO tasks (id, organization_id, patient_id, assignee_id, kind, title, due_at, priority, status,
                   source_type, version, created_at, updated_at)
SELECT gen_random_uuid(), :'org', sp.id, c.id,
       (ARRAY['safety_followup', 'transition_followup', 'missed_appointment_followup', 'referral_followup',
              'screening_due', 'care_plan_review', 'outreach', 'chart_review', 'custom'])[1 + t % 9],
       'Scale task ' || t,
       now() + make_interval(hours => (t % 480) - 240),
       'normal',
       CASE WHEN (t / 1000) % 5 < 2 THEN 'open' ELSE 'done' END,
       'manual', 1, now(), now()
  FROM generate_series(0, 4999999) AS t
  JOIN scale_patients sp ON sp.n = t % 1000000
  JOIN scale_cms c ON c.n = (t % 1000000) % 1000;
ANALYZE tasks;
ANALYZE patients;
SELECT id AS cm FROM scale_cms WHERE n = 7 \gset
SELECT count(*) AS open_tasks_of_cm FROM tasks
 WHERE organization_id = :'org' AND assignee_id = :'cm' AND status IN ('open', 'in_progress');
-- The page query as `worklist_page` sends it (`WorklistPage`): the band and
-- the patient's risk rank are columns of the task (migration
-- worklist_order), and so are its outreach outcomes (migration
-- task_outreach_outcomes); the patient's facts and missed appointments are a
-- lateral subquery Postgres caches per patient; a referral follow-up's open
-- barriers come in the same statement.
\set page 'SELECT tasks.*, pf.given_name, pf.family_name, pf.preferred_name, pf.risk_level, pf.risk_factors, pf.missed, CASE WHEN tasks.kind IN (''referral_followup'') THEN ARRAY(SELECT b.kind FROM referral_barriers b WHERE b.organization_id = tasks.organization_id AND b.referral_id = uuid(tasks.context ->> ''referral_id'') AND b.resolved_at IS NULL ORDER BY b.created_at, b.id) ELSE ''{}'' END AS barriers FROM tasks CROSS JOIN LATERAL (SELECT patients.given_name, patients.family_name, patients.preferred_name, patients.risk_level, patients.risk_factors, ARRAY(SELECT a.scheduled_at FROM appointments a WHERE a.organization_id = patients.organization_id AND a.patient_id = patients.id AND a.status IN (''missed'') AND a.scheduled_at >= now() - interval ''30 days'') AS missed FROM patients WHERE patients.organization_id = tasks.organization_id AND patients.id = tasks.patient_id OFFSET 0) AS pf WHERE tasks.organization_id = ' :'org' ' AND tasks.assignee_id = ' :'cm' ' AND tasks.status IN (''open'', ''in_progress'')'
\echo '== worklist first page (50 + 1) of one care manager, 5,000,000 tasks in the organization'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
:page
 ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id LIMIT 51;
-- The first run reads the care manager's patients from outside shared
-- buffers (the bulk load above evicted them); a care manager's every later
-- request finds them cached, so the page is timed again.
\echo '== the same first page again (its patients now in shared buffers)'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
:page
 ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id LIMIT 51;
\echo '== a worklist page deep in band 4 (keyset after band 4, moderate risk), same care manager'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
:page
   AND (tasks.band, tasks.risk_rank, tasks.due_at, tasks.id) > (4, 2, now(), '00000000-0000-0000-0000-000000000000'::uuid)
 ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id LIMIT 51;
