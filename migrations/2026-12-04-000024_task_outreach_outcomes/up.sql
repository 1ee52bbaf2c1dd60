-- Each task keeps the outcomes of its outreach attempts, in the order they
-- were logged: every read of a task shows how many attempts it had and how
-- many reached no one (`shared::outreach::OutreachOutcome::reached` decides,
-- in Rust, from these outcomes). Reading them off the task row spares each
-- task read a probe of `outreach_task_idx`; on the worklist page of 50 that
-- was 51 index scans and a third of the statement's buffer hits
-- (bench/RESULTS.md). Attempts are append-only facts, so a trigger on their
-- insert is all that keeps the copy true, whoever inserts them.
ALTER TABLE tasks ADD COLUMN outreach_outcomes text[] NOT NULL DEFAULT '{}';

UPDATE tasks t SET outreach_outcomes = o.outcomes
  FROM (SELECT organization_id, task_id, array_agg(outcome ORDER BY created_at, id) AS outcomes
          FROM outreach_attempts
         WHERE task_id IS NOT NULL
         GROUP BY organization_id, task_id) o
 WHERE t.organization_id = o.organization_id AND t.id = o.task_id;

CREATE FUNCTION outreach_attempts_pass_outcome_to_task() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks SET outreach_outcomes = outreach_outcomes || NEW.outcome
     WHERE organization_id = NEW.organization_id AND id = NEW.task_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER outreach_attempts_pass_outcome_to_task
    AFTER INSERT ON outreach_attempts
    FOR EACH ROW WHEN (NEW.task_id IS NOT NULL)
    EXECUTE FUNCTION outreach_attempts_pass_outcome_to_task();

-- Attempts are facts: the copy on the task would go stale if one changed.
CREATE TRIGGER outreach_attempts_append_only
    BEFORE UPDATE OR DELETE ON outreach_attempts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
