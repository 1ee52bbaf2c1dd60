-- A replay is audited like the first answer: keep what the answer was about.
-- Keys expire (24 h by default); the index serves the purge of expired keys.
ALTER TABLE idempotency_keys
    ADD COLUMN resource_id uuid,
    ADD COLUMN patient_id uuid;
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (organization_id, principal_id, created_at);
