DROP INDEX providers_name_trgm_idx;
-- pg_trgm stays: another schema object may have come to use it since.
DROP INDEX providers_base_score_idx;
ALTER TABLE providers DROP COLUMN base_score;
