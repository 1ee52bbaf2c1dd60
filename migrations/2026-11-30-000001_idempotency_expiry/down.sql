DROP INDEX idempotency_keys_expiry_idx;
ALTER TABLE idempotency_keys DROP COLUMN resource_id, DROP COLUMN patient_id;
