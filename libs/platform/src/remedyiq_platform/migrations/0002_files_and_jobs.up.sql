-- RemedyIQ PostgreSQL schema, part 2: uploaded files, analysis jobs, their byte ranges, stored
-- batches and durable results.
--
-- Every tenant table: tenant_id defaults to the transaction's app.tenant_id (so code cannot
-- pass the wrong one), ENABLE + FORCE ROW LEVEL SECURITY, and one policy USING and WITH CHECK
-- `tenant_id = app.tenant_id`. Child tables reference their parent through (tenant_id, id):
-- foreign-key checks bypass RLS, so a plain `file_id REFERENCES log_files(id)` would let a
-- tenant attach a job to another tenant's file if it learned its id. The composite keys make
-- that impossible.

-- Fixes to the seed's log_files: an upload lifecycle (status), compression, the detected log
-- types and AR version, the checksum verified on upload, and one row per object key.
CREATE TABLE log_files (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid
                    REFERENCES tenants (id),
    filename        text NOT NULL CHECK (filename <> ''),
    size_bytes      bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    s3_bucket       text NOT NULL,
    s3_key          text NOT NULL,
    content_type    text NOT NULL DEFAULT 'text/plain',
    compression     text CHECK (compression <> ''),          -- NULL: not compressed
    status          text NOT NULL DEFAULT 'uploading'
                    CHECK (status IN ('uploading', 'ready', 'deleted')),
    checksum_sha256 text CHECK (checksum_sha256 ~ '^[0-9a-f]{64}$'),
    detected_types  text[] NOT NULL DEFAULT '{}',
    ar_version      text,
    uploaded_at     timestamptz NOT NULL DEFAULT now(),       -- when the upload was registered
    ready_at        timestamptz,
    deleted_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (s3_bucket, s3_key),
    -- A row can only name an object under its own tenant's prefix (see stores/objects_keys).
    CHECK (starts_with(s3_key, 'tenants/' || tenant_id::text || '/'))
);

CREATE INDEX log_files_tenant_uploaded ON log_files (tenant_id, uploaded_at DESC, id DESC);

-- Fixes to the seed's analysis_jobs:
--  * jar_flags stays, as the analyzer options (named like the reference analyzer's command-line
--    options: top N, begin/end time, users, grouping, sort). There is no jar.
--  * DROPPED jvm_heap_mb, timeout_seconds and jar_stderr: they configured and captured a JVM
--    running BMC's jar; RemedyIQ parses and analyses in its own services, so they would only
--    ever hold defaults. Also dropped: start_time/end_time (now started_at/completed_at) and
--    log_duration (derived from log_start/log_end, never stored twice).
--  * status: the seed listed 'analyzing' before 'storing'; the pipeline order is
--    queued -> parsing -> storing -> analyzing -> complete, plus failed and cancelled. The
--    allowed transitions are enforced in the jobs repository and, as a backstop, by the
--    analysis_jobs_check_status trigger below.
--  * progress in bytes and stored rows, not only lines (ranges are byte ranges).
CREATE TABLE analysis_jobs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid
                    REFERENCES tenants (id),
    file_id         uuid NOT NULL,
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'parsing', 'storing', 'analyzing', 'complete',
                                      'failed', 'cancelled')),
    jar_flags       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(jar_flags) = 'object'),
    progress_pct    integer NOT NULL DEFAULT 0 CHECK (progress_pct BETWEEN 0 AND 100),
    total_lines     bigint CHECK (total_lines >= 0),
    processed_lines bigint NOT NULL DEFAULT 0 CHECK (processed_lines >= 0),
    api_count       bigint CHECK (api_count >= 0),
    sql_count       bigint CHECK (sql_count >= 0),
    filter_count    bigint CHECK (filter_count >= 0),
    esc_count       bigint CHECK (esc_count >= 0),
    log_start       timestamptz,
    log_end         timestamptz,
    bytes_total     bigint CHECK (bytes_total >= 0),
    bytes_parsed    bigint NOT NULL DEFAULT 0 CHECK (bytes_parsed >= 0),
    rows_stored     bigint NOT NULL DEFAULT 0 CHECK (rows_stored >= 0),
    error_message   text,
    started_at      timestamptz,
    completed_at    timestamptz,
    created_by      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, file_id) REFERENCES log_files (tenant_id, id)
);

-- Listing (keyset pagination on (created_at, id)), with and without a status filter.
CREATE INDEX analysis_jobs_tenant_created ON analysis_jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX analysis_jobs_tenant_status
    ON analysis_jobs (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX analysis_jobs_tenant_file ON analysis_jobs (tenant_id, file_id);

-- Backstop for the repository's transition rules: a final status never changes, and the
-- pipeline only moves one step forward (or to failed/cancelled).
CREATE FUNCTION analysis_jobs_check_status() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    chain constant text[] := ARRAY['queued', 'parsing', 'storing', 'analyzing', 'complete'];
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF OLD.status IN ('complete', 'failed', 'cancelled') THEN
        RAISE EXCEPTION 'job %: status % is final (refused: %)', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status IN ('failed', 'cancelled')
       OR array_position(chain, NEW.status) = array_position(chain, OLD.status) + 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'job %: illegal status transition % -> %', OLD.id, OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER analysis_jobs_check_status BEFORE UPDATE OF status ON analysis_jobs
    FOR EACH ROW EXECUTE FUNCTION analysis_jobs_check_status();
CREATE TRIGGER log_files_set_updated_at BEFORE UPDATE ON log_files
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER analysis_jobs_set_updated_at BEFORE UPDATE ON analysis_jobs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- New: the byte ranges a job's file is split into (several parser replicas work on one file).
-- Planned once (idempotently), marked parsed once; summary_key is the object key of the
-- range's summary (boundary state for joining calls across ranges). first_line is NULL when
-- the planner did not count lines.
CREATE TABLE job_ranges (
    tenant_id    uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
    job_id       uuid NOT NULL,
    range_index  integer NOT NULL CHECK (range_index >= 0),
    file_number  integer NOT NULL DEFAULT 1 CHECK (file_number >= 1),
    start_offset bigint NOT NULL CHECK (start_offset >= 0),
    end_offset   bigint NOT NULL CHECK (end_offset >= start_offset),
    first_line   bigint CHECK (first_line >= 1),
    status       text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'parsed')),
    batches      integer CHECK (batches >= 0),
    rows         bigint CHECK (rows >= 0),
    summary_key  text,
    parsed_at    timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, range_index),
    FOREIGN KEY (tenant_id, job_id) REFERENCES analysis_jobs (tenant_id, id) ON DELETE CASCADE,
    CHECK ((status = 'parsed') = (parsed_at IS NOT NULL)),
    CHECK (summary_key IS NULL OR starts_with(summary_key, 'tenants/' || tenant_id::text || '/'))
);

-- New: each batch the writer stored, recorded once (INSERT ... ON CONFLICT DO NOTHING), so a
-- redelivered batch is recognised and the stored row count is exact.
CREATE TABLE job_batches (
    tenant_id  uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
    job_id     uuid NOT NULL,
    batch_id   text NOT NULL CHECK (batch_id <> ''),
    table_name text NOT NULL CHECK (table_name <> ''),
    rows       bigint NOT NULL CHECK (rows >= 0),
    stored_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, batch_id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES analysis_jobs (tenant_id, id) ON DELETE CASCADE
);

-- Fix: the seed kept analysis results only in a cache. They are durable here: a dashboard
-- opened a month later still works (the cache in Redis is only a cache).
CREATE TABLE analysis_results (
    job_id     uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid,
    report     jsonb NOT NULL,
    meta       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, job_id) REFERENCES analysis_jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE TRIGGER analysis_results_set_updated_at BEFORE UPDATE ON analysis_results
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE log_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE log_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON log_files
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE analysis_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE analysis_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analysis_jobs
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE job_ranges ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_ranges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_ranges
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE job_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_batches
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE analysis_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE analysis_results FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analysis_results
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Only what the services do: files and jobs are never hard-deleted by them (a file is marked
-- 'deleted'; a retention purge gets its own grant when it is built); batches are append-only.
GRANT SELECT, INSERT, UPDATE ON log_files, analysis_jobs, job_ranges, analysis_results
    TO {{app_role}};
GRANT SELECT, INSERT ON job_batches TO {{app_role}};
