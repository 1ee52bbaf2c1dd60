-- The version each record had after the last time it was sent (POST with
-- an external_id). A person's edit moves `version` past it, and a resend
-- may then overwrite the record only by naming the version it saw.
ALTER TABLE encounters ADD COLUMN synced_version integer;
ALTER TABLE appointments ADD COLUMN synced_version integer;
UPDATE encounters SET synced_version = version;
UPDATE appointments SET synced_version = version;
