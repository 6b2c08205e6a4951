"""The transaction list: a job's work grouped by Trace ID, or by thread + RPC ID without them.

A transaction is what one top-level API call (or escalation run) set off: all rows sharing its
Trace ID — in logs without Trace IDs, its thread and RPC ID (arlog-format §a.7; RPC ID ``0`` is
the server's internal work and is left out). Grouping ten million rows by key for every page
would take seconds, so pages are built from the **anchors** instead — the call or run rows,
which the sort key and the top-K reads order cheaply — and only the page's transactions are
aggregated (their keys hit the Trace ID bloom filter):

* the anchor of a key is its longest call or run (the outer call of SGE's SE + GE), so each
  transaction is listed once; ``-duration`` sorts by the anchor's duration (``call_ms``, what
  the user waited for), ``time`` by its start;
* ``duration_ms`` is exact — first row's start to last row's end — and may exceed ``call_ms``
  (phase-3 filters run after the call returned);
* ``kql`` keeps transactions with at least one matching row; a time range keeps those whose
  anchor starts in it. Pages are keyset-paged on the anchor's sort key.
"""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter
from typing import Any, Final

from remedyiq_analysis.explore.cursor import Key, decode, digest, encode
from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.filters import Filter, kql_filter, time_filter
from remedyiq_analysis.explore.keyset import Order, order_for
from remedyiq_analysis.explore.models import SortOrder, TraceKey, TransactionPage, TransactionRow
from remedyiq_analysis.explore.rows import entry_id
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso_required

MAX_LIMIT: Final = 500
ANCHORS: Final = "kind IN ('call', 'call_open', 'run', 'run_open')"
KEYS: Final[dict[TraceKey, tuple[str, str]]] = {
    # An anchor without a Trace ID in a log that has them is left out after reading (key ''):
    # testing trace_id on every row would read the whole column to order a page.
    "trace_id": ("trace_id", "1"),
    "thread_rpc": ("concat(thread_id, ':', rpc_id)", "rpc_id NOT IN ('', '0000000000')"),
}
_ANCHOR_INDEX: Final = {
    "duration_ms": 1,
    "timestamp": 2,
    "job_id": 3,
    "file_number": 4,
    "line_number": 5,
}
_TOP: Final = "tuple(duration_ms, -toUnixTimestamp64Milli(timestamp), -file_number, -line_number)"


def key_kind(scope: JobScope) -> TraceKey:
    """``trace_id`` when the job's API calls carry Trace IDs, else ``thread_rpc``."""
    found = scope.rows(
        "SELECT 1 FROM $E WHERE $JOB AND log_type = 'API' AND trace_id != '' LIMIT 1"
    )
    return "trace_id" if found else "thread_rpc"


def transactions(
    scope: JobScope,
    *,
    kql: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    sort: SortOrder = "-duration",
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> TransactionPage:
    """One page of transactions, ``-duration`` (default) = the longest calls first."""
    started = perf_counter()
    if not 1 <= limit <= MAX_LIMIT:
        raise ExploreError(f"limit must be 1..{MAX_LIMIT}")
    order = order_for(sort)
    kind = key_kind(scope)
    key_sql, has_key = KEYS[kind]
    matching = kql_filter(kql)
    anchors = time_filter(start_ms, end_ms).and_(f"{ANCHORS} AND {has_key}")
    if matching.query is not None and not matching.query.selectivity.match_all:
        anchors = anchors.and_(
            f"{key_sql} IN (SELECT {key_sql} FROM $E WHERE $JOB AND {has_key} "
            f"AND {matching.where})",
            **matching.params,
        )
    query_digest = digest("transactions", kql, start_ms, end_ms, sort, kind)
    after = decode(cursor, query_digest, order.types) if cursor is not None else None
    kept = _page(scope, anchors, order, key_sql=key_sql, after=after, want=limit + 1)
    rows = [_row(kind, anchor, figures) for anchor, figures in kept[:limit]]
    total = None
    if cursor is None:
        template = (
            f"SELECT uniqIf({key_sql}, {key_sql} != '') FROM $E WHERE $JOB AND {anchors.where}"
        )
        (total,) = scope.one(template, **anchors.params)
    next_key = _key(order, kept[limit - 1][0]) if len(kept) > limit else None
    return TransactionPage(
        rows=rows,
        next_cursor=encode(query_digest, next_key) if next_key is not None else None,
        key_kind=kind,
        total=int(total) if total is not None else None,
        took_ms=round((perf_counter() - started) * 1000),
    )


def _key(order: Order, anchor: Sequence[Any]) -> list[Key]:
    return [
        str(anchor[_ANCHOR_INDEX[c]]) if c == "job_id" else int(anchor[_ANCHOR_INDEX[c]])
        for c in order.columns
    ]


def _page(
    scope: JobScope,
    anchors: Filter,
    order: Order,
    *,
    key_sql: str,
    after: list[Key] | None,
    want: int,
) -> list[tuple[Sequence[Any], Sequence[Any]]]:
    """Up to ``want`` (anchor row, figures) in ``order``, each anchor the top of its key.

    One aggregation over the candidates' keys gives both their figures and their top anchor,
    which drops sub-calls (an SGE's inner GE); candidates are aggregated a few more than
    needed at a time, from one ordered list of twice the page.
    """
    kept: list[tuple[Sequence[Any], Sequence[Any]]] = []
    batch = 2 * want + 10  # ordering the anchors is the cost; a longer list is almost free
    while len(kept) < want:
        page = anchors
        if after is not None:
            sql, params = order.after(after)
            page = anchors.and_(sql, **params)
        found = scope.rows(
            f"SELECT {key_sql} AS key, duration_ms, toUnixTimestamp64Milli(timestamp), job_id, "
            "file_number, line_number, api_code, form, user, queue, esc_name, trace_id, "
            f"thread_id, rpc_id, {_TOP} FROM $E WHERE $JOB AND {page.where} "
            f"ORDER BY {order.clause()} LIMIT {{batch:UInt32}}",
            batch=batch,
            **page.params,
        )
        named = [r for r in found if r[0]]
        used = 0
        while len(kept) < want and used < len(named):
            need = want - len(kept)
            chunk = named[used : used + need + max(5, need // 4)]
            used += len(chunk)
            figures = _figures(scope, key_sql, sorted({str(r[0]) for r in chunk}))
            for row in chunk:
                *numbers, top = figures[str(row[0])]
                if tuple(row[-1]) == top:
                    kept.append((row, numbers))
        if len(found) < batch or len(kept) >= want:
            break
        after = _key(order, found[-1])
    return kept[:want]


def _figures(scope: JobScope, key_sql: str, keys: list[str]) -> dict[str, Sequence[Any]]:
    """Per key: its figures over all its rows, and its top anchor (last)."""
    return {
        str(r[0]): r[1:]
        for r in scope.rows(
            f"SELECT {key_sql} AS key, min(toUnixTimestamp64Milli(timestamp)) AS first, "
            "max(toUnixTimestamp64Milli(timestamp) + duration_ms) - first, "
            "countIf(kind IN ('call', 'call_open')), "
            "countIf(kind IN ('statement', 'statement_open')), "
            "countIf(kind IN ('check', 'check_open')), countIf(kind IN ('run', 'run_open')), "
            "countIf(kind IN ('call', 'statement', 'run') AND NOT success), "
            "sumIf(queue_time_ms, kind IN ('call', 'call_open')), "
            f"min(tuple(timestamp, file_number, line_number)), maxIf({_TOP}, {ANCHORS}) "
            "FROM $E WHERE $JOB AND key IN {keys:Array(String)} GROUP BY key",
            keys=keys,
        )
    }


def _row(kind: TraceKey, anchor: Sequence[Any], figures: Sequence[Any]) -> TransactionRow:
    key, call_ms, _ts, job, file_number, line, api, form, user, queue, esc, trace, thread, rpc = (
        anchor[:14]
    )
    start, duration, calls, statements, checks, runs, errors, queued, first = figures[:9]
    return TransactionRow(
        key=key,
        key_kind=kind,
        job_id=job,
        trace_id=trace,
        thread_id=thread,
        rpc_id=rpc,
        start=iso_required(int(start)),
        start_ms=int(start),
        end_ms=int(start) + int(duration),
        duration_ms=int(duration),
        call_ms=int(call_ms),
        api=api or esc,
        form=form,
        user=user,
        queue=queue,
        api_calls=int(calls),
        sql_statements=int(statements),
        filter_checks=int(checks),
        escalation_runs=int(runs),
        errors=int(errors),
        queue_time_ms=round(float(queued), 3),
        anchor_entry_id=entry_id(int(file_number), int(line)),
        first_entry_id=entry_id(int(first[1]), int(first[2])),
    )
