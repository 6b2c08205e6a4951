"""A budgeted, time-windowed scan for expensive time-sorted searches.

The scan starts at the end the page starts at (the newest rows for ``-time``) and queries time
windows of growing size — :data:`FIRST_WINDOW_ROWS` rows, then twice as many each time — for
the rows still missing. Windows are sized from the range's row density (one cheap query over
the sort key), so their row counts are estimates; correctness does not depend on them: every
later window is strictly older (newer), so once the page is full it is exact.

The budget is time, not rows: a page reads its first window whole, then each further window
with the time left (the engine stops it at the deadline, and a window it stops is dropped).
When the deadline comes first, the page is partial and ``resume`` is the key at which the next
page continues the scan (the edge of the last window read). So a page answers in about the same
time on a laptop and on a ClickHouse cluster — the cluster just searches more of the range —
and a search the engine answers from its indexes alone (windows with no rows of the wanted log
type, a Trace ID a skip index rules out) runs to the end of the range quickly and is complete.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Final

from remedyiq_analysis.explore.cursor import Key
from remedyiq_analysis.explore.filters import Filter, time_filter
from remedyiq_analysis.explore.keyset import Order
from remedyiq_analysis.explore.pages import fetch, fetch_within
from remedyiq_analysis.explore.scopes import Scope, run
from remedyiq_arlog.schema import LogType

FIRST_WINDOW_ROWS: Final = 200_000
"""Rows of a page's first window (about 0.1 s of text on 2 cores)."""


@dataclass(frozen=True, slots=True)
class Scan:
    rows: Sequence[Sequence[Any]]
    partial: bool
    resume: list[Key] | None  # where the next page continues when partial


@dataclass(frozen=True, slots=True)
class Window:
    start_ms: int  # inclusive
    end_ms: int  # exclusive
    rows: int  # estimated

    def bound(self, flt: Filter) -> Filter:
        """``flt`` over this window only."""
        return flt.and_(
            "timestamp >= fromUnixTimestamp64Milli({w_start:Int64}, 'UTC') "
            "AND timestamp < fromUnixTimestamp64Milli({w_end:Int64}, 'UTC')",
            w_start=self.start_ms,
            w_end=self.end_ms,
        )


def span_stats(scope: Scope, start_ms: int | None, end_ms: int | None) -> tuple[int, int, int]:
    """``(rows, first_ms, last_ms)`` of the rows in the time range: cheap queries on the sort key.

    ``min``/``max(timestamp)`` would read every timestamp of the job; per log type the first and
    last row come from the sort key (tenant, job, log_type, timestamp) in order, one granule each.
    """
    ranged = time_filter(start_ms, end_ms)
    counted = run(scope, f"SELECT count() FROM $E WHERE $JOB AND {ranged.where}", **ranged.params)
    total = int(counted.result_rows[0][0])
    if not total:
        return 0, 0, 0
    ends = " UNION ALL ".join(
        f"(SELECT timestamp AS t FROM $E WHERE $JOB AND log_type = '{name}' AND {ranged.where} "
        f"ORDER BY timestamp {direction} LIMIT 1)"
        for name in LogType.__members__
        for direction in ("ASC", "DESC")
    )
    low, high = run(
        scope,
        f"SELECT toUnixTimestamp64Milli(min(t)), toUnixTimestamp64Milli(max(t)) FROM ({ends})",
        **ranged.params,
    ).result_rows[0]
    return total, int(low), int(high)


def plan(total: int, low: int, high: int, *, rows: int) -> Iterator[Window]:
    """Even windows of about ``rows`` rows covering ``[low, high]`` in time order (exports)."""
    if total <= 0:
        return
    per_ms = total / (high - low + 1)
    edge = low
    while edge <= high:
        window = _window(edge, rows, per_ms, low, high, descending=False)
        yield window
        edge = window.end_ms


def _window(
    edge: int, rows: int, per_ms: float, low: int, high: int, *, descending: bool
) -> Window:
    """About ``rows`` rows from ``edge`` on, towards the far end of ``[low, high]``."""
    ms = max(1, round(rows / per_ms))
    start, end = (max(low, edge - ms), edge) if descending else (edge, min(high + 1, edge + ms))
    return Window(start, end, round((end - start) * per_ms))


def scan(
    scope: Scope,
    flt: Filter,
    order: Order,
    *,
    stats: tuple[int, int, int],
    want: int,
    deadline: float,
) -> Scan:
    """Up to ``want`` rows of ``flt`` in ``order`` (a time order), scanning until ``deadline``
    (a :func:`time.perf_counter` value; see the module docstring).

    ``stats`` is ``(rows, first_ms, last_ms)`` of the part of the range still to scan (see
    :func:`span_stats`); the windows cover ``[first_ms, last_ms]``.
    """
    total, low, high = stats
    rows: list[Sequence[Any]] = []
    if total <= 0:
        return Scan(rows, partial=False, resume=None)
    per_ms = total / (high - low + 1)
    edge, target = (high + 1 if order.descending else low), FIRST_WINDOW_ROWS
    first = True  # the first window is read whole: every page moves on
    while edge > low if order.descending else edge <= high:
        window = _window(edge, target, per_ms, low, high, descending=order.descending)
        bounded, missing = window.bound(flt), want - len(rows)
        found: Sequence[Sequence[Any]] | None
        if first:
            found, first = fetch(scope, bounded, order, missing), False
        else:
            found = fetch_within(scope, bounded, order, missing, deadline - perf_counter())
        if found is None:  # out of time: the page ends before this window
            return Scan(rows, partial=True, resume=order.boundary(edge))
        rows.extend(found)
        if len(rows) >= want:
            break
        edge = window.start_ms if order.descending else window.end_ms
        target *= 2
    return Scan(rows, partial=False, resume=None)
