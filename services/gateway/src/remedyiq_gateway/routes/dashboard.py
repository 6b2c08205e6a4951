"""The dashboard: one combined endpoint (the MVP's) and every analyzer section on its own.

All read the job's durable report through the 5-minute Redis cache (``dashboard.report_json``).
A job that is not complete yet answers 409 ``job_not_complete``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from remedyiq_analysis.report import (
    ApiSection,
    EsclSection,
    FltrSection,
    Gaps,
    General,
    SqlSection,
)
from remedyiq_gateway import dashboard
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import responses
from remedyiq_gateway.schemas.dashboard import (
    AggregatesSection,
    DashboardData,
    DelayedEscalationsSection,
    ExceptionsSection,
    FileMetadataSection,
    LoggingActivitySection,
    QueuedCallsSection,
    ThreadsSection,
)

router = APIRouter(prefix="/analysis/{job_id}/dashboard", tags=["Dashboard"])
DEFAULT_TOP_N = 50

_ERRORS = responses(404, 409)


@router.get(
    "",
    operation_id="getDashboard",
    summary="Get dashboard data for an analysis (every section, one request)",
    response_model=DashboardData,
    responses=_ERRORS,
)
async def get_dashboard(
    job_id: UUID,
    principal: PrincipalDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    top_n: Annotated[int, Query(ge=1, le=10_000)] = DEFAULT_TOP_N,
) -> Response:
    # The default view is cached whole (the bytes sent): a warm dashboard is one Redis GET.
    tenant = principal.tenant_id
    whole = dashboard.cache_name(job_id, "combined")
    if top_n == DEFAULT_TOP_N and (hit := await resources.status.cache_get(tenant, whole)):
        return Response(hit, media_type="application/json")
    report = await dashboard.report_json(resources, tenant, job_id, settings.dashboard_cache_s)
    body = json.dumps(dashboard.dashboard(job_id, report, top_n), separators=(",", ":")).encode()
    if top_n == DEFAULT_TOP_N:
        await resources.status.cache_set(tenant, whole, body, ttl_s=settings.dashboard_cache_s)
    return Response(body, media_type="application/json")


Picker = Callable[[dict[str, Any]], Any]

# (path, operation id suffix, response model, what to pick from the report)
_SECTIONS: list[tuple[str, str, type[BaseModel], Picker]] = [
    ("general", "General", General, lambda r: r["general"]),
    ("gaps", "Gaps", Gaps, lambda r: r["gaps"]),
    ("api", "Api", ApiSection, lambda r: r["api"]),
    ("sql", "Sql", SqlSection, lambda r: r["sql"]),
    ("escalations", "Escalations", EsclSection, lambda r: r["escl"]),
    ("filters", "Filters", FltrSection, lambda r: r["fltr"]),
    ("aggregates", "Aggregates", AggregatesSection, lambda r: dashboard.section(r, "aggregates")),
    ("exceptions", "Exceptions", ExceptionsSection, lambda r: dashboard.section(r, "exceptions")),
    ("threads", "Threads", ThreadsSection, lambda r: dashboard.section(r, "threads")),
    (
        "queued-calls",
        "QueuedCalls",
        QueuedCallsSection,
        lambda r: dashboard.section(r, "queued-calls"),
    ),
    (
        "delayed-escalations",
        "DelayedEscalations",
        DelayedEscalationsSection,
        lambda r: dashboard.section(r, "delayed-escalations"),
    ),
    (
        "logging-activity",
        "LoggingActivity",
        LoggingActivitySection,
        lambda r: dashboard.section(r, "logging-activity"),
    ),
    (
        "file-metadata",
        "FileMetadata",
        FileMetadataSection,
        lambda r: dashboard.section(r, "file-metadata"),
    ),
]


def _section_route(pick: Picker) -> Callable[..., Awaitable[JSONResponse]]:
    async def get_section(
        job_id: UUID, principal: PrincipalDep, resources: ResourcesDep, settings: SettingsDep
    ) -> JSONResponse:
        report = await dashboard.report_json(
            resources, principal.tenant_id, job_id, settings.dashboard_cache_s
        )
        return JSONResponse(pick(report))

    return get_section


for _path, _name, _model, _pick in _SECTIONS:
    router.add_api_route(
        f"/{_path}",
        _section_route(_pick),
        methods=["GET"],
        operation_id=f"getDashboard{_name}",
        summary=f"Dashboard section: {_path.replace('-', ' ')}",
        response_model=_model,
        responses=_ERRORS,
    )
