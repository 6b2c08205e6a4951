"""One transaction as a span tree: ``trace(scope, trace_id)`` or ``trace(scope, thread_id=…,
rpc_id=…)`` for logs without Trace IDs (arlog-format §a.7: same TID + RPC ID)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.models import TraceKey, TraceTree
from remedyiq_analysis.explore.spans import TraceRow, build
from remedyiq_analysis.explore.waterfall import breakdown, critical_path, to_spans, walk
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required

MAX_ROWS: Final = 50_000
"""A trace larger than this is cut (the tree is built in memory)."""
STATEMENT_CAP: Final = 500
ROW_SQL: Final = """SELECT file_number, line_number, end_line, toUnixTimestamp64Milli(timestamp),
    duration_ms, toString(log_type), toString(kind), thread_id, rpc_id, trace_id, queue, user,
    api_code, form, sql_table, sql_action, substringUTF8(sql_statement, 1, {stmt_cap:UInt32}),
    filter_name, filter_level, toString(filter_result), filter_phase, toString(phase_marker),
    operation, request_id, success, error_message, queue_time_ms, esc_name, esc_pool
FROM $E WHERE $JOB AND kind NOT IN ('line', 'ignored', 'malformed') AND {where}
ORDER BY file_number, line_number LIMIT {max_rows:UInt32}"""


def trace(
    scope: JobScope,
    trace_id: str | None = None,
    *,
    thread_id: str | None = None,
    rpc_id: str | None = None,
) -> TraceTree | None:
    """The span tree of a Trace ID, or of a thread + RPC ID; None if the job has no such rows.

    Give either ``trace_id`` or both ``thread_id`` and ``rpc_id`` (else ``ExploreError``).
    """
    key: TraceKey
    params: dict[str, Any]
    if trace_id and not (thread_id or rpc_id):
        key, where, params = "trace_id", "trace_id = {x_trace:String}", {"x_trace": trace_id}
    elif thread_id and rpc_id and not trace_id:
        key, where = "thread_rpc", "thread_id = {x_thread:String} AND rpc_id = {x_rpc:String}"
        params = {"x_thread": thread_id, "x_rpc": rpc_id}
    else:
        raise ExploreError("give a trace_id, or a thread_id and an rpc_id")
    found = scope.rows(
        ROW_SQL.replace("{where}", where),
        stmt_cap=STATEMENT_CAP,
        max_rows=MAX_ROWS,
        **params,
    )
    if not found:
        return None
    return assemble([_row(r) for r in found], key, truncated=len(found) >= MAX_ROWS)


def _row(c: Sequence[Any]) -> TraceRow:
    return TraceRow(
        file_number=int(c[0]),
        line=int(c[1]),
        end_line=int(c[2]),
        ts=int(c[3]),
        duration=int(c[4]),
        log_type=c[5],
        kind=c[6],
        thread=c[7],
        rpc=c[8],
        trace=c[9],
        queue=c[10],
        user=c[11],
        api=c[12],
        form=c[13],
        table=c[14],
        action=c[15],
        statement=c[16],
        filter_name=c[17],
        level=int(c[18]),
        result=c[19],
        phase=int(c[20]),
        marker=c[21],
        operation=c[22],
        request=c[23],
        success=bool(c[24]),
        error=c[25],
        queue_ms=float(c[26]),
        esc=c[27],
        pool=c[28],
    )


def assemble(rows: list[TraceRow], key: TraceKey, *, truncated: bool = False) -> TraceTree | None:
    """The :class:`TraceTree` of a transaction's rows (pure); None if no row makes a span."""
    roots = build(rows)
    if not roots:  # e.g. only the end markers of phases that began before the log did
        return None
    start = min(n.start for n in roots)
    end = max(n.end for n in roots)
    critical = critical_path(roots, start, end)
    on_path = {s.span_id for s in critical if s.span_id is not None}
    nodes = [n for n, _ in walk(roots)]
    first = roots[0].row
    queue_ms = sum(n.row.queue_ms for n in roots if n.kind == "api")
    return TraceTree(
        key_kind=key,
        trace_id=first.trace,
        thread_id=first.thread,
        rpc_id=first.rpc,
        start=iso_required(start),
        start_ms=start,
        end_ms=end,
        duration_ms=end - start,
        span_count=len(nodes),
        error_count=sum(1 for n in nodes if not n.success),
        roots=to_spans(roots, start, on_path),
        critical_path=critical,
        breakdown=breakdown(roots, start, end, queue_ms),
        truncated=truncated,
    )
