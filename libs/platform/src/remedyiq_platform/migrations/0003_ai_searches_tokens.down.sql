DROP FUNCTION IF EXISTS tenant_for_token(text);
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS saved_searches;
DROP TABLE IF EXISTS ai_interactions;
