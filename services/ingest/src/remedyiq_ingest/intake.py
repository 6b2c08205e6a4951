"""``jobs.{tenant}.submit`` and ``jobs.{tenant}.cancel``: registering, checking and planning a job.

Submitting is idempotent on the job id: a redelivered submit of a job that already left
``queued`` changes nothing. A file that cannot be analysed ends the job as failed with the
reason; it never crashes the service.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from uuid import UUID, uuid5

from nats.aio.msg import Msg

from remedyiq_arlog.sources import PROBE_BYTES
from remedyiq_ingest.jobstate import IngestDeps, announce_end, change, fail, is_final, tell
from remedyiq_ingest.planning import InputProblem, Plan, plan
from remedyiq_platform.contracts.messages import CancelJob, ParseRange, SubmitJob
from remedyiq_platform.messaging import (
    MAX_DELIVERIES,
    PoisonMessage,
    dead_letter,
    deliveries,
    open_envelope,
    publish,
    retry_or_dead_letter,
)
from remedyiq_platform.stores import files_repo, jobs_repo, ranges_repo, tenants_repo
from remedyiq_platform.stores.errors import IllegalTransitionError, NotFoundError, StoreError
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.objects_keys import check_key
from remedyiq_platform.stores.ranges_repo import RangePlan

logger = logging.getLogger(__name__)
CONSUMER = "ingest-submit"
FILE_NAMESPACE = UUID("0b9a0d55-7f3e-4b61-9d7a-2a1c6e4f8b21")


async def on_submit(raw: Msg, deps: IngestDeps) -> None:
    try:
        tenant, message = open_envelope(raw, SubmitJob)
    except PoisonMessage as exc:
        await dead_letter(deps.broker, raw, str(exc), consumer=CONSUMER)
        return
    try:
        await _register_and_plan(deps, tenant, message)
        await raw.ack()
    except (StoreError, ValueError) as exc:  # the message itself is unusable (e.g. foreign key)
        reason = f"cannot register the job: {exc}"
        with contextlib.suppress(StoreError):  # a job registered before the error ends failed
            await fail(deps, tenant, message.job_id, reason)
        await dead_letter(deps.broker, raw, reason, consumer=CONSUMER)
    except Exception as exc:
        if deliveries(raw) >= MAX_DELIVERIES:
            with contextlib.suppress(StoreError):  # e.g. the job was never registered
                await fail(deps, tenant, message.job_id, f"the job could not be started: {exc}")
        else:
            logger.warning("job %s not started yet (%r); retrying", message.job_id, exc)
        await retry_or_dead_letter(deps.broker, raw, repr(exc), consumer=CONSUMER, delay_s=5.0)


async def _register_and_plan(deps: IngestDeps, tenant: str, message: SubmitJob) -> None:
    file_ref = message.file
    check_key(tenant, file_ref.key)  # another tenant's object is refused before anything else
    file_id = file_ref.file_id or uuid5(FILE_NAMESPACE, f"{message.job_id}")
    async with deps.database.tenant(tenant) as conn:
        tenant_row = await tenants_repo.get_tenant(conn, UUID(tenant))
        if tenant_row is None:
            raise NotFoundError(f"there is no tenant {tenant}")
        existing = await jobs_repo.get_job(conn, message.job_id)
        if existing is not None and existing.status != JobStatus.QUEUED:
            return  # a redelivered submit of a job already under way
        file = await files_repo.get_file(conn, file_id)
        if file is None:
            file = await files_repo.create_file(
                conn,
                file_id=file_id,
                filename=file_ref.filename,
                s3_bucket=file_ref.bucket,
                s3_key=file_ref.key,
                size_bytes=file_ref.size_bytes or 0,
            )
        job = await jobs_repo.create_job(
            conn,
            job_id=message.job_id,
            file_id=file.id,
            jar_flags=message.options.model_dump(mode="json"),
            created_by=message.requested_by,
        )
    await tell(deps, tenant, job, "queued")
    retention = tenant_row.retention_days
    try:
        work, size, digest = await _check(deps, tenant, message, tenant_row.max_upload_bytes)
    except InputProblem as exc:
        await fail(deps, tenant, message.job_id, str(exc))
        return
    async with deps.database.tenant(tenant) as conn:
        await ranges_repo.plan_ranges(
            conn,
            message.job_id,
            [RangePlan(i, r.start, r.end, 1, r.first_line) for i, r in enumerate(work.ranges)],
        )
        if file.status != files_repo.FileStatus.READY:
            await files_repo.mark_file_ready(
                conn,
                file.id,
                size_bytes=size,
                checksum_sha256=digest,
                detected_types=work.detected_types,
                ar_version=work.ar_version,
            )
    try:
        await change(
            deps,
            tenant,
            message.job_id,
            stage=f"parsing {len(work.ranges)} ranges",
            status=JobStatus.PARSING,
            bytes_total=size,
            progress_pct=5,
        )
    except IllegalTransitionError:
        return  # cancelled meanwhile
    for index, byte_range in enumerate(work.ranges):
        unit = ParseRange(
            job_id=message.job_id,
            tenant_id=message.tenant_id,
            range_index=index,
            ranges_total=len(work.ranges),
            file=file_ref,
            mode=work.mode,
            start=byte_range.start,
            end=byte_range.end,
            first_line=byte_range.first_line,
            options=message.options,
            batch_rows=deps.batch_rows,
            retention_days=retention,
        )
        await publish(
            deps.broker, "jobs.range", unit, tenant=tenant, msg_id=f"{message.job_id}:range:{index}"
        )


async def _check(
    deps: IngestDeps, tenant: str, message: SubmitJob, limit: int | None
) -> tuple[Plan, int, str]:
    """The plan, size and SHA-256 of the job's object; :class:`InputProblem` if unusable."""
    file_ref = message.file
    if file_ref.bucket != deps.store.bucket:
        raise InputProblem(f"{file_ref.filename}: not in this platform's object storage")
    info = await deps.store.head(tenant, file_ref.key)
    if info is None:
        raise InputProblem(f"{file_ref.filename}: the file is not in storage (upload it first)")
    if limit is not None and info.size > limit:
        raise InputProblem(
            f"{file_ref.filename}: {info.size:,} bytes is over this tenant's limit of {limit:,}"
        )
    head = b""
    if info.size:  # S3 refuses a ranged read of an empty object; plan() says it is empty
        async for chunk in deps.store.read_range(tenant, file_ref.key, 0, PROBE_BYTES):
            head += chunk
    digest = hashlib.sha256()

    async def whole() -> AsyncIterator[bytes]:
        async for chunk in deps.store.read_stream(tenant, file_ref.key):
            digest.update(chunk)
            yield chunk

    stream = whole()
    work = await plan(head, info.size, file_ref.filename, deps.range_bytes, stream)
    async for _rest in stream:  # the checksum covers the whole object
        pass
    return work, info.size, digest.hexdigest()


async def on_cancel(raw: Msg, deps: IngestDeps) -> None:
    try:
        tenant, message = open_envelope(raw, CancelJob)
    except PoisonMessage as exc:
        await dead_letter(deps.broker, raw, str(exc), consumer="ingest-cancel")
        return
    async with deps.database.tenant(tenant) as conn:
        job = await jobs_repo.get_job(conn, message.job_id)
        if job is not None and not is_final(job):
            job = await jobs_repo.cancel_job(conn, message.job_id, message.reason)
    if job is not None and job.status == JobStatus.CANCELLED:
        await tell(deps, tenant, job, "cancelled")
        await announce_end(deps, tenant, job)
    await raw.ack()
