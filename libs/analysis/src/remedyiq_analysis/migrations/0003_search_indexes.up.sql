-- Skip indexes for search (KQL) over stored jobs: Trace ID lookups and free text over raw lines.
-- Applied by the platform's migrations; `remedyiq analyze` stops at 0002 (it only reports).
ALTER TABLE log_entries ADD INDEX IF NOT EXISTS idx_trace trace_id TYPE bloom_filter(0.01) GRANULARITY 4;
ALTER TABLE log_entries ADD INDEX IF NOT EXISTS idx_raw raw_text TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 4
