ALTER TABLE log_entries DROP INDEX IF EXISTS idx_raw;
ALTER TABLE log_entries DROP INDEX IF EXISTS idx_trace
