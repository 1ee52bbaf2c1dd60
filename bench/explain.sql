-- The worklist's queries for cm1 on the bench caseload, as the API runs them
-- (api/src/worklist/store.rs, api/src/tasks/store.rs), with EXPLAIN ANALYZE.
-- Since issue 11 a request reads one page of tasks, in one statement.
\set ON_ERROR_STOP on
SELECT id AS cm1, organization_id AS org FROM users WHERE email = 'cm1@riverside.example' \gset
\echo '== first worklist page (50 + 1) of the care manager: one statement'
-- As api/src/tasks/store.rs `worklist_page` builds it (`WorklistPage`):
-- band and risk rank are columns of the task (migration worklist_order),
-- read in order off tasks_worklist_idx, and so are its outreach outcomes
-- (migration task_outreach_outcomes); each patient's facts and missed
-- appointments of the last 30 days are a lateral subquery (`OFFSET 0` keeps
-- it whole), cached per patient by a Memoize node; a referral follow-up's
-- open barriers are a correlated subquery run for those tasks only.
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT tasks.*,
       pf.given_name, pf.family_name, pf.preferred_name, pf.risk_level, pf.risk_factors, pf.missed,
       CASE WHEN tasks.kind IN ('referral_followup')
            THEN ARRAY(SELECT b.kind FROM referral_barriers b
                        WHERE b.organization_id = tasks.organization_id
                          AND b.referral_id = uuid(tasks.context ->> 'referral_id')
                          AND b.resolved_at IS NULL
                        ORDER BY b.created_at, b.id)
            ELSE '{}' END AS barriers
  FROM tasks
 CROSS JOIN LATERAL (
       SELECT patients.given_name, patients.family_name, patients.preferred_name,
              patients.risk_level, patients.risk_factors,
              ARRAY(SELECT a.scheduled_at FROM appointments a
                     WHERE a.organization_id = patients.organization_id AND a.patient_id = patients.id
                       AND a.status IN ('missed') AND a.scheduled_at >= now() - interval '30 days') AS missed
         FROM patients
        WHERE patients.organization_id = tasks.organization_id AND patients.id = tasks.patient_id
       OFFSET 0) AS pf
 WHERE tasks.organization_id = :'org' AND tasks.assignee_id = :'cm1' AND tasks.status IN ('open', 'in_progress')
 ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id
 LIMIT 51;
