ALTER TABLE log_entries DROP COLUMN IF EXISTS sql_fingerprint
