"""A job as clients see it: the PostgreSQL row with the fresher Redis status merged in, and the
MVP WebSocket/SSE payloads (``job_progress``, ``job_complete``) for rows and NATS events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from remedyiq_gateway.schemas.jobs import AnalysisJobOut, JobStatusOut
from remedyiq_platform.contracts.messages import JobComplete, JobProgress
from remedyiq_platform.stores import jobs_repo
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.status import JobStatusSnapshot, StatusCache

_COUNTS = ("api_count", "sql_count", "filter_count", "esc_count", "total_lines")


def log_duration(start: datetime | None, end: datetime | None) -> str | None:
    """``"7d 23h 59m 59s"`` (the MVP's format), leading zero units left out."""
    if start is None or end is None:
        return None
    seconds = max(0, int((end - start).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    shown = [f"{value}{unit}" for value, unit in parts if value]
    return " ".join([*shown, f"{secs}s"])


def job_out(job: Job, snapshot: JobStatusSnapshot | None, filename: str | None) -> AnalysisJobOut:
    """The API view of a job; a cached status newer than the row wins for status/progress."""
    data: dict[str, Any] = job.model_dump()
    if snapshot is not None and snapshot.updated_at > job.updated_at:
        data["status"] = snapshot.status
        data["progress_pct"] = max(job.progress_pct, snapshot.progress_pct)
        data["error_message"] = snapshot.error_message or job.error_message
        for name in (*_COUNTS, "bytes_parsed", "rows_stored"):
            if name in snapshot.counts:
                data[name] = snapshot.counts[name]
    return AnalysisJobOut(
        id=job.id,
        file_id=job.file_id,
        status=str(data["status"]),
        progress_pct=data["progress_pct"],
        api_count=data["api_count"],
        sql_count=data["sql_count"],
        filter_count=data["filter_count"],
        esc_count=data["esc_count"],
        log_start=job.log_start,
        log_end=job.log_end,
        log_duration=log_duration(job.log_start, job.log_end),
        error_message=data["error_message"],
        created_at=job.created_at,
        completed_at=job.completed_at,
        started_at=job.started_at,
        total_lines=data["total_lines"],
        bytes_total=job.bytes_total,
        bytes_parsed=data["bytes_parsed"],
        rows_stored=data["rows_stored"],
        filename=filename,
        jar_flags=job.jar_flags,
        created_by=job.created_by,
        updated_at=job.updated_at,
    )


async def load_job(
    db: Database, status: StatusCache, tenant_id: UUID, job_id: UUID
) -> AnalysisJobOut | None:
    """The job with its cached status and file name, or None if the tenant has no such job."""
    async with db.tenant(tenant_id, readonly=True) as conn:
        job = await jobs_repo.get_job(conn, job_id)
        if job is None:
            return None
        filename = await conn.fetchval("SELECT filename FROM log_files WHERE id = $1", job.file_id)
    return job_out(job, await status.get_job_status(tenant_id, job_id), filename)


async def status_of(
    db: Database, status: StatusCache, tenant_id: UUID, job_id: UUID
) -> JobStatusOut | None:
    """Status and progress: Redis first; PostgreSQL when the cache has nothing."""
    cached = await status.get_job_status(tenant_id, job_id)
    if cached is not None:
        return JobStatusOut(
            job_id=job_id,
            status=cached.status.value,
            progress_pct=cached.progress_pct,
            counts=cached.counts,
            error_message=cached.error_message,
            updated_at=cached.updated_at,
            source="cache",
        )
    async with db.tenant(tenant_id, readonly=True) as conn:
        job = await jobs_repo.get_job(conn, job_id)
    if job is None:
        return None
    counts = {n: v for n in (*_COUNTS, "bytes_parsed", "rows_stored") if (v := getattr(job, n))}
    return JobStatusOut(
        job_id=job_id,
        status=job.status.value,
        progress_pct=job.progress_pct,
        counts=counts,
        error_message=job.error_message,
        updated_at=job.updated_at,
        source="database",
    )


# -- MVP event payloads -----------------------------------------------------------------------


def progress_payload(event: JobProgress) -> dict[str, Any]:
    return {
        "job_id": str(event.job_id),
        "status": event.status.value,
        "progress_pct": event.progress_pct,
        "processed_lines": None,
        "total_lines": None,
        "message": event.message or event.stage or None,
        "stage": event.stage,
        "bytes_total": event.bytes_total,
        "bytes_parsed": event.bytes_parsed,
        "ranges_total": event.ranges_total,
        "ranges_parsed": event.ranges_parsed,
        "rows_stored": event.rows_stored,
        "at": event.at.isoformat(),
    }


def complete_payload(event: JobComplete) -> dict[str, Any]:
    counts = event.counts
    return {
        "job_id": str(event.job_id),
        "status": event.status,
        "api_count": counts.api_count,
        "sql_count": counts.sql_count,
        "filter_count": counts.filter_count,
        "esc_count": counts.esc_count,
        "total_lines": counts.total_lines,
        "rows_stored": counts.rows_stored,
        "log_start": event.log_start.isoformat() if event.log_start else None,
        "log_end": event.log_end.isoformat() if event.log_end else None,
        "log_duration": log_duration(event.log_start, event.log_end),
        "error_message": event.error_message,
        "duration_s": event.duration_s,
        "at": event.at.isoformat(),
    }


def snapshot_event(job: AnalysisJobOut) -> tuple[str, dict[str, Any]]:
    """The event that brings a new subscriber up to date with a job."""
    if job.status in ("complete", "failed", "cancelled"):
        return "job_complete", {
            "job_id": str(job.id),
            "status": job.status,
            "api_count": job.api_count,
            "sql_count": job.sql_count,
            "filter_count": job.filter_count,
            "esc_count": job.esc_count,
            "total_lines": job.total_lines,
            "rows_stored": job.rows_stored,
            "log_start": job.log_start.isoformat() if job.log_start else None,
            "log_end": job.log_end.isoformat() if job.log_end else None,
            "log_duration": job.log_duration,
            "error_message": job.error_message,
        }
    return "job_progress", {
        "job_id": str(job.id),
        "status": job.status,
        "progress_pct": job.progress_pct,
        "processed_lines": None,
        "total_lines": job.total_lines,
        "message": None,
        "stage": job.status,
        "bytes_total": job.bytes_total,
        "bytes_parsed": job.bytes_parsed,
        "rows_stored": job.rows_stored,
    }


def event_frame(event: JobProgress | JobComplete) -> tuple[str, dict[str, Any]]:
    """``(type, payload)`` of a NATS job event in the MVP protocol."""
    if isinstance(event, JobComplete):
        return "job_complete", complete_payload(event)
    return "job_progress", progress_payload(event)
