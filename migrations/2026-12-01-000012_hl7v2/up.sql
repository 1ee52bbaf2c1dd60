-- HL7 v2 ADT in (issue 10; DESIGN §5): the message log that makes a resent
-- message idempotent, the organization's mapping from assigning authority
-- to identifier system, and cancelled encounters (A11).

-- An A11 cancels an admission: the encounter stays readable (nothing is
-- hard-deleted) but lists, risk and measures leave it out.
ALTER TABLE encounters
    ADD COLUMN cancelled_at   timestamptz,
    ADD COLUMN cancel_reason  text,
    ADD CONSTRAINT encounters_cancel_reason_check
        CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));

-- A rule still opens at most one task of a kind per event, but a task
-- cancelled because its event was taken back (an A13 cancelling a
-- discharge, a miss corrected to attended) no longer blocks the follow-up
-- of the event when it happens again (the patient is discharged after all).
DROP INDEX tasks_one_per_source_idx;
CREATE UNIQUE INDEX tasks_one_per_source_idx ON tasks (organization_id, source_type, source_id, kind)
    WHERE source_id IS NOT NULL AND status <> 'cancelled';

-- Every message that reached an organization, with the acknowledgment it
-- was answered with: a message resent with the same control id (MSH-10)
-- by the same sender is answered with that acknowledgment again, once it
-- was accepted. No message text is kept; patient and encounter ids are.
CREATE TABLE hl7_messages (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    -- MSH-3 and MSH-4 (sending application and facility) as sent.
    sender           text NOT NULL,
    control_id       text NOT NULL,
    -- MSH-9 as `ADT^A01`.
    message_type     text NOT NULL,
    received_at      timestamptz NOT NULL,
    ack_code         text NOT NULL CHECK (ack_code IN ('AA', 'AE', 'AR')),
    error            text,
    -- The acknowledgment exactly as sent back (replayed for a resend).
    ack              text NOT NULL,
    patient_id       uuid,
    encounter_id     uuid,
    -- The key or user that posted it.
    principal_id     uuid
);
-- A message without a control id (answered AR) cannot be resent as itself.
CREATE UNIQUE INDEX hl7_messages_control_idx ON hl7_messages (organization_id, sender, control_id)
    WHERE control_id <> '';
CREATE INDEX hl7_messages_received_idx ON hl7_messages (organization_id, received_at DESC, id);

-- Assigning authorities (CX-4 of PID-3, or the sending facility) whose
-- identifiers the organization files under another system name.
CREATE TABLE hl7_identifier_systems (
    organization_id      uuid NOT NULL REFERENCES organizations (id),
    assigning_authority  text NOT NULL,
    system               text NOT NULL,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (organization_id, assigning_authority)
);
