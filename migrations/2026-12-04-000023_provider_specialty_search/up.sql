-- A specialty search (`specialty=trauma`) matches anywhere in any of a
-- provider's specialties. It compared `array_to_string(specialties, '|')`,
-- an expression Postgres keeps no statistics for, so every plan guessed
-- that a specialty matches one provider in two hundred and read the whole
-- organization: 5 to 6 ms at 5,000 providers whether the specialty was
-- rare or nearly everyone's (bench/RESULTS.md). Stored, the text has
-- statistics (the plan knows "adults" from "perinatal"), and a trigram
-- index finds the few providers a rare specialty matches.
--
-- `array_to_string` is only STABLE in general (some element types print by
-- settings); over `text[]` it depends on nothing but its input.
CREATE FUNCTION directory_specialty_text(specialties text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string(specialties, '|');

ALTER TABLE providers
    ADD COLUMN specialty_text text NOT NULL GENERATED ALWAYS AS (directory_specialty_text(specialties)) STORED;

-- Without a pending list, as the name's (migration
-- provider_name_index_without_pending_list).
CREATE INDEX providers_specialty_trgm_idx ON providers USING gin (specialty_text gin_trgm_ops)
    WITH (fastupdate = off);
