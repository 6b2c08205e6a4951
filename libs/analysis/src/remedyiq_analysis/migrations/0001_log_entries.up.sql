-- log_entries: one row per event (an API call with its end, an SQL statement with its close, a
-- filter check with its result and actions, an escalation run, a filter phase, a schedule) or per
-- record that belongs to no event. See remedyiq_arlog.schema for the meaning of every column.
--
-- Corrections to the seed data model (design.md §5):
-- * retention counts from ingestion, per row (TTL ingested_at + retention_days, set from the
--   tenant's plan at insert): the seed's `TTL timestamp + 90 DAY` deleted old logs on arrival;
-- * partitions by ingestion month, not by tenant: a partition per tenant multiplies parts and
--   merges, and retention drops whole months;
-- * entry identity is (tenant, job, file_number, line_number) — deterministic, so a redelivered
--   batch is recognisable — instead of a random UUID;
-- * line numbers, byte offsets and the reference's own Line# are kept, so the original lines and
--   the reference report can always be reproduced;
-- * search indexes come in their own migration (0003): the platform needs them, a one-off
--   `remedyiq analyze` does not (they halve the insert rate);
-- * no aggregate/top-N materialized views: every section is computed from this table (its sort
--   key puts one job's rows of one type together), and dashboards read durable results.
CREATE TABLE IF NOT EXISTS log_entries
(
    tenant_id         LowCardinality(String),
    job_id            String,
    file_number       UInt16,
    line_number       UInt32,
    ref_line          UInt32,
    end_line          UInt32,
    byte_offset       UInt64,
    records           UInt32,
    lines             UInt32,
    timestamp         DateTime64(3, 'UTC'),
    log_type          Enum8('API' = 1, 'SQL' = 2, 'FLTR' = 3, 'ESCL' = 4, 'USER' = 5, 'THRD' = 6,
                            'ALRT' = 7, 'OTHER' = 8),
    kind              Enum8('line' = 1, 'call' = 2, 'call_open' = 3, 'call_orphan_end' = 4,
                            'statement' = 5, 'statement_open' = 6, 'check' = 7, 'check_open' = 8,
                            'phase' = 9, 'run' = 10, 'run_open' = 11, 'schedule' = 12,
                            'ignored' = 13, 'malformed' = 14),
    trace_id          String,
    rpc_id            String,
    thread_id         LowCardinality(String),
    queue             LowCardinality(String),
    client_rpc        LowCardinality(String),
    user              LowCardinality(String),
    overlay_group     LowCardinality(String),
    duration_ms       Int64,
    queue_time_ms     Float64,
    success           Bool,
    error_message     String,
    api_code          LowCardinality(String),
    api_name          LowCardinality(String),
    form              LowCardinality(String),
    client            LowCardinality(String),
    client_ip         LowCardinality(String),
    sql_table         LowCardinality(String),
    sql_action        LowCardinality(String),
    sql_statement     String CODEC(ZSTD(3)),
    filter_name       LowCardinality(String),
    filter_level      UInt16,
    filter_number     UInt32,
    filter_result     Enum8('none' = 0, 'passed' = 1, 'failed' = 2, 'failed_else' = 3),
    filter_phase      UInt8,
    phase_marker      Enum8('none' = 0, 'start' = 1, 'end' = 2, 'restart' = 3),
    operation         LowCardinality(String),
    request_id        String,
    actions           UInt32,
    esc_name          LowCardinality(String),
    esc_pool          LowCardinality(String),
    scheduled_time    Nullable(DateTime64(3, 'UTC')),
    error_encountered Bool,
    raw_text          String CODEC(ZSTD(3)),
    ingested_at       DateTime64(3, 'UTC') DEFAULT now64(3),
    retention_days    UInt16 DEFAULT 90
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (tenant_id, job_id, log_type, timestamp, file_number, line_number)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days) DELETE
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 10000
