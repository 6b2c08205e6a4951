-- RemedyIQ PostgreSQL schema, part 3: AI interactions, saved searches and API tokens.
-- Same tenant rules as part 2 (tenant_id defaults to app.tenant_id; ENABLE + FORCE RLS; one
-- USING/WITH CHECK policy; composite foreign keys through (tenant_id, id)).

-- As the seed, plus updated_at and a composite key to the job (the seed's plain
-- job_id REFERENCES analysis_jobs(id) could point at another tenant's job).
CREATE TABLE ai_interactions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid
                     REFERENCES tenants (id),
    job_id           uuid,
    user_id          text NOT NULL,
    skill_name       text NOT NULL,
    input_text       text NOT NULL,
    output_text      text,
    referenced_lines jsonb NOT NULL DEFAULT '[]',
    tokens_used      integer CHECK (tokens_used >= 0),
    latency_ms       integer CHECK (latency_ms >= 0),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'processing', 'complete', 'failed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, job_id) REFERENCES analysis_jobs (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX ai_interactions_tenant_created ON ai_interactions (tenant_id, created_at DESC, id DESC);
CREATE INDEX ai_interactions_tenant_job ON ai_interactions (tenant_id, job_id, created_at DESC)
    WHERE job_id IS NOT NULL;

-- As the seed, plus updated_at; filters and is_pinned are NOT NULL (the seed allowed NULL).
CREATE TABLE saved_searches (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid
               REFERENCES tenants (id),
    user_id    text NOT NULL,
    name       text NOT NULL CHECK (name <> ''),
    kql_query  text NOT NULL,
    filters    jsonb NOT NULL DEFAULT '{}',
    is_pinned  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX saved_searches_tenant_user
    ON saved_searches (tenant_id, user_id, is_pinned DESC, created_at DESC);

-- New: API tokens for other systems (publishing jobs, reading results). Only the SHA-256 of
-- the token is stored; the plaintext is shown once, at creation. token_prefix (the first
-- characters) lets a user recognise a token in a list.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL DEFAULT nullif(current_setting('app.tenant_id', true), '')::uuid
                 REFERENCES tenants (id),
    name         text NOT NULL CHECK (name <> ''),
    token_prefix text NOT NULL,
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    scopes       text[] NOT NULL DEFAULT '{}',
    created_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_tokens_tenant_created ON api_tokens (tenant_id, created_at DESC, id DESC);

CREATE TRIGGER ai_interactions_set_updated_at BEFORE UPDATE ON ai_interactions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER saved_searches_set_updated_at BEFORE UPDATE ON saved_searches
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE ai_interactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_interactions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_interactions
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE saved_searches ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_searches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON saved_searches
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- tenant_for_token() runs as the owner (subject to RLS through FORCE) and must find a token
-- before the tenant is known: these policies, for the owner role only, allow exactly that
-- lookup and the last_used_at update.
CREATE POLICY owner_lookup ON api_tokens FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_touch ON api_tokens FOR UPDATE TO CURRENT_USER USING (true) WITH CHECK (true);

-- Resolves a presented token (by its SHA-256) to its tenant; revoked tokens resolve to nothing.
-- last_used_at is written at most once a minute per token, so a busy token does not turn every
-- request into a write on one hot row.
CREATE FUNCTION tenant_for_token(token_hash text)
RETURNS TABLE (tenant_id uuid, token_id uuid, scopes text[])
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH hit AS (
        SELECT t.id, t.tenant_id, t.scopes, t.last_used_at
        FROM public.api_tokens AS t
        WHERE t.token_hash = tenant_for_token.token_hash AND t.revoked_at IS NULL
    ), touched AS (
        UPDATE public.api_tokens AS t SET last_used_at = now()
        FROM hit
        WHERE t.id = hit.id
          AND (hit.last_used_at IS NULL OR hit.last_used_at < now() - interval '1 minute')
    )
    SELECT hit.tenant_id, hit.id, hit.scopes FROM hit
$$;

REVOKE ALL ON FUNCTION tenant_for_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_for_token(text) TO {{app_role}};

GRANT SELECT, INSERT, UPDATE ON ai_interactions TO {{app_role}};
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_searches TO {{app_role}};
-- Tokens: never deleted (revoked), and only the name and revocation can change. The hash is
-- readable by the tenant's own rows only; it is not the secret.
GRANT SELECT, INSERT ON api_tokens TO {{app_role}};
GRANT UPDATE (name, revoked_at) ON api_tokens TO {{app_role}};
