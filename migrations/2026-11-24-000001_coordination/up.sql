-- Care coordination: contacts, care teams, encounters, appointments, tasks,
-- outreach, notes, alerts. Foreign keys carry organization_id so a row can
-- never point into another tenant.

ALTER TABLE organizations ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE organization_holidays (
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    date             date NOT NULL,
    name             text NOT NULL,
    PRIMARY KEY (organization_id, date)
);

CREATE TABLE contacts (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL,
    patient_id          uuid NOT NULL,
    name                text NOT NULL,
    relationship        text NOT NULL CHECK (relationship IN ('parent', 'spouse', 'partner', 'child', 'sibling',
                            'relative', 'friend', 'caregiver', 'guardian', 'other')),
    phone               text,
    email               text,
    emergency_contact   boolean NOT NULL DEFAULT false,
    consent_scope       text CHECK (consent_scope IN ('appointments', 'health_information', 'behavioral_health')),
    consent_starts_on   date,
    consent_expires_on  date,
    notes               text,
    active              boolean NOT NULL DEFAULT true,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((consent_scope IS NULL) = (consent_starts_on IS NULL)),
    CONSTRAINT contacts_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX contacts_patient_idx ON contacts (organization_id, patient_id, name, id);

CREATE TABLE care_team_members (
    id                 uuid PRIMARY KEY,
    organization_id    uuid NOT NULL,
    patient_id         uuid NOT NULL,
    user_id            uuid,
    name               text,
    organization_name  text,
    phone              text,
    role               text NOT NULL CHECK (role IN ('pcp', 'psychiatrist', 'therapist', 'peer_specialist',
                           'care_manager', 'nurse', 'social_worker', 'pharmacist', 'other')),
    start_date         date NOT NULL,
    end_date           date,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- A member is a user of the organization or a named outsider, never both.
    CHECK ((user_id IS NULL) <> (name IS NULL)),
    CHECK (end_date IS NULL OR end_date >= start_date),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX care_team_patient_idx ON care_team_members (organization_id, patient_id, start_date, id);
CREATE INDEX care_team_user_idx ON care_team_members (organization_id, user_id) WHERE user_id IS NOT NULL;

CREATE TABLE tasks (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL,
    patient_id          uuid NOT NULL,
    assignee_id         uuid,
    kind                text NOT NULL CHECK (kind IN ('safety_followup', 'transition_followup',
                            'missed_appointment_followup', 'referral_followup', 'screening_due',
                            'care_plan_review', 'outreach', 'chart_review', 'custom')),
    title               text NOT NULL,
    details             text,
    due_at              timestamptz NOT NULL,
    priority            text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    outcome             text,
    transition_outcome  jsonb,
    cancel_reason       text,
    source_type         text NOT NULL,
    source_id           uuid,
    context             jsonb,
    created_by          uuid,
    completed_at        timestamptz,
    completed_by        uuid,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, assignee_id) REFERENCES users (organization_id, id)
);
-- The worklist: one care manager's open tasks.
CREATE INDEX tasks_assignee_open_idx ON tasks (organization_id, assignee_id, due_at)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX tasks_patient_idx ON tasks (organization_id, patient_id, due_at, id);
CREATE INDEX tasks_due_idx ON tasks (organization_id, due_at, id);
-- A rule creates at most one task of a kind per event: a resent discharge
-- or a re-marked miss can never produce a second follow-up.
CREATE UNIQUE INDEX tasks_one_per_source_idx ON tasks (organization_id, source_type, source_id, kind)
    WHERE source_id IS NOT NULL;

CREATE TABLE encounters (
    id                     uuid PRIMARY KEY,
    organization_id        uuid NOT NULL,
    patient_id             uuid NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('inpatient_psych', 'inpatient_medical', 'ed', 'bhcc', 'detox')),
    facility               text NOT NULL,
    admitted_at            timestamptz NOT NULL,
    discharged_at          timestamptz,
    discharge_disposition  text,
    source                 text NOT NULL CHECK (source IN ('manual', 'integration')),
    external_id            text,
    followup_task_id       uuid,
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (discharged_at IS NULL OR discharged_at >= admitted_at),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, followup_task_id) REFERENCES tasks (organization_id, id)
);
CREATE UNIQUE INDEX encounters_external_idx ON encounters (organization_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX encounters_patient_idx ON encounters (organization_id, patient_id, admitted_at DESC, id);
CREATE INDEX encounters_org_idx ON encounters (organization_id, admitted_at DESC, id);

CREATE TABLE appointments (
    id                 uuid PRIMARY KEY,
    organization_id    uuid NOT NULL,
    patient_id         uuid NOT NULL,
    provider_name      text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('therapy', 'psychiatry', 'medical', 'other')),
    scheduled_at       timestamptz NOT NULL,
    location           text,
    status             text NOT NULL CHECK (status IN ('scheduled', 'attended', 'missed', 'cancelled', 'rescheduled')),
    status_changed_at  timestamptz,
    notes              text,
    source             text NOT NULL CHECK (source IN ('manual', 'integration')),
    external_id        text,
    followup_task_id   uuid,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, followup_task_id) REFERENCES tasks (organization_id, id)
);
CREATE UNIQUE INDEX appointments_external_idx ON appointments (organization_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX appointments_patient_idx ON appointments (organization_id, patient_id, scheduled_at DESC, id);
CREATE INDEX appointments_org_idx ON appointments (organization_id, scheduled_at DESC, id);
-- The disengagement rule counts a patient's recent misses.
CREATE INDEX appointments_missed_idx ON appointments (organization_id, patient_id, scheduled_at)
    WHERE status = 'missed';

CREATE TABLE outreach_attempts (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    task_id          uuid,
    contact_id       uuid,
    shared_scope     text CHECK (shared_scope IN ('appointments', 'health_information', 'behavioral_health')),
    method           text NOT NULL CHECK (method IN ('phone', 'text', 'visit', 'letter', 'in_person')),
    outcome          text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'left_message', 'wrong_number', 'declined')),
    notes            text,
    occurred_at      timestamptz NOT NULL,
    created_by       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id),
    FOREIGN KEY (organization_id, contact_id) REFERENCES contacts (organization_id, id)
);
CREATE INDEX outreach_patient_idx ON outreach_attempts (organization_id, patient_id, occurred_at DESC, id);
CREATE INDEX outreach_task_idx ON outreach_attempts (organization_id, task_id) WHERE task_id IS NOT NULL;

CREATE TABLE notes (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    author_id        uuid,
    note_type        text NOT NULL CHECK (note_type IN ('care_coordination', 'outreach', 'chart_review', 'education',
                         'huddle', 'consultation', 'assessment', 'administrative')),
    body             text NOT NULL,
    minutes          integer NOT NULL CHECK (minutes BETWEEN 0 AND 720),
    occurred_at      timestamptz NOT NULL,
    task_id          uuid,
    signed_at        timestamptz,
    signed_by        uuid,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((signed_at IS NULL) = (signed_by IS NULL)),
    CONSTRAINT notes_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id)
);
CREATE INDEX notes_patient_idx ON notes (organization_id, patient_id, occurred_at DESC, id);
-- Productivity: minutes per author per day.
CREATE INDEX notes_author_idx ON notes (organization_id, author_id, occurred_at);

CREATE TABLE note_addenda (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    note_id          uuid NOT NULL,
    author_id        uuid,
    body             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, note_id) REFERENCES notes (organization_id, id)
);
CREATE INDEX note_addenda_note_idx ON note_addenda (organization_id, note_id, created_at);

-- A signed note is part of the legal record: the database itself refuses to
-- change or delete it, and addenda are append-only.
CREATE FUNCTION notes_signed_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'note % is signed and cannot be changed (%)', OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER notes_signed_immutable
    BEFORE UPDATE OR DELETE ON notes
    FOR EACH ROW EXECUTE FUNCTION notes_signed_are_immutable();

CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER note_addenda_append_only
    BEFORE UPDATE OR DELETE ON note_addenda
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE alerts (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL,
    patient_id        uuid NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('admission', 'discharge', 'missed_appointment', 'disengagement')),
    severity          text NOT NULL CHECK (severity IN ('info', 'warning', 'high')),
    message           text NOT NULL,
    source_type       text NOT NULL,
    source_id         uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    acknowledged_at   timestamptz,
    acknowledged_by   uuid,
    CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
    CONSTRAINT alerts_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX alerts_patient_idx ON alerts (organization_id, patient_id, created_at DESC, id);
CREATE UNIQUE INDEX alerts_one_per_source_idx ON alerts (organization_id, source_type, source_id, kind)
    WHERE source_id IS NOT NULL;

CREATE TABLE alert_recipients (
    organization_id  uuid NOT NULL,
    alert_id         uuid NOT NULL,
    user_id          uuid NOT NULL,
    PRIMARY KEY (alert_id, user_id),
    FOREIGN KEY (organization_id, alert_id) REFERENCES alerts (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX alert_recipients_user_idx ON alert_recipients (organization_id, user_id, alert_id);
