"""A budgeted, time-windowed scan for expensive time-sorted searches.

The range is cut into time slices whose row counts come from the sort key (cheap); slices are
grouped into windows of growing size (:data:`FIRST_WINDOW_ROWS`, then doubling) taken from the
end the page starts at. Each window is queried for the rows still missing; the scan stops when
the page is full — every later window is strictly older (newer), so the page is exact — or when
the rows read reach the budget: then the page is partial and ``resume`` is the key at which the
next page continues the scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from remedyiq_analysis.explore.cursor import Key
from remedyiq_analysis.explore.filters import Filter
from remedyiq_analysis.explore.keyset import Order
from remedyiq_analysis.explore.pages import fetch
from remedyiq_analysis.explore.scopes import Scope, run

SLICES: Final = 512
FIRST_WINDOW_ROWS: Final = 250_000


@dataclass(frozen=True, slots=True)
class Scan:
    rows: list[Sequence[Any]]
    partial: bool
    resume: list[Key] | None  # where the next page continues when partial


@dataclass(frozen=True, slots=True)
class Window:
    start_ms: int  # inclusive
    end_ms: int  # exclusive
    rows: int


def slices(scope: Scope, span: Filter) -> list[Window]:
    """Time slices of ``span`` (no KQL: key columns only) with their row counts, oldest first."""
    stats = run(
        scope,
        "SELECT count(), min(toUnixTimestamp64Milli(timestamp)), "
        f"max(toUnixTimestamp64Milli(timestamp)) FROM $E WHERE $JOB AND {span.where}",
        **span.params,
    ).result_rows
    total, low, high = stats[0] if stats else (0, 0, 0)
    if not total:
        return []
    width = max(1, -(-(int(high) - int(low) + 1) // SLICES))
    found = run(
        scope,
        "SELECT intDiv(toUnixTimestamp64Milli(timestamp) - {s_low:Int64}, {s_width:Int64}) AS s, "
        f"count() FROM $E WHERE $JOB AND {span.where} GROUP BY s ORDER BY s",
        s_low=int(low),
        s_width=width,
        **span.params,
    ).result_rows
    return [
        Window(int(low) + int(s) * width, int(low) + (int(s) + 1) * width, int(n)) for s, n in found
    ]


def plan(parts: list[Window], descending: bool) -> list[Window]:
    """Group slices into windows of growing size, in scan order (newest first if descending)."""
    ordered = list(reversed(parts)) if descending else list(parts)
    planned: list[Window] = []
    target = FIRST_WINDOW_ROWS
    group: list[Window] = []
    for part in ordered:
        group.append(part)
        if sum(p.rows for p in group) >= target:
            planned.append(_merge(group))
            group = []
            target *= 2
    if group:
        planned.append(_merge(group))
    return planned


def _merge(group: list[Window]) -> Window:
    return Window(
        min(p.start_ms for p in group), max(p.end_ms for p in group), sum(p.rows for p in group)
    )


def scan(scope: Scope, flt: Filter, span: Filter, order: Order, *, want: int, budget: int) -> Scan:
    """Up to ``want`` rows of ``flt`` in ``order`` (a time order), reading about ``budget`` rows.

    ``span`` is ``flt`` without its KQL part (range and keyset only), used to size windows.
    """
    rows: list[Sequence[Any]] = []
    read = 0
    planned = plan(slices(scope, span), order.descending)
    for i, window in enumerate(planned):
        bounded = flt.and_(
            "timestamp >= fromUnixTimestamp64Milli({w_start:Int64}, 'UTC') "
            "AND timestamp < fromUnixTimestamp64Milli({w_end:Int64}, 'UTC')",
            w_start=window.start_ms,
            w_end=window.end_ms,
        )
        rows.extend(fetch(scope, bounded, order, want - len(rows)))
        read += window.rows
        if len(rows) >= want:
            return Scan(rows, partial=False, resume=None)
        if read >= budget and i + 1 < len(planned):
            edge = window.start_ms if order.descending else window.end_ms
            return Scan(rows, partial=True, resume=order.boundary(edge))
    return Scan(rows, partial=False, resume=None)
