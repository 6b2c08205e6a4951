DROP FUNCTION IF EXISTS delete_job(uuid);
