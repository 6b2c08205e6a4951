"""What the ingest handlers share: their clients, and how a job's state is changed and told.

Every change of a job goes to PostgreSQL first (the durable truth, row-level security with the
job's tenant), then to the Redis status cache and ``jobs.{tenant}.progress`` for watchers; a
final state also goes to ``jobs.{tenant}.complete``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from faststream.nats import NatsBroker

from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.contracts.messages import JobComplete, JobCounts, JobProgress
from remedyiq_platform.messaging import publish
from remedyiq_platform.stores import jobs_repo
from remedyiq_platform.stores.errors import IllegalTransitionError
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.jobstatus import FINAL_STATUSES, JobStatus
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.status import StatusCache, snapshot_of

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestDeps:
    broker: NatsBroker
    clickhouse: ClickHouse
    range_bytes: int
    batch_rows: int
    db: Database | None = None
    objects: ObjectStore | None = None
    status: StatusCache | None = None

    @property
    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("ingest is not started")
        return self.db

    @property
    def store(self) -> ObjectStore:
        if self.objects is None:
            raise RuntimeError("ingest is not started")
        return self.objects

    @property
    def cache(self) -> StatusCache:
        if self.status is None:
            raise RuntimeError("ingest is not started")
        return self.status


def is_final(job: Job) -> bool:
    return JobStatus(job.status) in FINAL_STATUSES


async def change(
    deps: IngestDeps, tenant: str, job_id: UUID, stage: str = "", **fields: Any
) -> Job:
    """Update the job (PostgreSQL), then the status cache and the progress subject."""
    async with deps.database.tenant(tenant) as conn:
        job = await jobs_repo.update_job(conn, job_id, **fields)
    await tell(deps, tenant, job, stage)
    return job


async def try_advance(deps: IngestDeps, tenant: str, job_id: UUID, status: JobStatus) -> bool:
    """Move the job to ``status`` if that is a legal step now; False if someone else did."""
    try:
        await change(deps, tenant, job_id, stage=status.value, status=status)
    except IllegalTransitionError:
        return False
    return True


async def tell(deps: IngestDeps, tenant: str, job: Job, stage: str = "") -> None:
    await deps.cache.set_job_status(tenant, snapshot_of(job))
    progress = JobProgress(
        job_id=job.id,
        tenant_id=UUID(tenant),
        status=job.status,
        progress_pct=job.progress_pct,
        stage=stage,
        bytes_total=job.bytes_total or 0,
        bytes_parsed=job.bytes_parsed,
        rows_stored=job.rows_stored,
        message=job.error_message,
        at=datetime.now(UTC),
    )
    await publish(deps.broker, "jobs.progress", progress, tenant=tenant)


async def fail(deps: IngestDeps, tenant: str, job_id: UUID, reason: str) -> None:
    """End the job as failed with a reason a user can act on (once; later calls do nothing)."""
    logger.info("job %s failed: %s", job_id, reason)
    try:
        job = await change(
            deps, tenant, job_id, stage="failed", status=JobStatus.FAILED, error_message=reason
        )
    except IllegalTransitionError:
        return
    await announce_end(deps, tenant, job)


async def announce_end(deps: IngestDeps, tenant: str, job: Job) -> None:
    """``jobs.{tenant}.complete`` for a job in a final state."""
    started = job.started_at or job.created_at
    ended = job.completed_at or datetime.now(UTC)
    message = JobComplete(
        job_id=job.id,
        tenant_id=UUID(tenant),
        status=job.status,
        error_message=job.error_message,
        counts=JobCounts(
            total_lines=job.total_lines or 0,
            api_count=job.api_count or 0,
            sql_count=job.sql_count or 0,
            filter_count=job.filter_count or 0,
            esc_count=job.esc_count or 0,
            rows_stored=job.rows_stored,
        ),
        log_start=job.log_start,
        log_end=job.log_end,
        results="postgres:analysis_results" if job.status == JobStatus.COMPLETE else None,
        duration_s=max(0.0, (ended - started).total_seconds()),
        at=datetime.now(UTC),
    )
    await publish(deps.broker, "jobs.complete", message, tenant=tenant, msg_id=f"{job.id}:complete")
