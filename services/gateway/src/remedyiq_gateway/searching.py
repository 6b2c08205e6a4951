"""KQL search for the routes: the explorer's keyset-paged search, the MVP result shape, a
2-minute result cache (``cache:{tenant}:search:{hash}``) and the user's search history.

The query is compiled to parameterized SQL over the allow-listed fields by ``remedyiq_query``
(inside ``explore.search``); the tenant and jobs are bound by the scope. A query that scans text
over a huge range comes back fast with what it found first, ``partial: true`` and a warning
saying how to get complete results — the explorer's cost guard.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from remedyiq_analysis.explore import EntryRow, Scope, SearchPage, facets, search
from remedyiq_analysis.explore.models import SortOrder
from remedyiq_gateway import history
from remedyiq_gateway.dashboard import zulu
from remedyiq_gateway.deps import Principal, Resources
from remedyiq_gateway.errors import ApiError
from remedyiq_gateway.limits import enforce, user_key
from remedyiq_gateway.settings import GatewaySettings

MVP_FACETS = {"types": "type", "queues": "queue", "users": "user"}
MAX_WALK_ROWS = 10_000

MvpSort = Literal["timestamp", "duration_ms", "line_number"]


def sort_order(sort: MvpSort, order: Literal["asc", "desc"]) -> SortOrder:
    """The MVP's ``sort``/``order`` as the explorer's order (lines run in time order)."""
    base = "duration" if sort == "duration_ms" else "time"
    return base if order == "asc" else f"-{base}"  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    q: str
    start_ms: int | None
    end_ms: int | None
    sort: SortOrder
    limit: int
    cursor: str | None
    page: int
    with_facets: bool

    def digest(self, job_ids: list[str]) -> str:
        material = json.dumps(
            [
                job_ids,
                self.q,
                self.start_ms,
                self.end_ms,
                self.sort,
                self.limit,
                self.cursor,
                self.page,
                self.with_facets,
            ],
        )
        return hashlib.sha256(material.encode()).hexdigest()[:32]


def log_entry(row: EntryRow) -> dict[str, Any]:
    """A hit in the MVP's ``LogEntry`` shape (its names), plus the explorer's extras."""
    return {
        "entry_id": row.entry_id,
        "job_id": row.job_id,
        "line_number": row.line,
        "end_line": row.end_line,
        "file_number": row.file_number,
        "timestamp": zulu(row.timestamp),
        "timestamp_ms": row.timestamp_ms,
        "log_type": row.log_type,
        "kind": row.kind,
        "trace_id": row.trace_id,
        "rpc_id": row.rpc_id,
        "thread_id": row.thread,
        "queue": row.queue,
        "user": row.user,
        "duration_ms": row.duration_ms,
        "success": row.success,
        "summary": row.summary,
        "raw_text": row.raw_text,
        "raw_truncated": row.raw_truncated,
    }


async def _page(resources: Resources, scope: Scope, request: SearchRequest) -> SearchPage:
    clickhouse = resources.clickhouse
    cursor = request.cursor
    if cursor is None and request.page > 1:  # the MVP's page=N: walk the cursors (bounded)
        if (request.page - 1) * request.limit > MAX_WALK_ROWS:
            raise ApiError(400, "page_too_deep", "pages this deep: follow next_cursor instead")
        for _ in range(request.page - 1):
            skipped: SearchPage = await clickhouse.run(
                search,
                scope,
                request.q,
                start_ms=request.start_ms,
                end_ms=request.end_ms,
                sort=request.sort,
                limit=request.limit,
                cursor=cursor,
            )
            if skipped.next_cursor is None:
                return SearchPage(
                    rows=[],
                    next_cursor=None,
                    total_estimate=None,
                    took_ms=0,
                    partial=False,
                    warning=None,
                )
            cursor = skipped.next_cursor
    page: SearchPage = await clickhouse.run(
        search,
        scope,
        request.q,
        start_ms=request.start_ms,
        end_ms=request.end_ms,
        sort=request.sort,
        limit=request.limit,
        cursor=cursor,
    )
    return page


async def run_search(
    resources: Resources,
    settings: GatewaySettings,
    principal: Principal,
    scope: Scope,
    request: SearchRequest,
    *,
    job_ids: list[str],
    cacheable: bool,
) -> dict[str, Any]:
    """One page of hits in the MVP ``SearchResult`` shape (see the module docstring)."""
    tenant = principal.tenant_id
    await enforce(
        resources.status,
        tenant,
        ("search", user_key(principal.user_id)),
        limit=settings.search_rate_limit,
        window_s=settings.search_rate_window_s,
    )
    if request.q.strip() and request.cursor is None and request.page == 1:
        await history.record(
            resources.status,
            tenant,
            principal.user_id,
            settings.search_history_size,
            {"q": request.q, "job_ids": job_ids},
        )
    name = ("search", request.digest(job_ids))
    if cacheable:
        cached = await resources.status.cache_get(tenant, name)
        if cached is not None:
            body: dict[str, Any] = json.loads(cached)
            return {**body, "cached": True}
    page = await _page(resources, scope, request)
    body = {
        "total_count": page.total_estimate,
        "entries": [log_entry(row) for row in page.rows],
        "took_ms": page.took_ms,
        "next_cursor": page.next_cursor,
        "partial": page.partial,
        "warning": page.warning,
        "facets": None,
        "cached": False,
    }
    if request.with_facets:
        found = await resources.clickhouse.run(
            facets,
            scope,
            request.q,
            fields=list(MVP_FACETS.values()),
            top=10,
            start_ms=request.start_ms,
            end_ms=request.end_ms,
        )
        body["facets"] = {
            name: {v.value: v.count for v in found[field]} for name, field in MVP_FACETS.items()
        }
    if cacheable:
        data = json.dumps(body).encode()
        await resources.status.cache_set(tenant, name, data, ttl_s=settings.search_cache_s)
    return body
