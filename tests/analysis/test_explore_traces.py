"""Transactions and traces: span trees, the critical path, the time breakdown."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.explore import (
    ExploreError,
    InvalidCursor,
    Span,
    TraceTree,
    TransactionPage,
    TransactionRow,
    search,
    trace,
    transactions,
)
from remedyiq_analysis.explore.models import SortOrder
from remedyiq_analysis.scope import JobScope

if TYPE_CHECKING:
    from tests.analysis.explore_data import (
        FILES,
        OTHER_TENANT,
        SAMPLE1_TRACE,
        explore_client,
        job,
    )
else:
    from explore_data import FILES, OTHER_TENANT, SAMPLE1_TRACE, explore_client, job


@pytest.fixture(scope="module")
def client(chdb_dir: Path, fixtures_dir: Path) -> Client:
    return explore_client(chdb_dir, fixtures_dir)


def truth_of(fixtures_dir: Path, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((fixtures_dir / f"{FILES[name]}.truth.json").read_text())
    return found


def spans(
    nodes: list[Span], parents: tuple[str, ...] = ()
) -> Iterator[tuple[Span, tuple[str, ...]]]:
    for node in nodes:
        yield node, parents
        yield from spans(node.children, (*parents, node.span_id))


def union(intervals: list[tuple[int, int]]) -> int:
    covered: set[int] = set()
    for start, end in intervals:
        covered.update(range(start, end))
    return len(covered)


def check_tree(tree: TraceTree) -> None:
    """What must hold for every trace: nesting, self times, breakdown, critical path."""
    b = tree.breakdown
    assert b.sql_ms + b.filter_ms + b.api_ms + b.escalation_ms + b.other_ms + b.idle_ms == (
        tree.duration_ms
    )
    assert b.total_ms == tree.duration_ms == tree.end_ms - tree.start_ms
    listed = list(spans(tree.roots))
    assert tree.span_count == len(listed)
    assert len({s.span_id for s, _ in listed}) == len(listed)
    assert tree.error_count == sum(1 for s, _ in listed if not s.success)
    for span, _ in listed:
        end = span.start_ms + span.duration_ms
        assert 0 <= span.start_ms <= end <= tree.duration_ms
        assert span.duration_ms >= span.logged_ms or span.kind == "phase"
        for child in span.children:
            assert span.start_ms <= child.start_ms <= child.start_ms + child.duration_ms <= end
        kids = [(c.start_ms, c.start_ms + c.duration_ms) for c in span.children]
        assert span.self_ms == span.duration_ms - union(kids)
        starts = [c.start_ms for c in span.children]
        assert starts == sorted(starts) or len({c.thread_id for c in span.children}) > 1
    path = tree.critical_path
    if tree.duration_ms:
        assert path[0].start_ms == 0
        assert path[-1].end_ms == tree.duration_ms  # the path ends where the trace ends
        assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(path))
        assert all(s.start_ms < s.end_ms for s in path)
    on_path = {s.span_id for s in path if s.span_id is not None}
    assert on_path == {s.span_id for s, _ in listed if s.critical}


def test_sample1_trace_nests_sql_and_filters_under_the_call(client: Client) -> None:
    tree = trace(job(client, "sample1"), SAMPLE1_TRACE)
    assert tree is not None
    check_tree(tree)
    assert (tree.key_kind, tree.trace_id, tree.thread_id) == (
        "trace_id",
        SAMPLE1_TRACE,
        "0000000308",
    )
    (root,) = tree.roots
    assert (root.span_id, root.kind, root.name) == ("1:14", "api", "CE HPD:WorkLog")
    assert (root.line, root.end_line, root.start_ms, root.duration_ms) == (14, 351, 0, 115)
    assert tree.duration_ms == 115
    assert [(c.kind, c.line) for c in root.children] == [
        ("phase", 15),
        ("sql", 334),
        ("sql", 336),
        ("phase", 339),
    ]
    parents = {s.span_id: p for s, p in spans(tree.roots)}
    # the TMS:Task insert ran after TMS:Task's phase 1, inside the Push Fields of the level-1
    # check CTM:GetSupportGroup_100, itself inside CTM:People's processing pushed by the
    # level-0 check HPD:NotifyAssignee_500
    assert parents["1:65"] == ("1:14", "1:15", "1:16", "1:22", "1:29")
    by_id = {s.span_id: s for s, _ in spans(tree.roots)}
    assert (by_id["1:29"].name, by_id["1:29"].level) == ("CTM:GetSupportGroup_100", 1)
    assert (by_id["1:22"].kind, by_id["1:22"].level) == ("phase", 1)
    assert by_id["1:16"].logged_ms == 2  # the row stops at the next check …
    assert by_id["1:16"].duration_ms == 28  # … the span covers what its actions started
    for span, chain in spans(tree.roots):
        if span.kind == "filter":
            phase = by_id[chain[-1]]
            assert phase.kind == "phase"
            assert phase.level == span.level
    # every event row of the trace is one span (phase end markers close their phase)
    kql = f'trace:"{SAMPLE1_TRACE}" and not kind:line and not phase:end'
    rows = search(job(client, "sample1"), kql, limit=1000).rows
    assert {r.entry_id for r in rows} == set(by_id)
    statements = search(job(client, "sample1"), f'trace:"{SAMPLE1_TRACE}" and kind:statement')
    assert tree.breakdown.sql_ms == sum(r.duration_ms for r in statements.rows) == 33
    assert tree.breakdown.filter_ms + tree.breakdown.api_ms == 115 - 33
    assert tree.breakdown.idle_ms == 0
    assert TraceTree.model_validate_json(tree.model_dump_json()) == tree


def test_trace_without_trace_ids_by_thread_and_rpc(client: Client, fixtures_dir: Path) -> None:
    slowest = truth_of(fixtures_dir, "legacy")["api"]["top_slowest"][0]
    scope = job(client, "legacy")
    call = search(scope, f"kind:call and line:{slowest['first_line']}").rows[0]
    tree = trace(scope, thread_id=call.thread, rpc_id=call.rpc_id)
    assert tree is not None
    check_tree(tree)
    assert (tree.key_kind, tree.trace_id, tree.rpc_id) == ("thread_rpc", "", call.rpc_id)
    (root,) = tree.roots
    assert (root.line, root.duration_ms) == (slowest["first_line"], slowest["duration_ms"])
    assert root.name == f"{slowest['api']} {slowest['form']}"
    (sql,) = root.children
    assert sql.kind == "sql"
    assert root.duration_ms - sql.duration_ms == root.self_ms == tree.breakdown.api_ms
    assert tree.breakdown.sql_ms == sql.duration_ms
    assert [s.span_id for s in tree.critical_path] == [root.span_id, sql.span_id, root.span_id]


def test_trace_arguments_and_misses(client: Client) -> None:
    scope = job(client, "sample1")
    bad_calls: list[dict[str, str]] = [
        {},
        {"trace_id": ""},
        {"trace_id": "x", "thread_id": "1"},
        {"thread_id": "1"},
        {"rpc_id": "1"},
    ]
    for bad in bad_calls:
        with pytest.raises(ExploreError):
            trace(scope, **bad)
    assert trace(scope, "no-such-trace") is None
    assert trace(job(client, "medium", tenant=OTHER_TENANT), SAMPLE1_TRACE) is None
    assert trace(job(client, "sample1", tenant=OTHER_TENANT), SAMPLE1_TRACE) is not None


def every_transaction(scope: JobScope, sort: SortOrder, limit: int) -> list[TransactionPage]:
    pages = [transactions(scope, sort=sort, limit=limit)]
    while pages[-1].next_cursor is not None:
        pages.append(transactions(scope, sort=sort, limit=limit, cursor=pages[-1].next_cursor))
    return pages


@pytest.mark.parametrize("name", ["medium", "trid23", "legacy"])
def test_every_transaction_traces_consistently(client: Client, name: str) -> None:
    scope = job(client, name)
    listed = transactions(scope, limit=60).rows + transactions(scope, sort="time", limit=40).rows
    for row in listed:
        if row.key_kind == "trace_id":
            tree = trace(scope, row.trace_id)
        else:
            tree = trace(scope, thread_id=row.thread_id, rpc_id=row.rpc_id)
        assert tree is not None
        check_tree(tree)
        assert tree.duration_ms == row.duration_ms
        assert (tree.start_ms, tree.end_ms) == (row.start_ms, row.end_ms)
        kinds = {s.kind for s, _ in spans(tree.roots)}
        assert row.sql_statements == 0 or "sql" in kinds
        assert row.anchor_entry_id in {s.span_id for s in tree.roots}


def test_transactions_list_each_call_once(client: Client, fixtures_dir: Path) -> None:
    truth = truth_of(fixtures_dir, "medium")
    scope = job(client, "medium")
    pages = every_transaction(scope, "-duration", 97)
    rows = [r for p in pages for r in p.rows]
    keys = [r.key for r in rows]
    assert len(set(keys)) == len(keys)
    api = truth["api"]
    open_calls = api["exceptions_start_without_end"]
    assert len(rows) == api["calls_completed"] - api["sub_calls_completed"] + open_calls + 3
    assert pages[0].total == len(rows)
    assert all(p.total is None for p in pages[1:])
    calls = [r.call_ms for r in rows]
    assert calls == sorted(calls, reverse=True)
    top = rows[0]
    slowest = api["top_slowest"][0]
    assert (top.key, top.call_ms) == (slowest["trid"], slowest["duration_ms"])
    assert (top.api, top.form) == (slowest["api"], slowest["form"])
    assert top.duration_ms >= top.call_ms
    assert top.first_entry_id == top.anchor_entry_id == f"1:{slowest['first_line']}"
    for row in rows[:5]:
        for kind, count in (("statement", row.sql_statements), ("check", row.filter_checks)):
            found = search(scope, f'trace:"{row.key}" and kind:{kind}')
            assert found.total_estimate == count
    # every call is in exactly one transaction; SGE's inner GE shares the SGE's
    assert sum(r.api_calls for r in rows) == api["calls_completed"] + open_calls
    nested = [r for r in rows if r.api_calls == 2]
    assert len(nested) == api["sub_calls_completed"]
    assert {r.api for r in nested} == {"SGE"}
    assert sum(r.errors for r in rows) == api["fail"]


def test_transaction_pages_in_time_order(client: Client) -> None:
    scope = job(client, "trid23")
    pages = every_transaction(scope, "time", 101)
    rows = [r for p in pages for r in p.rows]
    whole = [r for p in every_transaction(scope, "time", 500) for r in p.rows]
    assert [r.key for r in rows] == [r.key for r in whole]
    starts = [r.start_ms for r in rows]
    assert starts == sorted(starts)
    newest = transactions(scope, sort="-time", limit=3).rows
    assert [r.key for r in newest] == [r.key for r in reversed(rows[-3:])]


def test_transactions_without_trace_ids_use_thread_and_rpc(
    client: Client, fixtures_dir: Path
) -> None:
    truth = truth_of(fixtures_dir, "legacy")
    page = transactions(job(client, "legacy"), limit=5)
    assert page.key_kind == "thread_rpc"
    top: TransactionRow = page.rows[0]
    assert top.key == f"{top.thread_id}:{top.rpc_id}"
    assert top.call_ms == truth["api"]["top_slowest"][0]["duration_ms"]
    assert top.trace_id == ""
    assert all(r.rpc_id != "0000000000" for r in page.rows)


def test_transactions_filtered_by_kql_and_range(client: Client) -> None:
    scope = job(client, "medium")
    slow_sql = search(scope, "type:SQL and duration >= 1s", limit=100).rows
    page = transactions(scope, kql="type:SQL and duration >= 1s", limit=100)
    assert {r.key for r in page.rows} == {r.trace_id for r in slow_sql}
    assert page.total == len(page.rows)
    start = sorted(r.start_ms for r in page.rows)[1]
    later = transactions(scope, kql="type:SQL and duration >= 1s", start_ms=start)
    assert {r.key for r in later.rows} == {r.key for r in page.rows if r.start_ms >= start}
    none = transactions(scope, kql="type:SQL and duration >= 1h")
    assert (none.rows, none.total, none.next_cursor) == ([], 0, None)
    first = transactions(scope, limit=5)
    assert first.next_cursor is not None
    with pytest.raises(InvalidCursor):
        transactions(scope, limit=5, sort="time", cursor=first.next_cursor)
    with pytest.raises(ExploreError):
        transactions(scope, limit=0)
    assert transactions(job(client, "medium", tenant=OTHER_TENANT)).rows == []
