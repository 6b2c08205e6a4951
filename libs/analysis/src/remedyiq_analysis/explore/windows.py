"""A budgeted, time-windowed scan for expensive time-sorted searches.

The scan starts at the end the page starts at (the newest rows for ``-time``) and queries time
windows of growing size — :data:`FIRST_WINDOW_ROWS` rows, then twice as many each time — for
the rows still missing. Windows are sized from the range's row density (one cheap query over
the sort key), so their row counts are estimates; correctness does not depend on them: every
later window is strictly older (newer), so once the page is full it is exact. When the rows
read reach the budget first, the page is partial and ``resume`` is the key at which the next
page continues the scan (the edge of the last window read). The rows read are estimates of what
a window holds, not what the engine reads: the sort key or a skip index may rule a window out
at no cost (no rows of the wanted log type there, a Trace ID that is not in it). So a page
stops at the budget only once it has also taken :data:`MIN_SCAN_S` — a search the engine
answers from its indexes alone is complete and fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Final

from remedyiq_analysis.explore.cursor import Key
from remedyiq_analysis.explore.filters import Filter, time_filter
from remedyiq_analysis.explore.keyset import Order
from remedyiq_analysis.explore.pages import fetch
from remedyiq_analysis.explore.scopes import Scope, run
from remedyiq_arlog.schema import LogType

FIRST_WINDOW_ROWS: Final = 250_000
MIN_SCAN_S: Final = 0.25
"""A page scans on past its row budget until it has taken this long (see the docstring)."""


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


def plan(
    total: int,
    low: int,
    high: int,
    *,
    descending: bool,
    budget: int,
    first: int,
    growth: int = 2,
) -> Iterator[Window]:
    """Windows covering ``[low, high]`` from one end: ``first`` rows, then doubling, the last
    one before the budget cut to what remains of it (after that, windows just keep growing).
    ``growth=1`` gives even windows of ``first`` rows (exports)."""
    if total <= 0:
        return
    per_ms = total / (high - low + 1)
    edge = high + 1 if descending else low
    target, planned = first, 0
    while edge > low if descending else edge <= high:
        rows = min(target, budget - planned) if planned < budget else target
        ms = max(1, round(rows / per_ms))
        start, end = (max(low, edge - ms), edge) if descending else (edge, min(high + 1, edge + ms))
        window = Window(start, end, round((end - start) * per_ms))
        planned += window.rows
        yield window
        edge = start if descending else end
        target *= growth


def scan(
    scope: Scope,
    flt: Filter,
    order: Order,
    *,
    stats: tuple[int, int, int],
    want: int,
    budget: int,
) -> Scan:
    """Up to ``want`` rows of ``flt`` in ``order`` (a time order), reading about ``budget`` rows.

    ``stats`` is ``(rows, first_ms, last_ms)`` of the part of the range still to scan (see
    :func:`span_stats`); the windows cover ``[first_ms, last_ms]``.
    """
    total, low, high = stats
    rows: list[Sequence[Any]] = []
    read = 0
    started = perf_counter()
    windows = plan(
        total, low, high, descending=order.descending, budget=budget, first=FIRST_WINDOW_ROWS
    )
    for window in windows:
        if read >= budget and perf_counter() - started >= MIN_SCAN_S:
            edge = window.end_ms if order.descending else window.start_ms
            return Scan(rows, partial=True, resume=order.boundary(edge))
        bounded = flt.and_(
            "timestamp >= fromUnixTimestamp64Milli({w_start:Int64}, 'UTC') "
            "AND timestamp < fromUnixTimestamp64Milli({w_end:Int64}, 'UTC')",
            w_start=window.start_ms,
            w_end=window.end_ms,
        )
        rows.extend(fetch(scope, bounded, order, want - len(rows)))
        read += window.rows
        if len(rows) >= want:
            break
    return Scan(rows, partial=False, resume=None)
