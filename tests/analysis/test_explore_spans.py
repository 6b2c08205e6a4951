"""The span tree and its figures from hand-made rows (pure: no ClickHouse)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from remedyiq_analysis.explore import Span, TraceTree
from remedyiq_analysis.explore.spans import TraceRow
from remedyiq_analysis.explore.tracing import assemble
from remedyiq_analysis.explore.waterfall import union_length

BASE = TraceRow(
    file_number=1, line=0, end_line=0, ts=1_000_000, duration=0, log_type="API", kind="call",
    thread="T1", rpc="R1", trace="X", queue="Fast", user="u", api="", form="", table="",
    action="", statement="", filter_name="", level=0, result="none", phase=0, marker="none",
    operation="", request="", success=True, error="", queue_ms=0.0, esc="", pool="",
)  # fmt: skip


def row(line: int, at: int, kind: str, *, end_line: int | None = None, **rest: Any) -> TraceRow:
    kinds = {"call": "API", "statement": "SQL", "check": "FLTR", "phase": "FLTR"}
    changed: dict[str, Any] = {"line": line, "kind": kind}
    changed["end_line"] = line if end_line is None else end_line
    changed |= {"ts": BASE.ts + at, "log_type": kinds.get(kind, "ESCL")}
    return replace(BASE, **changed, **rest)


def tree_of(rows: list[TraceRow]) -> TraceTree:
    found = assemble(rows, "trace_id")
    assert found is not None
    return found


def flat(spans: list[Span]) -> list[Span]:
    return [s for span in spans for s in (span, *flat(span.children))]


def test_two_threads_with_a_gap_and_an_overlap() -> None:
    rows = [
        row(1, 0, "call", end_line=9, duration=100, api="GE", form="F"),
        row(2, 10, "statement", end_line=3, duration=50, table="T1", action="SELECT"),
        row(4, 20, "statement", end_line=5, duration=60, table="T2", action="SELECT"),  # overlaps
        row(10, 150, "call", end_line=12, duration=40, api="SE", thread="T2", queue_ms=7.5),
        row(11, 160, "statement", end_line=11, duration=10, thread="T2", success=False,
            error="ORA-00060"),
    ]  # fmt: skip
    tree = tree_of(rows)
    assert [r.span_id for r in tree.roots] == ["1:1", "1:10"]
    assert tree.duration_ms == 190
    first = tree.roots[0]
    assert [c.span_id for c in first.children] == ["1:2", "1:4"]
    # self = 100 - |[10, 60) ∪ [20, 80)| = 100 - 70: the overlap is not counted twice
    assert first.self_ms == 30
    b = tree.breakdown
    assert (b.sql_ms, b.api_ms, b.idle_ms) == (80, 60, 50)
    assert b.sql_ms + b.api_ms + b.idle_ms == b.total_ms == 190
    assert b.queue_ms == 7.5
    path = [(s.span_id, s.start_ms, s.end_ms) for s in tree.critical_path]
    # from the end back: the root's own 10 ms, the later statement, the earlier one where it
    # still ran alone, the idle gap, the second call and its statement
    assert path == [
        ("1:1", 0, 10),
        ("1:2", 10, 20),
        ("1:4", 20, 80),
        ("1:1", 80, 100),
        (None, 100, 150),
        ("1:10", 150, 160),
        ("1:11", 160, 170),
        ("1:10", 170, 190),
    ]
    assert tree.error_count == 1
    assert {s.span_id for s in flat(tree.roots) if s.critical} == {
        "1:1",
        "1:2",
        "1:4",
        "1:10",
        "1:11",
    }


def test_filter_levels_nest_and_checks_cover_what_they_start() -> None:
    rows = [
        row(1, 0, "call", end_line=30, duration=100, api="CE", form="A"),
        row(2, 1, "phase", marker="start", phase=1, form="A", operation="CREATE"),
        row(3, 2, "check", level=0, duration=3, filter_name="A:push"),
        row(5, 5, "phase", marker="start", phase=1, form="B", operation="CREATE"),
        row(6, 6, "check", level=1, duration=4, filter_name="B:one"),
        row(7, 10, "statement", duration=20, table="T9"),
        row(8, 30, "check", level=1, duration=5, filter_name="B:two"),
        row(9, 35, "phase", marker="end", phase=1, form="B"),
        row(10, 36, "check", level=0, duration=4, filter_name="A:last"),
        row(11, 40, "phase", marker="end", phase=1, form="A"),
        row(12, 41, "statement", duration=50, table="T1"),
        row(13, 95, "schedule", esc="E", form="A"),
    ]  # fmt: skip
    tree = tree_of(rows)
    spans = {s.span_id: s for s in flat(tree.roots)}
    (root,) = tree.roots
    assert [c.span_id for c in root.children] == ["1:2", "1:12", "1:13"]
    assert [c.span_id for c in spans["1:2"].children] == ["1:3", "1:10"]
    assert [c.span_id for c in spans["1:3"].children] == ["1:5"]  # B's processing inside A:push
    assert [c.span_id for c in spans["1:5"].children] == ["1:6", "1:8"]
    assert [c.span_id for c in spans["1:6"].children] == ["1:7"]  # SQL under the open check
    assert (spans["1:5"].level, spans["1:6"].level, spans["1:2"].level) == (1, 1, 0)
    push = spans["1:3"]
    assert (push.logged_ms, push.start_ms, push.duration_ms) == (3, 2, 33)  # 2 → 35 (B's end)
    assert spans["1:5"].duration_ms == 30
    assert spans["1:2"].duration_ms == 39
    assert spans["1:13"].kind == "event"
    assert spans["1:12"].self_ms == 50
    b = tree.breakdown
    assert b.sql_ms == 70
    assert b.sql_ms + b.filter_ms + b.api_ms + b.other_ms == 100
    for span in spans.values():
        kids = [(c.start_ms, c.start_ms + c.duration_ms) for c in span.children]
        end = span.start_ms + span.duration_ms
        assert span.self_ms == span.duration_ms - union_length(kids, span.start_ms, end)


def test_rows_in_several_files_nest_by_time() -> None:
    # a split log: the call in arapi.log (file 1), its statement in arsql.log (file 2)
    rows = [
        row(5, 0, "call", end_line=6, duration=40, api="GE"),
        replace(row(3, 10, "statement", duration=20, table="T1"), file_number=2),
        replace(row(9, 60, "statement", duration=5, table="T2"), file_number=2),
    ]
    tree = tree_of(rows)
    assert [(s.span_id, [c.span_id for c in s.children]) for s in tree.roots] == [
        ("1:5", ["2:3"]), ("2:9", [])
    ]  # fmt: skip


@pytest.mark.parametrize("marker", ["end"])
def test_a_trace_of_only_phase_ends_has_no_tree(marker: str) -> None:
    assert assemble([row(1, 0, "phase", marker=marker, phase=1, form="A")], "trace_id") is None
