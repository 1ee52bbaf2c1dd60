DROP INDEX patients_given_idx;
CREATE INDEX patients_given_idx ON patients (organization_id, given_key);
