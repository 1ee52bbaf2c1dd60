-- The worklist order kept on the task itself, so that one index yields a
-- care manager's open work already in order: `(band, risk rank, due, id)`,
-- which is `shared::worklist::rank_key` without its time-dependent part
-- (see `RankKey`). The page query then reads only its page, whatever the
-- caseload, instead of sorting every open task on each request.
--
-- The two functions are `shared::worklist::band_of` and `risk_rank` in SQL.
-- `shared` stays the specification: a scenario test compares both
-- functions with it for every kind and level, and the worklist property
-- test holds the order to `rank`.
CREATE FUNCTION worklist_band(kind text) RETURNS smallint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE kind
        WHEN 'safety_followup' THEN 1
        WHEN 'transition_followup' THEN 2
        WHEN 'missed_appointment_followup' THEN 3
        ELSE 4
    END;

-- No ELSE: a level this function does not know is NULL and so fails the
-- NOT NULL below rather than sorting silently in the wrong place.
CREATE FUNCTION worklist_risk_rank(level text) RETURNS smallint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE level
        WHEN 'very_high' THEN 0
        WHEN 'high' THEN 1
        WHEN 'moderate' THEN 2
        WHEN 'low' THEN 3
    END;

-- The patient's level in force, copied onto each of its tasks: a column of
-- this row is what an index can order by. Triggers keep the copy, so every
-- way a task is written or a level changes (the API, the rules, HL7, a
-- data load) keeps it without remembering to.
ALTER TABLE tasks ADD COLUMN patient_risk_rank smallint;
UPDATE tasks t SET patient_risk_rank = worklist_risk_rank(p.risk_level)
  FROM patients p
 WHERE p.organization_id = t.organization_id AND p.id = t.patient_id;
ALTER TABLE tasks ALTER COLUMN patient_risk_rank SET NOT NULL;

CREATE FUNCTION tasks_take_patient_risk_rank() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    SELECT worklist_risk_rank(p.risk_level) INTO NEW.patient_risk_rank
      FROM patients p
     WHERE p.organization_id = NEW.organization_id AND p.id = NEW.patient_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER tasks_take_patient_risk_rank
    BEFORE INSERT OR UPDATE OF patient_id, organization_id ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_take_patient_risk_rank();

CREATE FUNCTION patients_pass_risk_rank_to_tasks() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks SET patient_risk_rank = worklist_risk_rank(NEW.risk_level)
     WHERE organization_id = NEW.organization_id AND patient_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER patients_pass_risk_rank_to_tasks
    AFTER UPDATE OF risk_level ON patients
    FOR EACH ROW WHEN (OLD.risk_level IS DISTINCT FROM NEW.risk_level)
    EXECUTE FUNCTION patients_pass_risk_rank_to_tasks();

-- The risk rank orders only the fourth band (`shared::worklist::rank_key`).
ALTER TABLE tasks
    ADD COLUMN band smallint NOT NULL GENERATED ALWAYS AS (worklist_band(kind)) STORED,
    ADD COLUMN risk_rank smallint NOT NULL GENERATED ALWAYS AS
        (CASE WHEN worklist_band(kind) = 4 THEN patient_risk_rank ELSE 0 END) STORED;

-- Replaces the index on (organization_id, assignee_id, due_at): this one
-- serves the same equality prefix and yields the worklist's order.
DROP INDEX tasks_assignee_open_idx;
CREATE INDEX tasks_worklist_idx ON tasks (organization_id, assignee_id, band, risk_rank, due_at, id)
    WHERE status IN ('open', 'in_progress');
