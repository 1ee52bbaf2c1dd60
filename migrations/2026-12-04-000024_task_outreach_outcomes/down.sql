DROP TRIGGER outreach_attempts_append_only ON outreach_attempts;
DROP TRIGGER outreach_attempts_pass_outcome_to_task ON outreach_attempts;
DROP FUNCTION outreach_attempts_pass_outcome_to_task();
ALTER TABLE tasks DROP COLUMN outreach_outcomes;
