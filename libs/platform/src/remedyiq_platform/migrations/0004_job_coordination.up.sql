-- Coordination of a job across the pipeline: how many entry batches must be stored before the
-- analysis runs (the ranges' batches plus those of the join), known once every range is parsed
-- and the ranges are joined. NULL until then. Covered by the table-level grants of 0002.
ALTER TABLE analysis_jobs
    ADD COLUMN batches_expected integer CHECK (batches_expected >= 0);
