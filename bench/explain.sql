-- The worklist's queries for cm1 on the bench caseload, as the API runs them
-- (api/src/worklist/store.rs, api/src/tasks/store.rs), with EXPLAIN ANALYZE.
-- Since issue 11 a request reads one page of tasks, in one statement.
\set ON_ERROR_STOP on
SELECT id AS cm1, organization_id AS org FROM users WHERE email = 'cm1@riverside.example' \gset
\echo '== first worklist page (50 + 1) of the care manager: one statement'
-- As api/src/tasks/store.rs `worklist_page` builds it: band and risk rank are
-- columns of the task (migration worklist_order), read in order off
-- tasks_worklist_idx; each task's patient, its outreach outcomes and the
-- patient's missed appointments of the last 30 days come in the same
-- statement (correlated subqueries, evaluated for the page's rows only).
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT tasks.*,
       ARRAY(SELECT o.outcome FROM outreach_attempts o
              WHERE o.organization_id = tasks.organization_id AND o.task_id = tasks.id) AS outreach,
       patients.given_name, patients.family_name, patients.preferred_name,
       patients.risk_level, patients.risk_factors,
       ARRAY(SELECT a.scheduled_at FROM appointments a
              WHERE a.organization_id = patients.organization_id AND a.patient_id = patients.id
                AND a.status = 'missed' AND a.scheduled_at >= now() - interval '30 days') AS missed
  FROM tasks
  JOIN patients ON patients.id = tasks.patient_id AND patients.organization_id = tasks.organization_id
 WHERE tasks.organization_id = :'org' AND tasks.assignee_id = :'cm1' AND tasks.status IN ('open', 'in_progress')
 ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id
 LIMIT 51;
