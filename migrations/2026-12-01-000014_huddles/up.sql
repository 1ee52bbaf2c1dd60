-- Huddles (issue 10; DESIGN §5): the team's case conference — its date,
-- attendees, the patients discussed with notes, and action items, each of
-- which is a task (created in the huddle's own transaction).

CREATE TABLE huddles (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    held_on          date NOT NULL,
    notes            text,
    recorded_by      uuid,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT huddles_org_id_key UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, recorded_by) REFERENCES users (organization_id, id)
);
CREATE INDEX huddles_held_on_idx ON huddles (organization_id, held_on DESC, id DESC);

CREATE TABLE huddle_attendees (
    huddle_id        uuid NOT NULL,
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    position         integer NOT NULL,
    PRIMARY KEY (huddle_id, user_id),
    FOREIGN KEY (organization_id, huddle_id) REFERENCES huddles (organization_id, id),
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);

CREATE TABLE huddle_patients (
    huddle_id        uuid NOT NULL,
    organization_id  uuid NOT NULL,
    patient_id       uuid NOT NULL,
    position         integer NOT NULL,
    notes            text,
    PRIMARY KEY (huddle_id, patient_id),
    FOREIGN KEY (organization_id, huddle_id) REFERENCES huddles (organization_id, id),
    FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
);
CREATE INDEX huddle_patients_patient_idx ON huddle_patients (organization_id, patient_id);

-- The task holds the item's title, patient, assignee and due time; this
-- keeps its place in the huddle.
CREATE TABLE huddle_action_items (
    id               uuid PRIMARY KEY,
    huddle_id        uuid NOT NULL,
    organization_id  uuid NOT NULL,
    position         integer NOT NULL,
    task_id          uuid NOT NULL UNIQUE,
    FOREIGN KEY (organization_id, huddle_id) REFERENCES huddles (organization_id, id),
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id)
);
CREATE INDEX huddle_action_items_huddle_idx ON huddle_action_items (huddle_id, position);
