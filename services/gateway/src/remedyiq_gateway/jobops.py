"""What the job endpoints do: submit to NATS, list, cancel, and delete everywhere.

* submit: the job row is created (idempotent on its id: an ``Idempotency-Key`` maps to a fixed
  id), ``SubmitJob`` is published to ``jobs.{tenant}.submit`` with ``Nats-Msg-Id`` = job id
  (JetStream drops a duplicate publish), the status cache is primed;
* cancel: the row goes to ``cancelled`` and ``CancelJob`` goes to ``jobs.{tenant}.cancel``;
* delete: a finished job's ClickHouse rows (lightweight ``DELETE`` through the tenant-binding
  job scope), its artefacts in S3, its caches, then its PostgreSQL row (results, ranges and
  batches cascade). ClickHouse goes first: if anything fails, the job is still listed and the
  delete can be retried.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID, uuid4, uuid5

from remedyiq_analysis.report import AnalysisOptions
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import parse_iso_ms
from remedyiq_gateway.deps import Principal, Resources
from remedyiq_gateway.errors import ApiError, not_found
from remedyiq_gateway.jobview import job_out
from remedyiq_gateway.schemas.jobs import AnalysisJobCreate, AnalysisJobOut
from remedyiq_platform.contracts.messages import CancelJob, FileRef, SubmitJob
from remedyiq_platform.messaging import publish
from remedyiq_platform.stores import files_repo, jobs_repo
from remedyiq_platform.stores.files_repo import FileStatus
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.objects_keys import tenant_prefix
from remedyiq_platform.stores.status import snapshot_of

logger = logging.getLogger(__name__)

_IDEMPOTENCY = UUID("b6f1d8a2-4c3e-4f5a-9d7b-2e8c1a0f6b35")  # namespace for job ids from keys


def options_of(body: AnalysisJobCreate) -> AnalysisOptions:
    options = body.options or (body.jar_flags.to_options() if body.jar_flags else None)
    options = options or AnalysisOptions()
    for name, value in (("begin", options.begin), ("end", options.end)):
        if value is not None:
            try:
                parse_iso_ms(value)
            except ValueError:
                raise ApiError(
                    422, "invalid_request", f"{name} time {value!r} is not ISO-8601"
                ) from None
    return options


def job_id_for(tenant_id: UUID, idempotency_key: str | None) -> UUID:
    if idempotency_key is None:
        return uuid4()
    return uuid5(_IDEMPOTENCY, f"{tenant_id}:{idempotency_key}")


async def submit(
    resources: Resources,
    principal: Principal,
    body: AnalysisJobCreate,
    idempotency_key: str | None = None,
) -> AnalysisJobOut:
    tenant = principal.tenant_id
    options = options_of(body)
    job_id = job_id_for(tenant, idempotency_key)
    async with resources.db.tenant(tenant) as conn:
        file = await files_repo.get_file(conn, body.file_id)
        if file is None or file.status is FileStatus.DELETED:
            raise not_found("file", body.file_id)
        if file.status is FileStatus.UPLOADING:
            raise ApiError(409, "file_not_ready", "the file is still uploading or being verified")
        job = await jobs_repo.create_job(
            conn,
            job_id=job_id,
            file_id=file.id,
            jar_flags=options.model_dump(mode="json"),
            created_by=principal.user_id,
            bytes_total=file.size_bytes,
        )
    if job.file_id != file.id:
        raise ApiError(
            409, "idempotency_conflict", "this Idempotency-Key was used for another file"
        )
    if job.status is JobStatus.QUEUED:
        message = SubmitJob(
            job_id=job.id,
            tenant_id=tenant,
            file=FileRef(
                bucket=file.s3_bucket,
                key=file.s3_key,
                filename=file.filename,
                file_id=file.id,
                size_bytes=file.size_bytes,
                sha256=file.checksum_sha256,
            ),
            options=options,
            requested_by=principal.user_id[:255],
            requested_at=datetime.now(UTC),
        )
        try:
            await publish(
                resources.broker, "jobs.submit", message, tenant=str(tenant), msg_id=str(job.id)
            )
        except Exception as exc:
            logger.exception("could not publish the submission of job %s", job.id)
            async with resources.db.tenant(tenant) as conn:
                await jobs_repo.update_job(
                    conn,
                    job.id,
                    status=JobStatus.FAILED,
                    error_message="the job could not be queued; submit it again",
                )
            raise ApiError(503, "queue_unavailable", "the job queue is unavailable") from exc
    await resources.status.set_job_status(tenant, snapshot_of(job))
    return job_out(job, None, file.filename)


async def cancel(resources: Resources, principal: Principal, job_id: UUID) -> AnalysisJobOut:
    tenant = principal.tenant_id
    async with resources.db.tenant(tenant) as conn:
        if await jobs_repo.get_job(conn, job_id) is None:
            raise not_found("job", job_id)
        job = await jobs_repo.cancel_job(conn, job_id, f"cancelled by {principal.user_id}"[:500])
        filename = await conn.fetchval("SELECT filename FROM log_files WHERE id = $1", job.file_id)
    reason = f"cancelled by {principal.user_id}"[:500]
    await publish(
        resources.broker,
        "jobs.cancel",
        CancelJob(job_id=job_id, tenant_id=tenant, reason=reason),
        tenant=str(tenant),
        msg_id=f"cancel-{job_id}",
    )
    await resources.status.set_job_status(tenant, snapshot_of(job))
    return job_out(job, None, filename)


async def forget_caches(resources: Resources, tenant: UUID, job_id: UUID) -> None:
    """Every cache entry of a job: its status, its dashboard and every dashboard extra."""
    status = resources.status
    dashboard = status.keys.cache(tenant, "dashboard", str(job_id))
    keys = [status.keys.job_status(tenant, job_id), dashboard]
    keys += [key async for key in status.redis.scan_iter(match=f"{dashboard}:*", count=500)]
    await status.redis.delete(*keys)


def _delete_rows(scope: JobScope) -> None:
    """Blocking: lightweight delete of the job's rows, tenant and job bound by the scope."""
    params = {"tenant": scope.tenant_id, "job": scope.job_id}
    for table in ("$E", "$G"):
        scope.client.command(scope.sql(f"DELETE FROM {table} WHERE $JOB"), parameters=params)


async def delete(resources: Resources, tenant: UUID, job_id: UUID) -> None:
    async with resources.db.tenant(tenant, readonly=True) as conn:
        job = await jobs_repo.get_job(conn, job_id)
    if job is None:
        raise not_found("job", job_id)
    if not job.status.is_final:
        raise ApiError(
            409,
            "job_running",
            "the job is still running: cancel it first",
            {"status": job.status.value},
        )
    scope = resources.clickhouse.scope(str(tenant), str(job_id))
    await resources.clickhouse.run(_delete_rows, scope)
    await resources.objects.delete_prefix(tenant, f"{tenant_prefix(tenant)}artefacts/{job_id}/")
    await forget_caches(resources, tenant, job_id)
    async with resources.db.tenant(tenant) as conn:
        # the only way the services' role can delete a job (migration 0005): this tenant's,
        # final jobs only; results, ranges and batches cascade
        if not await conn.fetchval("SELECT delete_job($1)", job_id):
            raise not_found("job", job_id)
