-- RemedyIQ PostgreSQL schema, part 5: deleting a finished job (the gateway's DELETE /analysis/{id}).
--
-- The services' role has no DELETE grant on analysis_jobs (part 2): a bug or an injected
-- statement must not be able to wipe a tenant's jobs. Deleting one finished job of the current
-- tenant goes through this SECURITY DEFINER function instead. It runs as the owner, which FORCE
-- ROW LEVEL SECURITY still confines to app.tenant_id, and it refuses a job that is not final
-- (its pipeline may still write). The job's results, ranges, batches and AI interactions go with
-- it (ON DELETE CASCADE); its ClickHouse rows and S3 artefacts are deleted by the gateway first.
CREATE FUNCTION delete_job(job uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
    deleted integer;
BEGIN
    IF tenant IS NULL THEN
        RAISE EXCEPTION 'delete_job: no tenant is set for this transaction'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM public.analysis_jobs AS j
    WHERE j.id = delete_job.job AND j.tenant_id = tenant
      AND j.status IN ('complete', 'failed', 'cancelled');
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted = 1;
END
$$;

REVOKE ALL ON FUNCTION delete_job(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION delete_job(uuid) TO {{app_role}};
