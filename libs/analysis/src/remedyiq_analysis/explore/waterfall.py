"""A span tree's figures: self times, the critical path, the time breakdown (pure).

* **Self time** of a span = its extent minus the union of its children's intervals (clipped to
  it), so overlapping children are not counted twice.
* **Critical path** (as Jaeger computes it): from the end of the trace walk backwards; at each
  level the child that finished last before the cursor is on the path (recursively), the
  parent's own time fills the gaps between such children. The segments tile the trace's time
  exactly, ending at the end of the last root; ``span_id=None`` marks time no span was open.
* **Breakdown**: every millisecond of the trace goes to the deepest span open then (a sweep over
  span boundaries), by kind; time with no span open is idle. The parts add up to the duration.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from typing import Final

from remedyiq_analysis.explore.models import CriticalSegment, Span, TimeBreakdown
from remedyiq_analysis.explore.rows import entry_id
from remedyiq_analysis.explore.spans import Node
from remedyiq_analysis.timefmt import iso_required

_CATEGORY: Final = {
    "sql": "sql",
    "filter": "filter",
    "phase": "filter",
    "api": "api",
    "escalation": "escalation",
    "event": "other",
}


def span_id(node: Node) -> str:
    return entry_id(node.row.file_number, node.row.line)


def union_length(intervals: list[tuple[int, int]], low: int, high: int) -> int:
    """Length of the union of ``intervals`` clipped to ``[low, high]``."""
    total, reach = 0, low
    for first, last in sorted(intervals):
        start, end = max(first, reach), min(last, high)
        if end > start:
            total += end - start
            reach = end
    return total


def walk(nodes: list[Node], depth: int = 0) -> Iterator[tuple[Node, int]]:
    """Every node with its depth, parents before children (iterative: deep trees are fine)."""
    pending = [(n, depth) for n in reversed(nodes)]
    while pending:
        node, level = pending.pop()
        yield node, level
        pending.extend((c, level + 1) for c in reversed(node.children))


def critical_path(roots: list[Node], start: int, end: int) -> list[CriticalSegment]:
    """Segments (trace offsets) tiling ``[start, end]``, in time order."""
    found: list[tuple[str | None, int, int]] = []
    _critical(None, start, end, roots, found)
    merged: list[tuple[str | None, int, int]] = []
    for owner, low, high in reversed(found):
        if merged and merged[-1][0] == owner and merged[-1][2] == low:
            merged[-1] = (owner, merged[-1][1], high)
        else:
            merged.append((owner, low, high))
    return [CriticalSegment(span_id=s, start_ms=a - start, end_ms=b - start) for s, a, b in merged]


def _critical(
    owner: str | None,
    low: int,
    cursor: int,
    children: list[Node],
    out: list[tuple[str | None, int, int]],
) -> None:
    # Children by end, latest first: a child starting at or after the cursor never qualifies
    # again (the cursor only moves back), so one pass over the list suffices.
    kids = sorted((c for c in children if c.end > c.start), key=_by_end, reverse=True)
    i = 0
    while cursor > low:
        while i < len(kids) and kids[i].start >= cursor:
            i += 1
        if i == len(kids):
            break
        child = kids[i]
        i += 1
        child_end = min(child.end, cursor)
        if child_end < cursor:
            out.append((owner, child_end, cursor))
        _critical(span_id(child), max(child.start, low), child_end, child.children, out)
        cursor = max(child.start, low)
    if cursor > low:
        out.append((owner, low, cursor))


def _by_end(node: Node) -> tuple[int, int]:
    return node.end, node.start


def breakdown(roots: list[Node], start: int, end: int, queue_ms: float) -> TimeBreakdown:
    """Each millisecond of ``[start, end]`` to the deepest span open then."""
    spans = [(n, d) for n, d in walk(roots) if n.end > n.start]
    opening = sorted(((n.start, i) for i, (n, _) in enumerate(spans)), reverse=True)
    closing = {i: n.end for i, (n, _) in enumerate(spans)}
    points = sorted({start, end, *(n.start for n, _ in spans), *(n.end for n, _ in spans)})
    totals = dict.fromkeys(("sql", "filter", "api", "escalation", "other", "idle"), 0)
    heap: list[tuple[int, int, int]] = []  # (-depth, -start, index): deepest, latest first
    for here, after in itertools.pairwise(points):
        while opening and opening[-1][0] <= here:
            _, i = opening.pop()
            heapq.heappush(heap, (-spans[i][1], -spans[i][0].start, i))
        while heap and closing[heap[0][2]] <= here:
            heapq.heappop(heap)
        category = _CATEGORY[spans[heap[0][2]][0].kind] if heap else "idle"
        totals[category] += after - here
    return TimeBreakdown(
        sql_ms=totals["sql"],
        filter_ms=totals["filter"],
        api_ms=totals["api"],
        escalation_ms=totals["escalation"],
        other_ms=totals["other"],
        idle_ms=totals["idle"],
        total_ms=end - start,
        queue_ms=round(queue_ms, 3),
    )


def to_spans(nodes: list[Node], origin: int, critical: set[str]) -> list[Span]:
    """The pydantic tree (offsets from ``origin``); built bottom-up without recursion."""
    built: dict[int, Span] = {}
    for node, _ in reversed(list(walk(nodes))):
        sid = span_id(node)
        kids = [built.pop(id(c)) for c in node.children]
        covered = union_length([(c.start, c.end) for c in node.children], node.start, node.end)
        built[id(node)] = Span(
            span_id=sid,
            kind=node.kind,
            name=node.name,
            detail=node.detail,
            file_number=node.row.file_number,
            line=node.row.line,
            end_line=max(node.end_line, node.row.line),
            thread_id=node.row.thread,
            start=iso_required(node.start),
            start_ms=node.start - origin,
            duration_ms=node.end - node.start,
            logged_ms=node.row.duration,
            self_ms=node.end - node.start - covered,
            level=node.level,
            success=node.success,
            error=node.row.error,
            critical=sid in critical,
            children=kids,
        )
    return [built[id(n)] for n in nodes]
