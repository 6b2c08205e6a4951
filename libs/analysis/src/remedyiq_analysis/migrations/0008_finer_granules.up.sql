-- Granules of about 1 MiB instead of 8,192 rows (~6 MiB of raw lines here): a page of hits
-- sorted by duration (or any order that is not the table's) reads each hit's columns from a
-- different granule, and the engine decompresses a granule up to the row it wants, so reading
-- 100 hits decompressed ~300 MiB of raw lines. With 1 MiB granules a 10M-entry job's
-- `-duration` page went from ~250 to ~165 ms; scans cost the same; 2 % more bytes (marks).
-- The granule size of a MergeTree table is fixed when it is created, so the rows are copied
-- into a table made like log_entries (columns, codecs, indexes) with the new setting, which
-- then takes its place (EXCHANGE TABLES needs an Atomic database, the default). Run again after
-- an interruption it starts over from whatever log_entries is: no row is copied twice.
DROP TABLE IF EXISTS log_entries_regranulated;
CREATE TABLE log_entries_regranulated AS log_entries
ENGINE = MergeTree
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (tenant_id, job_id, log_type, timestamp, file_number, line_number)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days) DELETE
SETTINGS index_granularity = 8192, index_granularity_bytes = 1048576,
         non_replicated_deduplication_window = 10000;
INSERT INTO log_entries_regranulated SELECT * FROM log_entries;
EXCHANGE TABLES log_entries AND log_entries_regranulated;
DROP TABLE log_entries_regranulated
