"""What explorer routes share: the tenant-bound ClickHouse scope of a job (404 unless the job is
the caller's), several jobs of the tenant, and time-range parameters.

A scope always binds the tenant from the *authenticated principal* — never from the request —
and the job only after PostgreSQL (row-level security) has confirmed it is this tenant's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from remedyiq_analysis.explore import TenantScope
from remedyiq_analysis.scope import JobScope
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import Principal, Resources, ResourcesDep
from remedyiq_gateway.errors import ApiError, not_found
from remedyiq_platform.stores import jobs_repo
from remedyiq_platform.stores.jobs_repo import Job


@dataclass(frozen=True, slots=True)
class ScopedJob:
    principal: Principal
    job: Job
    scope: JobScope


async def scoped_job(resources: Resources, principal: Principal, job_id: UUID) -> ScopedJob:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        job = await jobs_repo.get_job(conn, job_id)
    if job is None:
        raise not_found("job", job_id)
    scope = resources.clickhouse.scope(str(principal.tenant_id), str(job_id))
    return ScopedJob(principal, job, scope)


async def _scoped_job(job_id: UUID, principal: PrincipalDep, resources: ResourcesDep) -> ScopedJob:
    return await scoped_job(resources, principal, job_id)


ScopedJobDep = Annotated[ScopedJob, Depends(_scoped_job)]


async def tenant_scope(
    resources: Resources, principal: Principal, job_ids: list[UUID], limit: int
) -> TenantScope:
    """The given jobs (each must be the tenant's), or the tenant's latest ``limit`` jobs."""
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        if job_ids:
            wanted = list(dict.fromkeys(job_ids))
            if len(wanted) > limit:
                raise ApiError(400, "too_many_jobs", f"search at most {limit} jobs at once")
            rows = await conn.fetch(
                "SELECT id FROM analysis_jobs WHERE id = ANY($1::uuid[])", wanted
            )
            found = {row["id"] for row in rows}
            missing = [job for job in wanted if job not in found]
            if missing:
                raise not_found("job", missing[0])
            ids = [str(job) for job in wanted]
        else:
            rows = await conn.fetch(
                "SELECT id FROM analysis_jobs WHERE status IN ('storing', 'analyzing', "
                "'complete') ORDER BY created_at DESC, id DESC LIMIT $1",
                limit,
            )
            ids = [str(row["id"]) for row in rows]
    if not ids:
        raise ApiError(404, "no_jobs", "this tenant has no analysed jobs to search")
    clickhouse = resources.clickhouse
    return TenantScope(clickhouse.client, clickhouse.database, str(principal.tenant_id), tuple(ids))


def parse_time(value: str | None, name: str) -> int | None:
    """Epoch milliseconds from ``1732456800000`` or ISO-8601 (a time without zone is UTC)."""
    if value is None or value == "":
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400, "invalid_request", f"{name}: use epoch milliseconds or ISO-8601, not {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class TimeRange:
    start_ms: int | None
    end_ms: int | None


async def _time_range(
    start: Annotated[
        str | None, Query(max_length=40, description="from (inclusive): epoch ms or ISO-8601")
    ] = None,
    end: Annotated[
        str | None, Query(max_length=40, description="to (exclusive): epoch ms or ISO-8601")
    ] = None,
) -> TimeRange:
    return TimeRange(parse_time(start, "start"), parse_time(end, "end"))


TimeRangeDep = Annotated[TimeRange, Depends(_time_range)]
