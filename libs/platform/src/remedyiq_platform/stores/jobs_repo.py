"""Analysis jobs: idempotent creation, listing, and status updates that follow the lifecycle.

Every function takes a connection from ``Database.tenant(...)``. Status changes follow
:mod:`remedyiq_platform.stores.jobstatus`; an illegal one raises
:class:`~remedyiq_platform.stores.errors.IllegalTransitionError` (a database trigger refuses
it too, as a backstop).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from remedyiq_platform.stores.errors import ConflictError, IllegalTransitionError, NotFoundError
from remedyiq_platform.stores.jobstatus import PIPELINE, JobStatus, can_transition
from remedyiq_platform.stores.pgpage import Page, encode_cursor, keyset_query


class Job(BaseModel):
    """An ``analysis_jobs`` row. ``jar_flags`` holds the analyzer options."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    tenant_id: UUID
    file_id: UUID
    status: JobStatus
    jar_flags: dict[str, Any]
    progress_pct: int
    total_lines: int | None
    processed_lines: int
    api_count: int | None
    sql_count: int | None
    filter_count: int | None
    esc_count: int | None
    log_start: datetime | None
    log_end: datetime | None
    bytes_total: int | None
    bytes_parsed: int
    rows_stored: int
    error_message: str | None
    started_at: datetime | None
    completed_at: datetime | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def processing_s(self) -> float | None:
        """Seconds from the start of parsing to the final status (a report's ``Duration:``)."""
        if self.started_at is None or self.completed_at is None:
            return None
        return (self.completed_at - self.started_at).total_seconds()


def _job(row: Any) -> Job:
    return Job.model_validate(dict(row))


async def create_job(
    conn: Any,
    *,
    job_id: UUID,
    file_id: UUID,
    jar_flags: dict[str, Any] | None = None,
    created_by: str | None = None,
    bytes_total: int | None = None,
) -> Job:
    """Create a queued job; idempotent on ``job_id``.

    A second call with the same id returns the existing row unchanged (a redelivered submit).
    An id already used by another tenant raises :class:`ConflictError`; a file of another
    tenant is refused by the database (composite foreign key).
    """
    row = await conn.fetchrow(
        """
        INSERT INTO analysis_jobs (id, file_id, jar_flags, created_by, bytes_total)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (id) DO NOTHING
        RETURNING *
        """,
        job_id,
        file_id,
        jar_flags or {},
        created_by,
        bytes_total,
    )
    if row is None:
        row = await conn.fetchrow("SELECT * FROM analysis_jobs WHERE id = $1", job_id)
        if row is None:
            raise ConflictError(f"job id {job_id} is already in use")
    return _job(row)


async def get_job(conn: Any, job_id: UUID) -> Job | None:
    """The job, or None if it does not exist for this tenant."""
    row = await conn.fetchrow("SELECT * FROM analysis_jobs WHERE id = $1", job_id)
    return None if row is None else _job(row)


async def list_jobs(
    conn: Any,
    *,
    status: JobStatus | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[Job]:
    """The tenant's jobs, newest first, optionally of one status.

    Keyset pagination on ``(created_at, id)``: pass the previous page's ``next_cursor``.
    """
    sql, args = keyset_query(
        "analysis_jobs",
        "created_at",
        equals={} if status is None else {"status": str(status)},
        cursor=cursor,
        limit=limit,
    )
    rows = await conn.fetch(sql, *args)
    items = [_job(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items, encode_cursor(items[-1].created_at, items[-1].id) if more else None)


async def update_job(
    conn: Any,
    job_id: UUID,
    *,
    status: JobStatus | None = None,
    progress_pct: int | None = None,
    total_lines: int | None = None,
    processed_lines: int | None = None,
    api_count: int | None = None,
    sql_count: int | None = None,
    filter_count: int | None = None,
    esc_count: int | None = None,
    log_start: datetime | None = None,
    log_end: datetime | None = None,
    bytes_total: int | None = None,
    bytes_parsed: int | None = None,
    rows_stored: int | None = None,
    error_message: str | None = None,
) -> Job:
    """Change a job's status and/or progress; arguments left as None are not changed.

    * status: only a legal transition (or the same non-final status) is accepted; entering
      ``parsing`` (or any later pipeline step) sets ``started_at``, a final status sets
      ``completed_at`` (and ``complete`` sets progress to 100).
    * progress_pct never goes down (progress messages from parallel workers arrive out of
      order); counts are absolute values.
    * A final job never changes: re-applying its own final status (a redelivered completion)
      returns it unchanged, anything else raises :class:`IllegalTransitionError`.
    """
    if progress_pct is not None and not 0 <= progress_pct <= 100:
        raise ValueError(f"progress_pct must be 0..100, got {progress_pct}")
    # Column names come from this literal only, never from the caller.
    values: dict[str, Any] = {
        "total_lines": total_lines,
        "processed_lines": processed_lines,
        "api_count": api_count,
        "sql_count": sql_count,
        "filter_count": filter_count,
        "esc_count": esc_count,
        "log_start": log_start,
        "log_end": log_end,
        "bytes_total": bytes_total,
        "bytes_parsed": bytes_parsed,
        "rows_stored": rows_stored,
        "error_message": error_message,
    }
    async with conn.transaction():
        row = await conn.fetchrow("SELECT * FROM analysis_jobs WHERE id = $1 FOR UPDATE", job_id)
        if row is None:
            raise NotFoundError(f"job {job_id} not found")
        current = JobStatus(row["status"])
        target = current if status is None else JobStatus(status)
        if current.is_final:
            if target == current and status is not None:
                return _job(row)
            raise IllegalTransitionError(job_id, current, target)
        if not can_transition(current, target):
            raise IllegalTransitionError(job_id, current, target)

        sets = ["status = $2"]
        args: list[Any] = [job_id, str(target)]
        for column, value in values.items():
            if value is not None:
                args.append(value)
                sets.append(f"{column} = ${len(args)}")
        if target == JobStatus.COMPLETE:
            progress_pct = 100
        if progress_pct is not None:
            args.append(progress_pct)
            sets.append(f"progress_pct = greatest(progress_pct, ${len(args)})")
        if target in PIPELINE[1:]:  # the work began (a job cancelled in the queue never did)
            sets.append("started_at = coalesce(started_at, now())")
        if target.is_final:
            sets.append("completed_at = now()")
        updated = await conn.fetchrow(
            f"UPDATE analysis_jobs SET {', '.join(sets)} WHERE id = $1 RETURNING *", *args
        )
        return _job(updated)


async def cancel_job(conn: Any, job_id: UUID, reason: str = "cancelled") -> Job:
    """Cancel a job that is not final yet (``reason`` goes to ``error_message``).

    Cancelling an already cancelled job returns it; a complete or failed job raises
    :class:`IllegalTransitionError`.
    """
    return await update_job(conn, job_id, status=JobStatus.CANCELLED, error_message=reason)
