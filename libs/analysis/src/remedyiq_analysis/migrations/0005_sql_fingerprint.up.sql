-- The fingerprint of each SQL statement, computed once at insert: ClickHouse's
-- normalizedQueryHashKeepNames (literals and IN-lists collapse, AR's T…/C… names stay). Grouping
-- a job's statements by it reads 8 bytes a row instead of hashing every statement's text on
-- every dashboard read (about 1 s per 10M entries). Other rows hash the empty statement. A log
-- has a few hundred distinct fingerprints: ZSTD stores them in 2 bytes a statement (LZ4 in 3).
ALTER TABLE log_entries ADD COLUMN IF NOT EXISTS sql_fingerprint UInt64
    MATERIALIZED normalizedQueryHashKeepNames(sql_statement) CODEC(ZSTD(1))
