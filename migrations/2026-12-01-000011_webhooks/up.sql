-- Webhooks (issue 10; DESIGN §5): subscriptions, a transactional outbox of
-- events, one delivery per event and subscription, and the log of every
-- attempt.
--
-- The signing secret is stored as issued, since signing needs it (a hash
-- could only verify). It lives with the PHI the deliveries carry, under
-- the same database access control, and the API shows it only in the
-- answer that creates it.
CREATE TABLE webhook_subscriptions (
    id                       uuid PRIMARY KEY,
    organization_id          uuid NOT NULL REFERENCES organizations (id),
    url                      text NOT NULL CHECK (url ~ '^https?://'),
    events                   text[] NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY[
                                 'encounter.discharged', 'task.overdue', 'screening.safety_flag',
                                 'referral.status_changed', 'risk.increased']::text[]),
    description              text,
    active                   boolean NOT NULL DEFAULT true,
    include_clinical_detail  boolean NOT NULL DEFAULT false,
    secret                   text NOT NULL,
    secret_prefix            text NOT NULL,
    created_by               uuid,
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    deleted_at               timestamptz,
    CONSTRAINT webhook_subscriptions_org_id_key UNIQUE (organization_id, id)
);
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (organization_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;

-- The outbox: written in the transaction of the event itself, only when a
-- subscription wants it. `data` holds ids and event facts; `detail` the
-- clinical detail, sent only where a subscription allows it.
CREATE TABLE webhook_events (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    type             text NOT NULL CHECK (type IN ('encounter.discharged', 'task.overdue',
                         'screening.safety_flag', 'referral.status_changed', 'risk.increased')),
    subject_id       uuid NOT NULL,
    occurred_at      timestamptz NOT NULL,
    data             jsonb NOT NULL,
    detail           jsonb,
    created_at       timestamptz NOT NULL,
    CONSTRAINT webhook_events_org_id_key UNIQUE (organization_id, id)
);
-- A task goes overdue once.
CREATE UNIQUE INDEX webhook_events_task_overdue_once ON webhook_events (organization_id, subject_id)
    WHERE type = 'task.overdue';

CREATE TABLE webhook_deliveries (
    id                   uuid PRIMARY KEY,
    organization_id      uuid NOT NULL,
    subscription_id      uuid NOT NULL,
    event_id             uuid NOT NULL,
    status               text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts             integer NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL,
    -- While an attempt is under way: until when it holds the delivery
    -- (a process that dies mid-attempt lets it go at this time).
    claimed_until        timestamptz,
    replay_requested_by  uuid,
    delivered_at         timestamptz,
    last_status_code     integer,
    last_error           text,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT webhook_deliveries_org_id_key UNIQUE (organization_id, id),
    UNIQUE (subscription_id, event_id),
    FOREIGN KEY (organization_id, subscription_id) REFERENCES webhook_subscriptions (organization_id, id),
    FOREIGN KEY (organization_id, event_id) REFERENCES webhook_events (organization_id, id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (organization_id, subscription_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    delivery_id      uuid NOT NULL,
    number           integer NOT NULL,
    at               timestamptz NOT NULL,
    duration_ms      integer NOT NULL,
    status_code      integer,
    error            text,
    succeeded        boolean NOT NULL,
    replayed_by      uuid,
    FOREIGN KEY (organization_id, delivery_id) REFERENCES webhook_deliveries (organization_id, id)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, number DESC);
