-- Explainable risk (DESIGN §3). patients.risk_level stays the level in
-- force (the worklist orders by it); what a clinician or the EHR wrote as
-- the patient's level is kept apart as the assessed level, one factor
-- among the others.
ALTER TABLE patients ADD COLUMN assessed_risk_level text
    CHECK (assessed_risk_level IN ('low', 'moderate', 'high', 'very_high'));
-- The heaviest factors' codes, so a worklist reason can name them without
-- reading the history.
ALTER TABLE patients ADD COLUMN risk_factors text[] NOT NULL DEFAULT '{}';
UPDATE patients SET assessed_risk_level = risk_level WHERE risk_level <> 'low';

-- Every change of a patient's risk: the computed level with its factors,
-- the level in force, and what set it off. Append-only.
CREATE TABLE risk_assessments (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    level            text NOT NULL CHECK (level IN ('low', 'moderate', 'high', 'very_high')),
    computed_level   text NOT NULL CHECK (computed_level IN ('low', 'moderate', 'high', 'very_high')),
    points           integer NOT NULL,
    factors          jsonb NOT NULL,
    cause            text NOT NULL,
    at               timestamptz NOT NULL,
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX risk_assessments_patient_idx
    ON risk_assessments (organization_id, patient_id, at DESC, id DESC);

-- Manual overrides: the newest one for a patient is the one that counts,
-- through its last day.
CREATE TABLE risk_overrides (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    level            text NOT NULL CHECK (level IN ('low', 'moderate', 'high', 'very_high')),
    reason           text NOT NULL CHECK (reason ~ '\S'),
    until            date NOT NULL,
    set_by           uuid,
    at               timestamptz NOT NULL,
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX risk_overrides_patient_idx
    ON risk_overrides (organization_id, patient_id, at DESC, id DESC);
-- Overrides still in force, for the daily pass that lets expired ones go.
CREATE INDEX risk_overrides_until_idx ON risk_overrides (until);

ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN
    ('admission', 'discharge', 'missed_appointment', 'disengagement', 'safety', 'risk_increase'));
