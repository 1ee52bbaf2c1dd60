-- The patient search reads in parts, each one range of one index in that
-- index's order (api/src/patients/search.rs): given-name matches come in
-- (given, family, id) order, so that index holds the whole sort key, and a
-- two-word search can check the family prefix on index tuples alone.
DROP INDEX patients_given_idx;
CREATE INDEX patients_given_idx ON patients (organization_id, given_key, family_key, id);
