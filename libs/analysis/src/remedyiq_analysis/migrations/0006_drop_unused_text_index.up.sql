-- Drop the token bloom filter over raw_text (0003): KQL free text is a case-insensitive substring
-- match (positionCaseInsensitiveUTF8 / ILIKE), which a tokenbf index cannot serve — only
-- case-sensitive whole tokens (hasToken) can use it, and nothing queries that. Building it took
-- about a third of every insert's CPU (tokenizing every raw line) for no query. A text index for
-- free text comes back with a search that can use it.
ALTER TABLE log_entries DROP INDEX IF EXISTS idx_raw
