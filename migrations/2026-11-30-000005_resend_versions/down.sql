ALTER TABLE encounters DROP COLUMN synced_version;
ALTER TABLE appointments DROP COLUMN synced_version;
