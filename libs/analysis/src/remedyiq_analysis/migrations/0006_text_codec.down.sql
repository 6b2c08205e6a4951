ALTER TABLE log_entries MODIFY COLUMN sql_statement String CODEC(ZSTD(3));
ALTER TABLE log_entries MODIFY COLUMN raw_text String CODEC(ZSTD(3))
