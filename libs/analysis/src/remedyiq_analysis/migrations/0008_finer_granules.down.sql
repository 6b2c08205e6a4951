DROP TABLE IF EXISTS log_entries_regranulated;
CREATE TABLE log_entries_regranulated AS log_entries
ENGINE = MergeTree
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (tenant_id, job_id, log_type, timestamp, file_number, line_number)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days) DELETE
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 10000;
INSERT INTO log_entries_regranulated SELECT * FROM log_entries;
EXCHANGE TABLES log_entries AND log_entries_regranulated;
DROP TABLE log_entries_regranulated
