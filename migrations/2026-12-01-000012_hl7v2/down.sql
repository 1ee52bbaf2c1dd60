DROP TABLE hl7_identifier_systems;
DROP TABLE hl7_messages;
DROP INDEX tasks_one_per_source_idx;
CREATE UNIQUE INDEX tasks_one_per_source_idx ON tasks (organization_id, source_type, source_id, kind)
    WHERE source_id IS NOT NULL;
ALTER TABLE encounters
    DROP CONSTRAINT encounters_cancel_reason_check,
    DROP COLUMN cancel_reason,
    DROP COLUMN cancelled_at;
