-- The provider network, closed-loop referrals with their barriers,
-- medical-necessity criteria per service, and community programs with
-- patients' enrollments (issue 9; DESIGN §2–§3, §5).

-- ZIP-code centres, for distances between a patient and a provider without
-- calling a geocoder: a deployment loads the Census ZCTA gazetteer (public
-- domain); the demo seed loads its own ZIP codes.
CREATE TABLE postal_code_centroids (
    postal_code  text PRIMARY KEY CHECK (postal_code ~ '^[0-9]{5}$'),
    latitude     double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude    double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180)
);

CREATE TABLE providers (
    id                     uuid PRIMARY KEY,
    organization_id        uuid NOT NULL REFERENCES organizations (id),
    name                   text NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('organization', 'practitioner')),
    services               text[] NOT NULL DEFAULT '{}',
    specialties            text[] NOT NULL DEFAULT '{}',
    languages              text[] NOT NULL DEFAULT '{}',
    payers                 text[] NOT NULL DEFAULT '{}',
    medicaid               boolean NOT NULL DEFAULT false,
    accepting_new_clients  boolean NOT NULL DEFAULT false,
    address_line1          text,
    address_line2          text,
    address_city           text,
    address_state          text,
    address_postal_code    text,
    latitude               double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude              double precision CHECK (longitude BETWEEN -180 AND 180),
    phone                  text,
    hours                  text,
    network_status         text NOT NULL CHECK (network_status IN
                               ('prospect', 'recruiting', 'credentialing', 'in_network', 'inactive')),
    notes                  text,
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    CONSTRAINT providers_org_id_key UNIQUE (organization_id, id),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX providers_name_idx ON providers (organization_id, lower(name), id);
CREATE INDEX providers_services_idx ON providers USING gin (services);
CREATE INDEX providers_languages_idx ON providers USING gin (languages);

CREATE TABLE provider_activities (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    provider_id      uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'contract', 'status_change', 'other')),
    summary          text NOT NULL,
    occurred_at      timestamptz NOT NULL,
    recorded_by      uuid,
    FOREIGN KEY (organization_id, provider_id) REFERENCES providers (organization_id, id)
);
CREATE INDEX provider_activities_idx ON provider_activities (organization_id, provider_id, occurred_at DESC, id DESC);

CREATE TABLE provider_credentials (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    provider_id      uuid NOT NULL,
    name             text NOT NULL,
    reference        text,
    expires_on       date NOT NULL,
    recorded_by      uuid,
    created_at       timestamptz NOT NULL,
    FOREIGN KEY (organization_id, provider_id) REFERENCES providers (organization_id, id)
);
CREATE INDEX provider_credentials_idx ON provider_credentials (organization_id, provider_id, expires_on, id);
CREATE INDEX provider_credentials_expiry_idx ON provider_credentials (organization_id, expires_on);

-- A receiving provider's key answers for one provider.
ALTER TABLE api_keys ADD COLUMN provider_id uuid;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_provider_fk
    FOREIGN KEY (organization_id, provider_id) REFERENCES providers (organization_id, id);

CREATE TABLE service_criteria (
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    service          text NOT NULL,
    criteria         jsonb NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    updated_by       uuid,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (organization_id, service)
);

CREATE TABLE referrals (
    id                         uuid PRIMARY KEY,
    organization_id            uuid NOT NULL,
    patient_id                 uuid NOT NULL,
    provider_id                uuid NOT NULL,
    service                    text NOT NULL,
    priority                   text NOT NULL CHECK (priority IN ('routine', 'urgent', 'emergent')),
    reason                     text NOT NULL,
    need_id                    uuid,
    intervention_id            uuid,
    due_date                   date NOT NULL,
    status                     text NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'scheduled',
                                   'completed', 'closed', 'declined', 'cancelled', 'no_show')),
    sent_at                    timestamptz,
    responded_at               timestamptz,
    scheduled_at               timestamptz,
    appointment_at             timestamptz,
    completed_at               timestamptz,
    closed_at                  timestamptz,
    outcome                    text,
    status_reason              text,
    medical_necessity          jsonb,
    necessity_override_reason  text,
    satisfaction_rating        smallint CHECK (satisfaction_rating BETWEEN 1 AND 5),
    satisfaction_comment       text,
    re_referral_of             uuid,
    overdue_alerted_on         date,
    created_by                 uuid,
    version                    integer NOT NULL DEFAULT 1,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    CONSTRAINT referrals_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, provider_id) REFERENCES providers (organization_id, id),
    FOREIGN KEY (organization_id, re_referral_of) REFERENCES referrals (organization_id, id)
);
CREATE INDEX referrals_patient_idx ON referrals (organization_id, patient_id, created_at DESC, id DESC);
CREATE INDEX referrals_provider_idx ON referrals (organization_id, provider_id, created_at DESC, id DESC);
CREATE INDEX referrals_open_idx ON referrals (organization_id, status, due_date)
    WHERE status NOT IN ('closed', 'cancelled');
-- A no-show is re-referred once.
CREATE UNIQUE INDEX referrals_one_re_referral_idx ON referrals (organization_id, re_referral_of)
    WHERE re_referral_of IS NOT NULL;

CREATE TABLE referral_status_changes (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    referral_id      uuid NOT NULL,
    from_status      text,
    to_status        text NOT NULL,
    reason           text,
    party            text NOT NULL CHECK (party IN ('referrer', 'provider')),
    actor_type       text NOT NULL,
    actor_id         uuid,
    actor_label      text NOT NULL,
    at               timestamptz NOT NULL,
    FOREIGN KEY (organization_id, referral_id) REFERENCES referrals (organization_id, id)
);
CREATE INDEX referral_status_changes_idx ON referral_status_changes (organization_id, referral_id, at, id);

CREATE TABLE referral_barriers (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    referral_id      uuid NOT NULL,
    patient_id       uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('transportation', 'insurance', 'documentation',
                         'language', 'childcare', 'cost', 'other')),
    description      text,
    resolution       text,
    resolved_by      uuid,
    resolved_at      timestamptz,
    created_by       uuid,
    created_at       timestamptz NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    CONSTRAINT referral_barriers_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, referral_id) REFERENCES referrals (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    CHECK ((resolution IS NULL) = (resolved_at IS NULL))
);
CREATE INDEX referral_barriers_referral_idx ON referral_barriers (organization_id, referral_id, created_at, id);
CREATE INDEX referral_barriers_open_idx ON referral_barriers (organization_id, patient_id)
    WHERE resolved_at IS NULL;

CREATE TABLE programs (
    id                 uuid PRIMARY KEY,
    organization_id    uuid NOT NULL REFERENCES organizations (id),
    name               text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('housing', 'transportation', 'interpretation',
                           'benefits', 'self_management', 'peer_support', 'other')),
    description        text,
    eligibility_notes  text,
    contact            text,
    renewal_months     integer CHECK (renewal_months BETWEEN 1 AND 60),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL,
    CONSTRAINT programs_org_id_key UNIQUE (organization_id, id)
);
CREATE INDEX programs_name_idx ON programs (organization_id, lower(name), id);

CREATE TABLE enrollments (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    program_id       uuid NOT NULL,
    status           text NOT NULL CHECK (status IN ('referred', 'applied', 'enrolled', 'denied', 'exited')),
    referred_on      date NOT NULL,
    applied_on       date,
    enrolled_on      date,
    denied_on        date,
    exited_on        date,
    renewal_due_on   date,
    notes            text,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT enrollments_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, program_id) REFERENCES programs (organization_id, id)
);
CREATE INDEX enrollments_patient_idx ON enrollments (organization_id, patient_id, created_at DESC, id DESC);
CREATE INDEX enrollments_renewal_idx ON enrollments (organization_id, renewal_due_on)
    WHERE status = 'enrolled';

ALTER TABLE scheduled_duties DROP CONSTRAINT IF EXISTS scheduled_duties_kind_check;
ALTER TABLE scheduled_duties ADD CONSTRAINT scheduled_duties_kind_check CHECK (kind IN
    ('phq9_routine', 'phq9_six_month', 'phq9_twelve_month', 'care_plan_review', 'enrollment_renewal'));

ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN
    ('admission', 'discharge', 'missed_appointment', 'disengagement', 'safety', 'risk_increase',
     'referral_overdue'));
