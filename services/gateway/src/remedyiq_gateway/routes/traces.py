"""Transactions and traces: the list (by Trace ID, or thread + RPC ID without them), one
transaction as a span tree with waterfall timings, critical path and time breakdown, and its
JSON export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from remedyiq_analysis.explore import Span, TraceTree, TransactionPage, trace, transactions
from remedyiq_analysis.explore.models import SortOrder
from remedyiq_gateway.dashboard import zulu
from remedyiq_gateway.deps import ResourcesDep
from remedyiq_gateway.errors import not_found, responses
from remedyiq_gateway.scoping import ScopedJob, ScopedJobDep, TimeRangeDep

router = APIRouter(prefix="/analysis/{job_id}", tags=["Trace"])

Ident = Annotated[str, Path(min_length=1, max_length=200)]
_LOG_TYPES = {
    "api": "API",
    "phase": "FLTR",
    "filter": "FLTR",
    "sql": "SQL",
    "escalation": "ESCL",
    "event": "OTHER",
}


class TraceEntry(BaseModel):
    """One span, flat (MVP ``LogEntry`` names), in waterfall order with its depth."""

    entry_id: str
    line_number: int
    file_number: int
    timestamp: str | None
    log_type: str
    kind: str
    name: str
    detail: str
    thread_id: str
    offset_ms: int
    duration_ms: int
    self_ms: int
    depth: int
    success: bool
    error_message: str
    critical: bool


class TraceOut(BaseModel):
    """The MVP trace (``trace_id``, ``entries``, ``total_duration_ms``, ``entry_count``) and the
    span tree with the critical path and where the time went."""

    trace_id: str
    entries: list[TraceEntry]
    total_duration_ms: int
    entry_count: int
    tree: TraceTree


def _flat(spans: list[Span], depth: int = 0) -> Iterator[TraceEntry]:
    for span in spans:
        yield TraceEntry(
            entry_id=span.span_id,
            line_number=span.line,
            file_number=span.file_number,
            timestamp=zulu(span.start),
            log_type=_LOG_TYPES.get(span.kind, "OTHER"),
            kind=span.kind,
            name=span.name,
            detail=span.detail,
            thread_id=span.thread_id,
            offset_ms=span.start_ms,
            duration_ms=span.duration_ms,
            self_ms=span.self_ms,
            depth=depth,
            success=span.success,
            error_message=span.error,
            critical=span.critical,
        )
        yield from _flat(span.children, depth + 1)


def _out(tree: TraceTree) -> TraceOut:
    entries = list(_flat(tree.roots))
    key = tree.trace_id if tree.key_kind == "trace_id" else f"{tree.thread_id}:{tree.rpc_id}"
    return TraceOut(
        trace_id=key,
        entries=entries,
        total_duration_ms=tree.duration_ms,
        entry_count=len(entries),
        tree=tree,
    )


async def _tree(
    scoped: ScopedJob,
    resources: ResourcesDep,
    trace_id: str | None = None,
    thread_rpc: tuple[str, str] | None = None,
) -> TraceTree:
    if thread_rpc is None:
        found = await resources.clickhouse.run(trace, scoped.scope, trace_id)
    else:
        thread, rpc = thread_rpc
        found = await resources.clickhouse.run(trace, scoped.scope, thread_id=thread, rpc_id=rpc)
    if found is None:
        raise not_found("transaction", trace_id or ":".join(thread_rpc or ()))
    tree: TraceTree = found
    return tree


@router.get(
    "/transactions",
    operation_id="listTransactions",
    summary="Transactions (by Trace ID; by thread + RPC ID in logs without them)",
    response_model=TransactionPage,
    responses=responses(400, 404),
)
async def list_transactions(
    *,
    scoped: ScopedJobDep,
    resources: ResourcesDep,
    time: TimeRangeDep,
    q: Annotated[str, Query(max_length=4096, description="KQL: one row must match")] = "",
    sort: SortOrder = "-duration",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> TransactionPage:
    page: TransactionPage = await resources.clickhouse.run(
        transactions,
        scoped.scope,
        kql=q,
        limit=limit,
        cursor=cursor,
        sort=sort,
        start_ms=time.start_ms,
        end_ms=time.end_ms,
    )
    return page


@router.get(
    "/trace/{trace_id}",
    operation_id="getTrace",
    summary="One transaction by Trace ID: span tree, waterfall, critical path, breakdown",
    response_model=TraceOut,
    responses=responses(400, 404),
)
async def get_trace(trace_id: Ident, scoped: ScopedJobDep, resources: ResourcesDep) -> TraceOut:
    return _out(await _tree(scoped, resources, trace_id=trace_id))


@router.get(
    "/threads/{thread_id}/rpc/{rpc_id}/trace",
    operation_id="getThreadTrace",
    summary="One transaction by thread + RPC ID (logs without Trace IDs)",
    response_model=TraceOut,
    responses=responses(400, 404),
)
async def get_thread_trace(
    thread_id: Ident, rpc_id: Ident, scoped: ScopedJobDep, resources: ResourcesDep
) -> TraceOut:
    return _out(await _tree(scoped, resources, thread_rpc=(thread_id, rpc_id)))


@router.get(
    "/trace/{trace_id}/export",
    operation_id="exportTrace",
    summary="Download one transaction's span tree as JSON",
    response_model=TraceTree,
    responses=responses(400, 404),
)
async def export_trace(
    trace_id: Ident, scoped: ScopedJobDep, resources: ResourcesDep
) -> JSONResponse:
    tree = await _tree(scoped, resources, trace_id=trace_id)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in trace_id)[:80]
    return JSONResponse(
        tree.model_dump(mode="json"),
        headers={"Content-Disposition": f'attachment; filename="trace-{safe}.json"'},
    )
