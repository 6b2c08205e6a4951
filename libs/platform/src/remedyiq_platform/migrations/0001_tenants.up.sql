-- RemedyIQ PostgreSQL schema, part 1: tenants and the shared helpers.
--
-- Applied by `python -m remedyiq_platform.stores.pgmigrate up` (a Kubernetes Job), never at
-- service start, connected as the OWNER role: every object below is owned by it.
-- {{app_role}} is the services' LOGIN role (NOSUPERUSER NOBYPASSRLS, owns nothing), created by
-- pgmigrate and substituted here as a quoted identifier.
--
-- Fixes to the seed data model (design.md §5, data-model.md):
--  * The seed enabled RLS but nothing stopped the services from connecting as the table owner
--    or a superuser, both of which bypass it. Here every tenant table is ENABLE + FORCE ROW
--    LEVEL SECURITY (FORCE: the owner is subject to it too) and the services connect as
--    {{app_role}}, which owns nothing; remedyiq_platform.stores.postgres.Database refuses to
--    run as a superuser, a BYPASSRLS role or an owner.
--  * The seed policies compared `id::TEXT = current_setting(...)` (no index use) and had no
--    WITH CHECK, so a write could target another tenant. Here: a uuid comparison, USING and
--    WITH CHECK; an unset or empty app.tenant_id is NULL, which matches no row.
--  * The seed had no way to create a tenant: tenants are keyed by the identity provider's
--    organisation id (clerk_org_id) and created on first use by ensure_tenant(), a SECURITY
--    DEFINER function, because the services' role may neither insert nor see other tenants.
--  * Per-tenant limits the seed lacked: max_upload_bytes and retention_days (retention counts
--    from ingestion, per tenant; see the ClickHouse migrations).

-- Keeps updated_at honest whatever the UPDATE statement says. clock_timestamp(), not now():
-- an update that waited for a row lock must look newer than the one it waited for (the Redis
-- status cache orders writes by updated_at).
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE TABLE tenants (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clerk_org_id     text NOT NULL UNIQUE CHECK (clerk_org_id <> ''),
    name             text NOT NULL,
    plan             text NOT NULL DEFAULT 'free',
    storage_limit_gb integer NOT NULL DEFAULT 10 CHECK (storage_limit_gb > 0),
    max_upload_bytes bigint NOT NULL DEFAULT 10737418240 CHECK (max_upload_bytes > 0), -- 10 GiB
    retention_days   integer NOT NULL DEFAULT 90 CHECK (retention_days > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER tenants_set_updated_at BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON tenants
    USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- ensure_tenant() runs as the owner, and FORCE subjects the owner to RLS: these two policies
-- (for the owner role only, never the services' role) let it find and create a tenant by its
-- organisation id. No UPDATE/DELETE policy: the owner cannot change tenants through them.
CREATE POLICY owner_lookup ON tenants FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_create ON tenants FOR INSERT TO CURRENT_USER WITH CHECK (true);

-- The gateway maps a verified token's organisation to its tenant, creating it on first use.
-- Fixed search_path and schema-qualified names: a definer function must not resolve names
-- through the caller's search_path.
CREATE FUNCTION ensure_tenant(org_id text, name text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found uuid;
BEGIN
    IF org_id IS NULL OR btrim(org_id) = '' THEN
        RAISE EXCEPTION 'ensure_tenant: organisation id must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO public.tenants (clerk_org_id, name)
    VALUES (org_id, coalesce(nullif(btrim(ensure_tenant.name), ''), org_id))
    ON CONFLICT (clerk_org_id) DO NOTHING
    RETURNING id INTO found;
    IF found IS NULL THEN  -- it already existed (or a concurrent call just created it)
        SELECT t.id INTO found FROM public.tenants AS t WHERE t.clerk_org_id = org_id;
    END IF;
    RETURN found;
END
$$;

REVOKE ALL ON FUNCTION ensure_tenant(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_tenant(text, text) TO {{app_role}};

-- Services read their own tenant row (limits, plan); changing them is an operator's task.
GRANT SELECT ON tenants TO {{app_role}};
