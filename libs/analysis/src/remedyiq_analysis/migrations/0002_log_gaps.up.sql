-- log_gaps: the largest line and thread gaps of a job (the analyzer's gap tables). Gaps need every
-- record, not only events, so the parser keeps the top candidates (options.gap_candidates per kind)
-- and stores them here.
CREATE TABLE IF NOT EXISTS log_gaps
(
    tenant_id      LowCardinality(String),
    job_id         String,
    gap_kind       Enum8('line' = 1, 'thread' = 2),
    gap_ms         Int64,
    file_number    UInt16,
    line_number    UInt32,
    ref_line       UInt32,
    starts_event   Bool,
    timestamp      Nullable(DateTime64(3, 'UTC')),  -- a record without a time: its thread's last
    has_time       Bool,                            -- … and has_time = false ("null" in reports)
    trace_id       String,
    rpc_id         String,
    thread_id      LowCardinality(String),
    queue          LowCardinality(String),
    log_type       Enum8('API' = 1, 'SQL' = 2, 'FLTR' = 3, 'ESCL' = 4, 'USER' = 5, 'THRD' = 6,
                         'ALRT' = 7, 'OTHER' = 8),
    details        String,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    retention_days UInt16 DEFAULT 90
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (tenant_id, job_id, gap_kind, gap_ms, file_number, line_number)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days) DELETE
SETTINGS non_replicated_deduplication_window = 10000
