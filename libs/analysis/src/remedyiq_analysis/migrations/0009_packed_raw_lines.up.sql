-- Raw lines stored packed (remedyiq_arlog.rawtext): within a row, a later line that starts with
-- the first line's header (<FLTR> <TrID: …> <TID: …> … <Overlay-Group: …>, ~200 characters,
-- the same for every line of one thread's event) is stored with the byte 0x1E in its place, and
-- raw_head holds that header's length in bytes (0: nothing folded). That is 45 % of the raw text
-- of a combined log not stored; inserting and merging the rest costs the engine ~20-30 % less
-- CPU per row (isolated inserts of the 100 MB bench log's batches).
-- raw_text keeps its meaning for every reader: an ALIAS that unfolds the headers again (exact:
-- a row is packed only if 0x1E is nowhere in it). Rows stored before this
-- migration have raw_head = 0 and read as they were. Free-text search reads raw_lines itself
-- whenever that gives the same answer (remedyiq_query.fields). Metadata only, no mutation.
ALTER TABLE log_entries RENAME COLUMN raw_text TO raw_lines;
ALTER TABLE log_entries ADD COLUMN raw_head UInt16 DEFAULT 0 CODEC(ZSTD(1)) AFTER raw_lines;
ALTER TABLE log_entries ADD COLUMN raw_text String ALIAS
    if(raw_head = 0, raw_lines,
       replaceAll(raw_lines, '\n\x1E', concat('\n', substring(raw_lines, 1, raw_head))))
    AFTER raw_head
