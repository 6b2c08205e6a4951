-- Free text (KQL bare words and `raw:`) matches whole words, case-insensitively, through a text
-- (inverted) index: hasToken(raw_text, word) is answered from the index, whose preprocessor
-- lower-cases both the lines and the word. The tokenbf index of 0003 served only case-sensitive
-- hasToken, which nothing queried (free text was a substring scan of every line), yet building it
-- took a third of each insert's CPU. Text indexes are GA from ClickHouse 26.2 (chDB 4.4 is 26.9).
-- Existing rows get the index before the migration ends: on a part without it, hasToken would
-- compare case-sensitively.
ALTER TABLE log_entries DROP INDEX IF EXISTS idx_raw;
ALTER TABLE log_entries ADD INDEX IF NOT EXISTS idx_words raw_text
    TYPE text(tokenizer = splitByNonAlpha, preprocessor = lower(raw_text));
ALTER TABLE log_entries MATERIALIZE INDEX idx_words SETTINGS mutations_sync = 2
