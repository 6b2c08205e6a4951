"""KQL search over a job's entries (the MVP's ``searchLogs``) or several jobs of the tenant:
hits, histogram, facets, streaming export, and autocomplete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from remedyiq_analysis.explore import (
    ExploreError,
    FacetValue,
    HistogramBucket,
    export_rows,
    facets,
    histogram,
    top_values,
)
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import responses
from remedyiq_gateway.schemas.search import AutocompleteResult, SearchResult, Suggestion
from remedyiq_gateway.scoping import (
    ScopedJobDep,
    TimeRangeDep,
    scoped_job,
    tenant_scope,
)
from remedyiq_gateway.searching import MvpSort, SearchRequest, run_search, sort_order
from remedyiq_query import MAX_QUERY_BYTES, Suggestions, suggest

router = APIRouter(tags=["Search"])

# Longer than the compiler's own limit (MAX_QUERY_BYTES): an over-long query is a KQL error
# (400 with code "limit"), like every other query problem.
Q = Annotated[str, Query(max_length=4 * MAX_QUERY_BYTES, description="KQL; empty: everything")]
_ERRORS = responses(400, 404, 422, 429)
_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


@router.get(
    "/analysis/{job_id}/search",
    operation_id="searchLogs",
    summary="Search log entries with KQL",
    response_model=SearchResult,
    responses=_ERRORS,
)
async def search_job(
    *,
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    time: TimeRangeDep,
    q: Q = "",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    sort: MvpSort = "timestamp",
    order: Literal["asc", "desc"] = "desc",
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    facets: Annotated[bool, Query(description="also count types, queues and users")] = False,
) -> JSONResponse:
    request = SearchRequest(
        q, time.start_ms, time.end_ms, sort_order(sort, order), page_size, cursor, page, facets
    )
    job_ids = [str(scoped.job.id)]
    body = await run_search(
        resources,
        settings,
        scoped.principal,
        scoped.scope,
        request,
        job_ids=job_ids,
        cacheable=scoped.job.status.is_final,
    )
    return JSONResponse(body)


@router.get(
    "/search",
    operation_id="searchTenant",
    summary="Search several jobs of the tenant (default: its latest analysed jobs)",
    response_model=SearchResult,
    responses=_ERRORS,
)
async def search_tenant(
    *,
    principal: PrincipalDep,
    resources: ResourcesDep,
    settings: SettingsDep,
    time: TimeRangeDep,
    q: Q = "",
    job_id: Annotated[list[UUID] | None, Query()] = None,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 100,
    sort: MvpSort = "timestamp",
    order: Literal["asc", "desc"] = "desc",
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    facets: bool = False,
) -> JSONResponse:
    scope = await tenant_scope(resources, principal, job_id or [], settings.search_max_jobs)
    request = SearchRequest(
        q, time.start_ms, time.end_ms, sort_order(sort, order), page_size, cursor, 1, facets
    )
    body = await run_search(
        resources,
        settings,
        principal,
        scope,
        request,
        job_ids=list(scope.job_ids),
        cacheable=True,
    )
    return JSONResponse(body)


@router.get(
    "/analysis/{job_id}/search/histogram",
    operation_id="searchHistogram",
    summary="Matching entries per time bucket and log type",
    response_model=list[HistogramBucket],
    responses=_ERRORS,
)
async def search_histogram(
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    time: TimeRangeDep,
    q: Q = "",
    buckets: Annotated[int, Query(ge=1, le=1000)] = 60,
) -> list[HistogramBucket]:
    found: list[HistogramBucket] = await resources.clickhouse.run(
        histogram, scoped.scope, q, buckets=buckets, start_ms=time.start_ms, end_ms=time.end_ms
    )
    return found


@router.get(
    "/analysis/{job_id}/search/facets",
    operation_id="searchFacets",
    summary="Top values of fields among the matching entries",
    response_model=dict[str, list[FacetValue]],
    responses=_ERRORS,
)
async def search_facets(
    *,
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    time: TimeRangeDep,
    q: Q = "",
    field: Annotated[list[str] | None, Query(max_length=20)] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, list[FacetValue]]:
    fields = field or ["type", "user", "form", "queue", "api", "table", "status"]
    found: dict[str, list[FacetValue]] = await resources.clickhouse.run(
        facets,
        scoped.scope,
        q,
        fields=fields,
        top=top,
        start_ms=time.start_ms,
        end_ms=time.end_ms,
    )
    return found


@router.get(
    "/analysis/{job_id}/search/export",
    operation_id="exportSearch",
    summary="Every matching entry, oldest first, streamed as CSV or JSON lines",
    responses={
        200: {"content": {media: {"schema": {"type": "string"}} for media in _MEDIA.values()}},
        **_ERRORS,
    },
    response_class=StreamingResponse,
)
async def export_search(
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    time: TimeRangeDep,
    q: Q = "",
    format: Literal["csv", "jsonl"] = "csv",
) -> StreamingResponse:
    clickhouse = resources.clickhouse
    chunks = await clickhouse.run(
        export_rows, scoped.scope, q, start_ms=time.start_ms, end_ms=time.end_ms, fmt=format
    )  # compiles now: a bad query is a 400, not a broken stream

    async def body() -> AsyncIterator[bytes]:
        while (chunk := await clickhouse.run(next, chunks, None)) is not None:
            yield chunk

    name = f"remedyiq-{scoped.job.id}-search.{format}"
    return StreamingResponse(
        body(),
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _mvp(found: Suggestions) -> AutocompleteResult:
    items = []
    for item in found.items:
        if item.kind == "field":
            field, value = item.text, None
        elif item.kind == "value":
            field, value = item.detail, item.text
        else:
            field, value = None, item.text
        items.append(
            Suggestion(
                field=field,
                value=value,
                text=item.text,
                kind=item.kind,
                detail=item.detail,
                start=item.start,
                end=item.end,
            )
        )
    return AutocompleteResult(
        suggestions=items,
        context=list(found.context),
        field=found.field,
        error=found.error,
        start=found.start,
        end=found.end,
    )


@router.get(
    "/search/autocomplete",
    operation_id="searchAutocomplete",
    summary="What may be typed at the cursor: fields, operators, values (of the job)",
    response_model=AutocompleteResult,
    responses=responses(404),
)
async def autocomplete(
    *,
    principal: PrincipalDep,
    resources: ResourcesDep,
    prefix: Annotated[str, Query(max_length=MAX_QUERY_BYTES, description="the query text")] = "",
    job_id: UUID | None = None,
    cursor: Annotated[int | None, Query(ge=0, description="default: the end of the text")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AutocompleteResult:
    position = len(prefix) if cursor is None else min(cursor, len(prefix))
    if job_id is None:
        return _mvp(suggest(prefix, position, limit=limit))
    scope = (await scoped_job(resources, principal, job_id)).scope

    def values(column: str, typed: str) -> Sequence[str]:
        try:
            return top_values(scope, column, typed, limit=10)
        except ExploreError:  # a free-text column: nothing to complete
            return []

    found: Suggestions = await resources.clickhouse.run(
        suggest, prefix, position, value_provider=values, limit=limit
    )
    return _mvp(found)
