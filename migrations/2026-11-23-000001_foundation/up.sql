-- Foundation: tenants, people, credentials, patients and the audit trail.
-- Every table carries organization_id (the tenant, and the distribution
-- column should a deployment shard by it).

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    time_zone   text NOT NULL DEFAULT 'America/Los_Angeles',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    email               text NOT NULL CHECK (email = lower(btrim(email)) AND email <> ''),
    name                text NOT NULL,
    role                text NOT NULL CHECK (role IN ('admin', 'supervisor', 'care_manager', 'viewer')),
    password_hash       text NOT NULL,
    active              boolean NOT NULL DEFAULT true,
    failed_login_count  integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    last_login_at       timestamptz,
    -- Access tokens carry the epoch they were issued in; bumping it (on
    -- deactivation or a password change) ends every session at once.
    session_epoch       integer NOT NULL DEFAULT 0,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- The login is the email alone, so it is unique across organizations.
    CONSTRAINT users_email_key UNIQUE (email),
    -- Lets child tables reference (organization_id, id) so a row can never
    -- point at another tenant's user.
    CONSTRAINT users_org_id_key UNIQUE (organization_id, id)
);
CREATE INDEX users_org_role_idx ON users (organization_id, role, id);

-- Refresh tokens rotate on every use. A token presented after it was used is
-- a sign of theft: the whole family (one login's chain) is revoked.
CREATE TABLE refresh_tokens (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    family_id        uuid NOT NULL,
    token_hash       bytea NOT NULL,
    issued_at        timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    revoked_at       timestamptz,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash),
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE api_keys (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    name             text NOT NULL,
    scopes           text[] NOT NULL CHECK (cardinality(scopes) > 0),
    prefix           text NOT NULL,
    key_hash         bytea NOT NULL,
    created_by       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz,
    CONSTRAINT api_keys_hash_key UNIQUE (key_hash),
    FOREIGN KEY (organization_id, created_by) REFERENCES users (organization_id, id)
);
CREATE INDEX api_keys_org_idx ON api_keys (organization_id, created_at DESC, id);

CREATE TABLE patients (
    id                       uuid PRIMARY KEY,
    organization_id          uuid NOT NULL REFERENCES organizations (id),
    given_name               text NOT NULL,
    family_name              text NOT NULL,
    preferred_name           text,
    birth_date               date NOT NULL,
    sex                      text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone                    text,
    email                    text,
    address_line1            text,
    address_line2            text,
    address_city             text,
    address_state            text,
    address_postal_code      text,
    preferred_language       text NOT NULL DEFAULT 'en',
    interpreter_needed       boolean NOT NULL DEFAULT false,
    insurance_payer          text,
    insurance_member_id      text,
    insurance_medicaid       boolean NOT NULL DEFAULT false,
    status                   text NOT NULL CHECK (status IN ('referred', 'intake', 'active', 'on_hold', 'closed')),
    status_reason            text,
    primary_care_manager_id  uuid,
    risk_level               text NOT NULL CHECK (risk_level IN ('low', 'moderate', 'high', 'very_high')),
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    -- Sort and prefix-search keys. Byte-order ("C") collation lets one btree
    -- serve both the list order and `LIKE 'abc%'` prefix search.
    family_key               text COLLATE "C" GENERATED ALWAYS AS (lower(family_name)) STORED,
    given_key                text COLLATE "C" GENERATED ALWAYS AS (lower(given_name)) STORED,
    CONSTRAINT patients_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, primary_care_manager_id) REFERENCES users (organization_id, id)
);
CREATE INDEX patients_name_idx ON patients (organization_id, family_key, given_key, id);
CREATE INDEX patients_given_idx ON patients (organization_id, given_key);
CREATE INDEX patients_care_manager_idx ON patients (organization_id, primary_care_manager_id, family_key, given_key, id);

CREATE TABLE patient_identifiers (
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    system           text NOT NULL,
    value            text NOT NULL,
    PRIMARY KEY (patient_id, system, value),
    CONSTRAINT patient_identifiers_org_system_value_key UNIQUE (organization_id, system, value),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX patient_identifiers_value_idx ON patient_identifiers (organization_id, value);

CREATE TABLE patient_status_changes (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    from_status      text,
    to_status        text NOT NULL,
    reason           text,
    changed_by       uuid,
    changed_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX patient_status_changes_patient_idx ON patient_status_changes (organization_id, patient_id, changed_at);

-- Integrations retry. A POST with an Idempotency-Key is answered once; a
-- retry replays the stored answer, a different body under the same key is refused.
CREATE TABLE idempotency_keys (
    organization_id  uuid NOT NULL,
    principal_id     uuid NOT NULL,
    key              text NOT NULL,
    request_hash     bytea NOT NULL,
    status_code      integer NOT NULL,
    response_body    jsonb NOT NULL,
    location         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, principal_id, key)
);

CREATE TABLE audit_events (
    id               bigserial PRIMARY KEY,
    organization_id  uuid NOT NULL,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    actor_type       text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
    actor_id         uuid,
    actor_label      text,
    action           text NOT NULL,
    patient_id       uuid,
    resource_type    text NOT NULL,
    resource_id      text,
    request_id       text,
    client_addr      text,
    details          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_org_idx ON audit_events (organization_id, id DESC);
CREATE INDEX audit_events_patient_idx ON audit_events (organization_id, patient_id, id DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_events_actor_idx ON audit_events (organization_id, actor_id, id DESC);
-- "Who saw this patient in a list?"
CREATE INDEX audit_events_listed_idx ON audit_events USING gin ((details -> 'patient_ids') jsonb_path_ops);

-- The audit trail is append-only for everyone, the API's own role included.
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
