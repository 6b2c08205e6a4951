"""What the reference report lacks, per job: time series per bucket (calls, errors, p50/p95/p99
per log type), percentiles per API/form/table/…, SQL grouped by fingerprint, errors by code.

Computed with ClickHouse over the job's rows; for a finished job (whose rows no longer change)
each answer is cached for the dashboard's 5 minutes under ``cache:{tenant}:dashboard:{job}:…``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from remedyiq_analysis.explore import (
    ErrorGroup,
    FingerprintRow,
    PercentileRow,
    TimeBucket,
    errors_by_code,
    percentiles,
    sql_fingerprints,
    timeseries,
)
from remedyiq_analysis.explore.models import PercentileBy
from remedyiq_gateway.dashboard import cache_name
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import responses
from remedyiq_gateway.scoping import ScopedJob, ScopedJobDep, TimeRangeDep
from remedyiq_gateway.settings import GatewaySettings

router = APIRouter(prefix="/analysis/{job_id}/dashboard", tags=["Dashboard"])

_ERRORS = responses(400, 404)


async def _cached(
    scoped: ScopedJob,
    *,
    resources: ResourcesDep,
    settings: GatewaySettings,
    kind: str,
    params: dict[str, Any],
    compute: Callable[[], Any],
) -> JSONResponse:
    tenant = scoped.principal.tenant_id
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:24]
    name = cache_name(scoped.job.id, kind, key)
    final = scoped.job.status.is_final
    if final:
        hit = await resources.status.cache_get(tenant, name)
        if hit is not None:
            return JSONResponse(json.loads(hit))
    models: list[BaseModel] = await resources.clickhouse.run(compute)
    data = [model.model_dump(mode="json") for model in models]
    if final:
        text = json.dumps(data).encode()
        await resources.status.cache_set(tenant, name, text, ttl_s=settings.dashboard_cache_s)
    return JSONResponse(data)


@router.get(
    "/timeseries",
    operation_id="getTimeSeries",
    summary="Per bucket and log type: events, errors, p50/p95/p99/max duration, API in flight",
    response_model=list[TimeBucket],
    responses=_ERRORS,
)
async def get_timeseries(
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    time: TimeRangeDep,
    bucket_s: Annotated[int, Query(ge=1, le=86_400)] = 60,
) -> JSONResponse:
    params = {"bucket_s": bucket_s, "start": time.start_ms, "end": time.end_ms}
    return await _cached(
        scoped,
        resources=resources,
        settings=settings,
        kind="timeseries",
        params=params,
        compute=lambda: timeseries(
            scoped.scope, bucket_s=bucket_s, start_ms=time.start_ms, end_ms=time.end_ms
        ),
    )


@router.get(
    "/percentiles",
    operation_id="getPercentiles",
    summary="Duration percentiles per API code, form, SQL table, filter, queue, user or client",
    response_model=list[PercentileRow],
    responses=_ERRORS,
)
async def get_percentiles(
    *,
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    time: TimeRangeDep,
    by: PercentileBy = "api",
    top: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    params = {"by": by, "top": top, "start": time.start_ms, "end": time.end_ms}
    return await _cached(
        scoped,
        resources=resources,
        settings=settings,
        kind="percentiles",
        params=params,
        compute=lambda: percentiles(
            scoped.scope, by=by, top=top, start_ms=time.start_ms, end_ms=time.end_ms
        ),
    )


@router.get(
    "/sql-fingerprints",
    operation_id="getSqlFingerprints",
    summary="SQL statements grouped by normalized fingerprint, most total time first",
    response_model=list[FingerprintRow],
    responses=_ERRORS,
)
async def get_sql_fingerprints(
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    time: TimeRangeDep,
    top: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    params = {"top": top, "start": time.start_ms, "end": time.end_ms}
    return await _cached(
        scoped,
        resources=resources,
        settings=settings,
        kind="fingerprints",
        params=params,
        compute=lambda: sql_fingerprints(
            scoped.scope, top=top, start_ms=time.start_ms, end_ms=time.end_ms
        ),
    )


@router.get(
    "/errors-by-code",
    operation_id="getErrorsByCode",
    summary="Failures grouped by ARERR / database error code (escalations by name)",
    response_model=list[ErrorGroup],
    responses=_ERRORS,
)
async def get_errors_by_code(
    scoped: ScopedJobDep, resources: ResourcesDep, settings: SettingsDep, time: TimeRangeDep
) -> JSONResponse:
    params = {"start": time.start_ms, "end": time.end_ms}
    return await _cached(
        scoped,
        resources=resources,
        settings=settings,
        kind="errors",
        params=params,
        compute=lambda: errors_by_code(scoped.scope, start_ms=time.start_ms, end_ms=time.end_ms),
    )
