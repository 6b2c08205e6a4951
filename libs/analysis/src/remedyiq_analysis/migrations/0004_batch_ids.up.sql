-- The batch each row came in with (the platform's writer): when a batch is delivered again after
-- a crash, its rows are deleted before it is inserted again, so several batches can share one
-- large insert and still be stored exactly once. Empty for rows loaded by `remedyiq analyze`.
ALTER TABLE log_entries ADD COLUMN IF NOT EXISTS batch_id LowCardinality(String) DEFAULT '';
ALTER TABLE log_gaps ADD COLUMN IF NOT EXISTS batch_id LowCardinality(String) DEFAULT ''
