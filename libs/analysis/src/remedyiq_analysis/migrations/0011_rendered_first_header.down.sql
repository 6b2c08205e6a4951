-- Write the rendered first headers into the rows that store them as a mark (a mutation over those
-- rows; raw_head is already their length, as 0009 reads it), then restore 0009's raw_text.
ALTER TABLE log_entries UPDATE raw_lines = concat(raw_header, substring(raw_lines, 2))
    WHERE startsWith(raw_lines, '\x1C') OR startsWith(raw_lines, '\x1D') SETTINGS mutations_sync = 2;
ALTER TABLE log_entries MODIFY COLUMN raw_text String ALIAS
    if(raw_head = 0, raw_lines,
       replaceAll(raw_lines, '\n\x1E', concat('\n', substring(raw_lines, 1, raw_head))));
ALTER TABLE log_entries DROP COLUMN raw_header
