-- Care plans (DESIGN §2): one per patient; the current content and every
-- version ever saved, each a complete snapshot (a version is never edited).
CREATE TABLE care_plans (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    content          jsonb NOT NULL,
    review_due_on    date NOT NULL,
    updated_by       uuid,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT care_plans_org_id_key UNIQUE (organization_id, id),
    CONSTRAINT care_plans_one_per_patient UNIQUE (organization_id, patient_id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
-- Reviews coming due, for the scheduler.
CREATE INDEX care_plans_review_idx ON care_plans (organization_id, review_due_on);

CREATE TABLE care_plan_versions (
    organization_id  uuid NOT NULL,
    care_plan_id     uuid NOT NULL,
    version          integer NOT NULL,
    content          jsonb NOT NULL,
    changed_by       uuid,
    changed_at       timestamptz NOT NULL,
    PRIMARY KEY (care_plan_id, version),
    FOREIGN KEY (organization_id, care_plan_id) REFERENCES care_plans (organization_id, id)
);

-- Time-based duties the scheduler (or a save) found due: one row per
-- patient, kind and cycle (`key`), so a duty opens its task once however
-- many processes run the scheduler.
CREATE TABLE scheduled_duties (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN
                         ('phq9_routine', 'phq9_six_month', 'phq9_twelve_month', 'care_plan_review')),
    cycle            text NOT NULL,
    due_on           date NOT NULL,
    created_at       timestamptz NOT NULL,
    CONSTRAINT scheduled_duties_once UNIQUE (organization_id, patient_id, kind, cycle),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);

-- Each scheduler pass that ran (under the advisory lock), with its clock.
CREATE TABLE scheduler_runs (
    id               uuid PRIMARY KEY,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    clock            timestamptz NOT NULL,
    runner           text NOT NULL,
    tasks_opened     integer NOT NULL,
    risks_updated    integer NOT NULL
);

-- Chart reviews: a structured look at a record, the gaps it found (each may
-- become a task) and the minutes it took (also a signed chart-review note,
-- so it counts in productivity).
CREATE TABLE chart_reviews (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    reviewed_by      uuid,
    service_use      text NOT NULL,
    engagement       text NOT NULL CHECK (engagement IN ('engaged', 'partially_engaged', 'disengaged')),
    plan_adherence   text NOT NULL CHECK (plan_adherence IN ('adherent', 'partial', 'non_adherent', 'no_plan')),
    summary          text,
    minutes          integer NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    note_id          uuid NOT NULL,
    reviewed_at      timestamptz NOT NULL,
    CONSTRAINT chart_reviews_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
    FOREIGN KEY (organization_id, note_id) REFERENCES notes (organization_id, id)
);
CREATE INDEX chart_reviews_patient_idx ON chart_reviews (organization_id, patient_id, reviewed_at DESC, id DESC);

CREATE TABLE chart_review_findings (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    chart_review_id  uuid NOT NULL,
    code             text NOT NULL,
    description      text NOT NULL,
    task_id          uuid,
    FOREIGN KEY (organization_id, chart_review_id) REFERENCES chart_reviews (organization_id, id),
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id)
);
CREATE INDEX chart_review_findings_review_idx ON chart_review_findings (chart_review_id);

-- Patient education.
CREATE TABLE education_records (
    id                uuid PRIMARY KEY,
    organization_id   uuid NOT NULL,
    patient_id        uuid NOT NULL,
    topic             text NOT NULL,
    title             text NOT NULL,
    audience          text NOT NULL CHECK (audience IN ('patient', 'contact')),
    contact_id        uuid,
    method            text NOT NULL,
    materials         text,
    understanding     text NOT NULL CHECK (understanding IN ('confirmed_teach_back', 'needs_reinforcement', 'not_assessed')),
    language          text NOT NULL,
    interpreter_used  boolean NOT NULL,
    provided_by       uuid,
    provided_at       timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    CONSTRAINT education_records_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX education_records_patient_idx
    ON education_records (organization_id, patient_id, provided_at DESC, id DESC);
