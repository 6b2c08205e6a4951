ALTER TABLE log_entries ADD INDEX IF NOT EXISTS idx_raw raw_text TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 4
