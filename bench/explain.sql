-- The worklist's queries for cm1 on the bench caseload, as the API runs them
-- (api/src/worklist/store.rs, api/src/tasks/store.rs), with EXPLAIN ANALYZE.
-- Since issue 11 a request reads one page of tasks; the queries after the
-- first are shown over all of cm1's open tasks, an upper bound of one page's.
\set ON_ERROR_STOP on
SELECT id AS cm1, organization_id AS org FROM users WHERE email = 'cm1@riverside.example' \gset
\echo '== first worklist page (50 + 1) of the care manager, ordered in SQL'
-- As api/src/tasks/store.rs `worklist_page` builds it: band and risk rank are
-- columns of the task (migration worklist_order), read in order off
-- tasks_worklist_idx.
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT tasks.* FROM tasks
 WHERE tasks.organization_id = :'org' AND tasks.assignee_id = :'cm1' AND tasks.status IN ('open', 'in_progress')
 ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id
 LIMIT 51;
\echo '== outreach attempt counts of those tasks'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT task_id, count(*) AS attempts, count(*) FILTER (WHERE outcome NOT IN ('reached', 'declined')) AS failed
  FROM outreach_attempts
 WHERE organization_id = :'org'
   AND task_id = ANY (ARRAY(SELECT id FROM tasks WHERE organization_id = :'org' AND assignee_id = :'cm1'
                                AND status IN ('open', 'in_progress')))
 GROUP BY task_id;
\echo '== their patients'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id, given_name, family_name, preferred_name, risk_level FROM patients
 WHERE organization_id = :'org'
   AND id = ANY (ARRAY(SELECT DISTINCT patient_id FROM tasks WHERE organization_id = :'org' AND assignee_id = :'cm1'
                          AND status IN ('open', 'in_progress')));
\echo '== missed appointments in 30 days (disengagement)'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT patient_id, scheduled_at FROM appointments
 WHERE organization_id = :'org' AND status = 'missed' AND scheduled_at >= now() - interval '30 days'
   AND patient_id = ANY (ARRAY(SELECT DISTINCT patient_id FROM tasks WHERE organization_id = :'org'
                                  AND assignee_id = :'cm1' AND status IN ('open', 'in_progress')));
