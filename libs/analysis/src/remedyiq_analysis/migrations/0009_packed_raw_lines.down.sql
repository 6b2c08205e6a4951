-- Unfold the packed rows in place (a mutation over the rows stored packed), then restore the
-- single raw_text column.
ALTER TABLE log_entries UPDATE raw_lines =
    replaceAll(raw_lines, '\n\x1E', concat('\n', substring(raw_lines, 1, raw_head)))
    WHERE raw_head > 0 SETTINGS mutations_sync = 2;
ALTER TABLE log_entries DROP COLUMN raw_text;
ALTER TABLE log_entries DROP COLUMN raw_head;
ALTER TABLE log_entries RENAME COLUMN raw_lines TO raw_text
