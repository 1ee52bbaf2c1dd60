-- Screenings (DESIGN §4): the instrument, when it was given, the answers
-- item by item, and what the server scored from them. The score columns are
-- written by the server only (shared::screening), never taken from a
-- client. A wrong screening is marked entered-in-error, never deleted.
CREATE TABLE screenings (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL,
    patient_id          uuid NOT NULL,
    instrument          text NOT NULL CHECK (instrument IN
                            ('phq9', 'phq2', 'gad7', 'audit_c', 'dast10', 'cssrs', 'ahc_hrsn')),
    administered_at     timestamptz NOT NULL,
    total               integer,
    severity            text NOT NULL,
    positive            boolean NOT NULL,
    flags               text[] NOT NULL DEFAULT '{}',
    -- The scored result as the API answers it (reasons, social needs,
    -- LOINC codes), kept so a later change of wording never rewrites history.
    scored              jsonb NOT NULL,
    recorded_by         uuid,
    entered_in_error_at     timestamptz,
    entered_in_error_by     uuid,
    entered_in_error_reason text,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((entered_in_error_at IS NULL) = (entered_in_error_reason IS NULL)),
    CONSTRAINT screenings_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
-- A patient's history of one instrument, in time order (and all of them).
CREATE INDEX screenings_patient_idx
    ON screenings (organization_id, patient_id, instrument, administered_at, id);
CREATE INDEX screenings_patient_time_idx
    ON screenings (organization_id, patient_id, administered_at DESC, id);

-- The answers, one row per item as asked ("1" … "10", "6_recent").
CREATE TABLE screening_answers (
    organization_id  uuid NOT NULL,
    screening_id     uuid NOT NULL,
    item             text NOT NULL,
    -- Exactly as sent: an integer, a boolean, or a list of box numbers.
    value            jsonb NOT NULL,
    PRIMARY KEY (screening_id, item),
    FOREIGN KEY (organization_id, screening_id) REFERENCES screenings (organization_id, id)
);

-- Rule-made safety alerts, and tasks that come from a screening.
ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN
    ('admission', 'discharge', 'missed_appointment', 'disengagement', 'safety'));
