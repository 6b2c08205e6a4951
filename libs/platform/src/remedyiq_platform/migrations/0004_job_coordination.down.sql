ALTER TABLE analysis_jobs DROP COLUMN batches_expected;
