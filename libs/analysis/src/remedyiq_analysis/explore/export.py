"""Streaming export of every entry matching a query, in time order, as CSV or JSON Lines.

Memory stays bounded whatever the result size: the range is walked in time windows sized (from
the sort key and one count of the matches) to hold about one page of matches, and each window
is read in keyset pages of :data:`PAGE_ROWS` rows. Each query is independent, so no ClickHouse
stream (nor chDB's per-client lock) stays open while the caller sends bytes on, and each query
reads only its window's granules: the export is about one pass over the range, whether the
query matches a few rows of a large job or all of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any, Final, get_args

from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.filters import Filter, kql_filter
from remedyiq_analysis.explore.keyset import order_for
from remedyiq_analysis.explore.models import EntryRow, ExportFormat
from remedyiq_analysis.explore.pages import count, fetch
from remedyiq_analysis.explore.rows import entry_row
from remedyiq_analysis.explore.scopes import Scope, TenantScope
from remedyiq_analysis.explore.windows import plan, span_stats
from remedyiq_arlog.schema import RAW_TEXT_LIMIT

PAGE_ROWS: Final = 2000
MIN_WINDOW_ROWS: Final = 50_000
EXPORT_SETTINGS: Final = {"max_execution_time": 120, "timeout_overflow_mode": "throw"}
"""An export is complete or fails: a page query never stops early."""
COLUMNS: Final = tuple(EntryRow.model_fields)


def export_rows(
    scope: Scope,
    kql: str,
    *,
    start_ms: int | None,
    end_ms: int | None,
    fmt: ExportFormat,
) -> Iterator[bytes]:
    """UTF-8 chunks of all entries matching ``kql`` in ``[start_ms, end_ms)``, oldest first.

    CSV has a header row with the :class:`EntryRow` field names; JSON Lines has one
    :class:`EntryRow` object per line. Raw text is complete (not capped as in search hits).
    The query is compiled before this returns, so a bad query raises ``KqlError`` here rather
    than from the first ``next()``.
    """
    if fmt not in get_args(ExportFormat):
        raise ExploreError(f"unknown export format {fmt!r}; use csv or jsonl")
    flt = kql_filter(kql, start_ms, end_ms)
    return _chunks(scope, flt, start_ms, end_ms, fmt)


def _chunks(
    scope: Scope, flt: Filter, start_ms: int | None, end_ms: int | None, fmt: ExportFormat
) -> Iterator[bytes]:
    if fmt == "csv":
        yield _csv([COLUMNS])
    for rows in _pages(scope, flt, start_ms, end_ms):
        entries = [entry_row(r, RAW_TEXT_LIMIT) for r in rows]
        if fmt == "csv":
            yield _csv([[_cell(getattr(e, c)) for c in COLUMNS] for e in entries])
        else:
            yield "".join(e.model_dump_json() + "\n" for e in entries).encode()


def _pages(
    scope: Scope, flt: Filter, start_ms: int | None, end_ms: int | None
) -> Iterator[Sequence[Sequence[Any]]]:
    order = order_for("time", several_jobs=isinstance(scope, TenantScope))
    total, low, high = span_stats(scope, start_ms, end_ms)
    matches = count(scope, flt, settings=EXPORT_SETTINGS) if total else 0
    if matches == 0:
        return
    size = max(MIN_WINDOW_ROWS, -(-total * PAGE_ROWS // (matches or total)))
    windows = plan(total, low, high, rows=size)
    for window in windows:
        bounded = window.bound(flt)
        paged = bounded
        while True:
            rows = fetch(
                scope, paged, order, PAGE_ROWS, raw_cap=RAW_TEXT_LIMIT, settings=EXPORT_SETTINGS
            )
            if rows:
                yield rows
            if len(rows) < PAGE_ROWS:
                break
            sql, params = order.after(order.key_of(rows[-1]))
            paged = bounded.and_(sql, **params)


def _cell(value: object) -> object:
    return "true" if value is True else "false" if value is False else value


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()
