"""KQL search over a job (or several): keyset-paged hits, with a cost guard for text scans.

Most queries are cheap on the table's sort key (tenant, job, log_type, timestamp, …): a first
page reads the narrow key columns, then the wide ones (raw text) only for the rows it returns.
A query that scans text (bare words, ``raw:``/``sql:``/``error:`` substrings, leading wildcards)
without an id to narrow it reads every text byte of the range, so over a range of more than
:data:`ROW_BUDGET` rows it runs under a time budget (:data:`PAGE_BUDGET_S`,
:mod:`remedyiq_analysis.explore.windows`): time-sorted pages scan time windows from the page's
end and stop as soon as the page is full — exact newest-first results — or when the budget is
spent (``partial=True``, a warning, and a cursor that continues the scan where it stopped);
other orders read what the budget allows and say so.
"""

from __future__ import annotations

from time import perf_counter
from typing import Final

from remedyiq_analysis.explore import windows
from remedyiq_analysis.explore.cursor import Key, decode, digest, encode
from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.filters import kql_filter
from remedyiq_analysis.explore.keyset import Order, order_for
from remedyiq_analysis.explore.models import SearchPage, SortOrder
from remedyiq_analysis.explore.pages import TIME_BUDGET_S, count, fetch
from remedyiq_analysis.explore.rows import entry_row
from remedyiq_analysis.explore.scopes import Scope, TenantScope

MAX_LIMIT: Final = 1000
ROW_BUDGET: Final = 500_000
"""Ranges of more rows than this are scanned for text under :data:`PAGE_BUDGET_S` (a page of
another order reads this many rows at most); a text scan reads about 2M rows/s on 2 cores."""
PAGE_BUDGET_S: Final = 0.2
"""How long a page of a guarded text search scans before it answers (from the request on)."""
COUNT_BUDGET: Final = 500_000
"""A text-scanning query's total is counted only over ranges this small."""


def search(
    scope: Scope,
    kql: str,
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
    sort: SortOrder = "-time",
    limit: int = 100,
    cursor: str | None = None,
) -> SearchPage:
    """One page of entries matching ``kql`` in ``[start_ms, end_ms)``, sorted by ``sort``.

    ``cursor`` is the previous page's ``next_cursor`` (same query, range and sort, else
    :class:`~remedyiq_analysis.explore.exceptions.InvalidCursor`). ``total_estimate`` is given
    on the first page when it is cheap to count. Raises ``KqlError`` for a bad query and
    ``ExploreError`` for bad parameters.
    """
    started = perf_counter()
    if not 1 <= limit <= MAX_LIMIT:
        raise ExploreError(f"limit must be 1..{MAX_LIMIT}")
    order = order_for(sort, several_jobs=isinstance(scope, TenantScope))
    flt = kql_filter(kql, start_ms, end_ms)
    query_digest = digest("search", kql, start_ms, end_ms, sort)
    key = decode(cursor, query_digest, order.types) if cursor is not None else None
    paged = flt
    if key is not None:
        sql, params = order.after(key)
        paged = flt.and_(sql, **params)
    stats = None
    if flt.heavy:
        stats = windows.span_stats(scope, *_unread_range(order, key, start_ms, end_ms))
    span_rows = stats[0] if stats is not None else None
    partial = False
    resume: list[Key] | None = None
    if stats is not None and stats[0] > ROW_BUDGET:
        if order.by_time:
            deadline = started + PAGE_BUDGET_S
            scan = windows.scan(scope, paged, order, stats=stats, want=limit + 1, deadline=deadline)
            rows, partial, resume = scan.rows, scan.partial, scan.resume
        else:
            budget = {
                "max_rows_to_read": ROW_BUDGET,
                "read_overflow_mode": "break",
                "max_execution_time": PAGE_BUDGET_S,
                "timeout_overflow_mode": "break",
            }
            rows, partial = fetch(scope, paged, order, limit + 1, settings=budget), True
    else:
        rows = fetch(scope, paged, order, limit + 1)
    timed_out = perf_counter() - started >= TIME_BUDGET_S
    partial = partial or timed_out
    total = None
    if cursor is None and not partial and (not flt.heavy or (span_rows or 0) <= COUNT_BUDGET):
        total = len(rows) if len(rows) <= limit else count(scope, flt)
    next_key = order.key_of(rows[limit - 1]) if len(rows) > limit else resume
    return SearchPage(
        rows=[entry_row(r) for r in rows[:limit]],
        next_cursor=encode(query_digest, next_key) if next_key is not None else None,
        total_estimate=total,
        took_ms=round((perf_counter() - started) * 1000),
        partial=partial,
        warning=_warning(span_rows, timed_out) if partial else None,
    )


def _unread_range(
    order: Order, key: list[Key] | None, start_ms: int | None, end_ms: int | None
) -> tuple[int | None, int | None]:
    """The part of the range a time-ordered page still has to read, after its cursor.

    A boundary key (a partial page's ``resume``) excludes its whole millisecond; a row key
    leaves rows of the same millisecond after it. Either way every page moves on.
    """
    if key is None or not order.by_time:
        return start_ms, end_ms
    at = int(key[0])
    if order.descending:
        edge = at if order.is_boundary(key) else at + 1
        end = edge if end_ms is None else min(end_ms, edge)
        return start_ms, end if start_ms is None else max(start_ms, end)
    start = at if start_ms is None else max(start_ms, at)
    return start, end_ms if end_ms is None else max(end_ms, start)


def _warning(span_rows: int | None, timed_out: bool) -> str:
    if timed_out and span_rows is None:
        return (
            f"The search stopped after its time budget ({TIME_BUDGET_S} s): results may be "
            "incomplete. Narrow the time range or add a field condition."
        )
    size = f"{span_rows:,} entries" if span_rows is not None else "the whole range"
    return (
        f"Text search over {size}: only part of the range was searched (each page searches "
        f"for about {PAGE_BUDGET_S:g} s). Narrow the time range or add a field condition "
        "(type, user, form, trace …) for complete results; the next page continues the scan."
    )
