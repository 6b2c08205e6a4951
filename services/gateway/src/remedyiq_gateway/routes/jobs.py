"""Analysis jobs (the MVP's ``/analysis``): create, list, get, status, cancel, delete."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response

from remedyiq_gateway import jobops
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import ResourcesDep
from remedyiq_gateway.errors import not_found, responses
from remedyiq_gateway.jobview import job_out, load_job, status_of
from remedyiq_gateway.paging import fetch_page, pagination
from remedyiq_gateway.schemas.jobs import (
    AnalysisJobCreate,
    AnalysisJobOut,
    JobList,
    JobStatusName,
    JobStatusOut,
)
from remedyiq_platform.stores import jobs_repo
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.pgpage import MAX_PAGE_SIZE, Page

router = APIRouter(prefix="/analysis", tags=["Analysis"])


@router.post(
    "",
    operation_id="createAnalysis",
    summary="Start a new analysis job",
    status_code=202,
    response_model=AnalysisJobOut,
    responses=responses(404, 409, 503),
)
async def create_analysis(
    body: AnalysisJobCreate,
    principal: PrincipalDep,
    resources: ResourcesDep,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, description="retrying with the same key returns the same job"),
    ] = None,
) -> AnalysisJobOut:
    return await jobops.submit(resources, principal, body, idempotency_key)


@router.get("", operation_id="listAnalyses", summary="List analysis jobs", response_model=JobList)
async def list_analyses(
    *,
    principal: PrincipalDep,
    resources: ResourcesDep,
    status: JobStatusName | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> JobList:
    tenant = principal.tenant_id
    wanted = JobStatus(status) if status else None
    async with resources.db.tenant(tenant, readonly=True) as conn:

        async def fetch(limit: int, after: str | None) -> Page[Job]:
            return await jobs_repo.list_jobs(conn, status=wanted, limit=limit, cursor=after)

        found = await fetch_page(fetch, page=page, page_size=page_size, cursor=cursor)
        if wanted is None:
            total = await conn.fetchval("SELECT count(*) FROM analysis_jobs")
        else:
            total = await conn.fetchval(
                "SELECT count(*) FROM analysis_jobs WHERE status = $1", wanted.value
            )
        names = dict(
            await conn.fetch(
                "SELECT id, filename FROM log_files WHERE id = ANY($1::uuid[])",
                list({job.file_id for job in found.items}),
            )
        )
    jobs = []
    for job in found.items:  # running jobs: the status cache is fresher than the row
        snapshot = (
            None if job.status.is_final else await resources.status.get_job_status(tenant, job.id)
        )
        jobs.append(job_out(job, snapshot, names.get(job.file_id)))
    return JobList(jobs=jobs, pagination=pagination(page, page_size, int(total), found.next_cursor))


@router.get(
    "/{job_id}",
    operation_id="getAnalysis",
    summary="Get analysis job details",
    response_model=AnalysisJobOut,
    responses=responses(404),
)
async def get_analysis(
    job_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> AnalysisJobOut:
    job = await load_job(resources.db, resources.status, principal.tenant_id, job_id)
    if job is None:
        raise not_found("job", job_id)
    return job


@router.get(
    "/{job_id}/status",
    operation_id="getAnalysisStatus",
    summary="Status and progress only (cheap polling: Redis first)",
    response_model=JobStatusOut,
    responses=responses(404),
)
async def get_status(
    job_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> JobStatusOut:
    found = await status_of(resources.db, resources.status, principal.tenant_id, job_id)
    if found is None:
        raise not_found("job", job_id)
    return found


@router.post(
    "/{job_id}/cancel",
    operation_id="cancelAnalysis",
    summary="Cancel a job that has not finished",
    response_model=AnalysisJobOut,
    responses=responses(404, 409),
)
async def cancel_analysis(
    job_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> AnalysisJobOut:
    return await jobops.cancel(resources, principal, job_id)


@router.delete(
    "/{job_id}",
    operation_id="deleteAnalysis",
    summary="Delete a finished job with its rows, results, artefacts and caches",
    status_code=204,
    responses=responses(404, 409),
)
async def delete_analysis(
    job_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> Response:
    await jobops.delete(resources, principal.tenant_id, job_id)
    return Response(status_code=204)
