-- Failed sign-ins are counted per email address, whether or not anyone has
-- it, so a lockout answers the same for every address and tells an
-- attacker nothing about which exist. The digest keeps the addresses tried
-- (often typos of real ones) out of the table.
CREATE TABLE login_throttle (
    email_digest     bytea PRIMARY KEY,
    failures         integer NOT NULL,
    first_failed_at  timestamptz NOT NULL,
    locked_until     timestamptz
);

-- The per-user counter it replaces.
ALTER TABLE users DROP COLUMN failed_login_count, DROP COLUMN locked_until;

-- A sign-in attempt for an email no one has belongs to no organization,
-- and is audited all the same.
ALTER TABLE audit_events ALTER COLUMN organization_id DROP NOT NULL;
