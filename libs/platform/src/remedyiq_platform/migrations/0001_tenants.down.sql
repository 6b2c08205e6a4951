DROP FUNCTION IF EXISTS ensure_tenant(text, text);
DROP TABLE IF EXISTS tenants;
DROP FUNCTION IF EXISTS set_updated_at();
