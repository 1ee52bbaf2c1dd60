DROP INDEX tasks_worklist_idx;
CREATE INDEX tasks_assignee_open_idx ON tasks (organization_id, assignee_id, due_at)
    WHERE status IN ('open', 'in_progress');
ALTER TABLE tasks DROP COLUMN risk_rank, DROP COLUMN band;
DROP TRIGGER patients_pass_risk_rank_to_tasks ON patients;
DROP FUNCTION patients_pass_risk_rank_to_tasks();
DROP TRIGGER tasks_take_patient_risk_rank ON tasks;
DROP FUNCTION tasks_take_patient_risk_rank();
ALTER TABLE tasks DROP COLUMN patient_risk_rank;
DROP FUNCTION worklist_risk_rank(text);
DROP FUNCTION worklist_band(text);
