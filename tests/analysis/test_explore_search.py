"""KQL search over stored jobs: hits, keyset pages, the cost guard, scopes and tenants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.explore import (
    EntryRow,
    ExploreError,
    InvalidCursor,
    Scope,
    SearchPage,
    TenantScope,
    hits,
    search,
    windows,
)
from remedyiq_analysis.explore.models import SortOrder
from remedyiq_analysis.explore.scopes import run
from remedyiq_analysis.timefmt import iso_required
from remedyiq_query import KqlError

if TYPE_CHECKING:
    from tests.analysis.explore_data import (
        DATABASE,
        OTHER_TENANT,
        SAMPLE1_TRACE,
        TENANT,
        explore_client,
        fixture_lines,
        job,
        jobs,
    )
else:
    from explore_data import (
        DATABASE,
        OTHER_TENANT,
        SAMPLE1_TRACE,
        TENANT,
        explore_client,
        fixture_lines,
        job,
        jobs,
    )


@pytest.fixture(scope="module")
def client(chdb_dir: Path, fixtures_dir: Path) -> Client:
    return explore_client(chdb_dir, fixtures_dir)


@pytest.fixture(scope="module")
def truth(fixtures_dir: Path) -> dict[str, dict[str, object]]:
    return {
        name: json.loads((fixtures_dir / f"{file}.log.truth.json").read_text())
        for name, file in (("medium", "medium_20k"), ("legacy", "legacy_oracle_15k"))
    }


def all_pages(
    scope: Scope,
    kql: str,
    sort: SortOrder,
    limit: int,
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> list[SearchPage]:
    """Every page of a search, following the cursors."""
    pages: list[SearchPage] = []
    cursor: str | None = None
    while not pages or cursor is not None:
        page = search(
            scope, kql, sort=sort, limit=limit, cursor=cursor, start_ms=start_ms, end_ms=end_ms
        )
        pages.append(page)
        cursor = page.next_cursor
        assert len(pages) < 10_000
    return pages


def ids(rows: list[EntryRow]) -> list[tuple[str, str]]:
    return [(r.job_id, r.entry_id) for r in rows]


def test_counts_match_the_fixture_truth(
    client: Client, truth: dict[str, dict[str, object]]
) -> None:
    medium = job(client, "medium")
    api = truth["medium"]["api"]
    assert isinstance(api, dict)
    assert search(medium, "kind:call").total_estimate == api["calls_completed"]
    assert search(medium, "kind:call and status:false").total_estimate == api["fail"]
    legacy_sql = truth["legacy"]["sql"]
    assert isinstance(legacy_sql, dict)
    failed = search(job(client, "legacy"), "kind:statement and not status:true", limit=10)
    assert failed.total_estimate == legacy_sql["fail"] == len(failed.rows)
    assert all(not r.success and r.log_type == "SQL" for r in failed.rows)


def test_slowest_call_first_and_its_summary(
    client: Client, truth: dict[str, dict[str, object]]
) -> None:
    api = truth["medium"]["api"]
    assert isinstance(api, dict)
    slowest = api["top_slowest"][0]
    page = search(job(client, "medium"), "type:API", sort="-duration", limit=3)
    top = page.rows[0]
    assert (top.line, top.duration_ms, top.trace_id) == (
        slowest["first_line"],
        slowest["duration_ms"],
        slowest["trid"],
    )
    assert top.end_line == slowest["last_line"]
    assert top.summary == f"{slowest['api']} {slowest['form']}"
    assert top.entry_id == f"1:{slowest['first_line']}"
    assert [r.duration_ms for r in page.rows] == sorted(
        (r.duration_ms for r in page.rows), reverse=True
    )


@pytest.mark.parametrize("sort", ["-time", "time", "-duration", "duration"])
def test_keyset_pages_concatenate_to_the_full_ordered_result(
    client: Client, sort: SortOrder
) -> None:
    scope = job(client, "medium")
    kql = "type:(API or SQL) and duration >= 20ms"
    whole = search(scope, kql, sort=sort, limit=1000)
    assert whole.next_cursor is None
    assert whole.total_estimate == len(whole.rows) > 150
    pages = all_pages(scope, kql, sort, limit=37)
    glued = [r for p in pages for r in p.rows]
    assert ids(glued) == ids(whole.rows)
    assert len(set(ids(glued))) == len(glued)
    assert all(len(p.rows) == 37 for p in pages[:-1])
    assert pages[0].total_estimate == len(glued)
    assert all(p.total_estimate is None for p in pages[1:])
    keys = [(r.duration_ms if "duration" in sort else 0, r.timestamp_ms) for r in glued]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_hits_carry_the_lines_they_were_found_in(client: Client, fixtures_dir: Path) -> None:
    lines = fixture_lines(fixtures_dir, "medium")
    wanted = [n for n, text in enumerate(lines, 1) if "ar error(" in text.lower()]
    page = search(job(client, "medium"), '"AR Error("', sort="time", limit=100)
    assert page.total_estimate == len(page.rows) == len(wanted) > 0
    for row, number in zip(page.rows, wanted, strict=True):
        assert lines[number - 1] in row.raw_text.split("\n")
        assert row.line <= number <= row.end_line
        assert not row.success
        assert "AR Error(" in row.summary
    assert not page.rows[0].raw_truncated
    assert all(r.timestamp == iso_required(r.timestamp_ms) for r in page.rows)


def test_time_range_is_half_open(client: Client) -> None:
    scope = job(client, "medium")
    every = search(scope, "type:SQL", sort="time", limit=1000).rows
    start, end = every[10].timestamp_ms, every[200].timestamp_ms
    inside = all_pages(scope, "type:SQL", "time", 100, start_ms=start, end_ms=end)
    rows = [r for p in inside for r in p.rows]
    assert rows
    assert all(start <= r.timestamp_ms < end for r in rows)
    assert ids(rows) == ids([r for r in every if start <= r.timestamp_ms < end])
    with pytest.raises(ExploreError):
        search(scope, "", start_ms=end, end_ms=start)


def test_bad_queries_and_parameters_raise(client: Client) -> None:
    scope = job(client, "sample1")
    with pytest.raises(KqlError) as bad:
        search(scope, "nosuchfield:1")
    assert bad.value.code == "unknown_field"
    with pytest.raises(KqlError):
        search(scope, "duration >= soon")
    with pytest.raises(ExploreError):
        search(scope, "", limit=0)
    with pytest.raises(ExploreError):
        search(scope, "", sort="size")  # type: ignore[arg-type]


def test_cursors_are_checked(client: Client) -> None:
    scope = job(client, "medium")
    first = search(scope, "type:FLTR", limit=5)
    assert first.next_cursor is not None
    with pytest.raises(InvalidCursor):
        search(scope, "type:SQL", limit=5, cursor=first.next_cursor)  # another query
    with pytest.raises(InvalidCursor):
        search(scope, "type:FLTR", limit=5, sort="time", cursor=first.next_cursor)
    for forged in ("", "not-a-cursor", first.next_cursor[:-3], "eyJ2IjoxfQ"):
        with pytest.raises(InvalidCursor):
            search(scope, "type:FLTR", limit=5, cursor=forged)


def test_tenant_scope_spans_jobs_and_never_tenants(client: Client) -> None:
    one = search(job(client, "sample1"), "", limit=1000)
    both = search(jobs(client, "sample1", "sample1-copy"), "", limit=1000)
    assert one.total_estimate is not None
    assert both.total_estimate == 2 * one.total_estimate
    assert {r.job_id for r in both.rows} == {"sample1", "sample1-copy"}
    assert len(set(ids(both.rows))) == len(both.rows)
    pages = all_pages(jobs(client, "sample1", "sample1-copy"), "", "-time", 50)
    assert ids([r for p in pages for r in p.rows]) == ids(both.rows)
    # tenant B holds a job of the same id as tenant A's, and nothing else
    other = TenantScope(client, DATABASE, OTHER_TENANT, ("sample1", "medium", "legacy"))
    seen = all_pages(other, "", "time", 500)
    rows = [r for p in seen for r in p.rows]
    assert len(rows) == one.total_estimate
    assert {r.job_id for r in rows} == {"sample1"}
    assert search(job(client, "medium", tenant=OTHER_TENANT), "").rows == []
    assert search(job(client, "medium", tenant=OTHER_TENANT), "").total_estimate == 0
    assert search(jobs(client, "medium", tenant="tenant-c"), "").total_estimate == 0
    assert search(job(client, "sample1"), f'trace:"{SAMPLE1_TRACE}"').total_estimate == 102
    with pytest.raises(ValueError, match="non-empty"):
        TenantScope(client, DATABASE, TENANT, ())


def shrink_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Budgets a 7k-row job exceeds: guarded above 1,500 rows, each page reads one window of
    300 rows (no time to read more), other orders read 1,500 rows."""
    monkeypatch.setattr(hits, "ROW_BUDGET", 1500)
    monkeypatch.setattr(hits, "COUNT_BUDGET", 1000)
    monkeypatch.setattr(hits, "PAGE_BUDGET_S", 0.0)
    monkeypatch.setattr(windows, "FIRST_WINDOW_ROWS", 300)


@pytest.mark.parametrize("sort", ["-time", "time"])
def test_guarded_text_search_is_exact_page_by_page(
    client: Client, monkeypatch: pytest.MonkeyPatch, sort: SortOrder
) -> None:
    scope = job(client, "medium")
    unguarded = search(scope, '"AR Error("', sort=sort, limit=100)
    assert unguarded.total_estimate == 13
    assert not unguarded.partial
    shrink_budget(monkeypatch)
    pages = all_pages(scope, '"AR Error("', sort, limit=4)
    glued = [r for p in pages for r in p.rows]
    assert ids(glued) == ids(unguarded.rows)
    partial = [p for p in pages if p.partial]
    assert partial, "13 rare hits in 7k rows need more than one 300-row window"
    assert all(p.warning and "only part of the range" in p.warning for p in partial)
    assert all(p.next_cursor is not None for p in partial)
    assert pages[0].total_estimate is None  # 7k rows > the count budget


def test_guarded_text_search_fills_a_page_from_the_newest_window(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = job(client, "medium")
    unguarded = search(scope, "select", limit=60)
    shrink_budget(monkeypatch)
    guarded = search(scope, "select", limit=20)
    assert not guarded.partial
    assert guarded.warning is None
    assert ids(guarded.rows) == ids(unguarded.rows[:20])
    collected, cursor = list(guarded.rows), guarded.next_cursor
    while len(collected) < 60 and cursor is not None:
        page = search(scope, "select", limit=20, cursor=cursor)
        collected, cursor = collected + page.rows, page.next_cursor
    assert ids(collected[:60]) == ids(unguarded.rows)


def test_guarded_duration_sort_is_partial(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    shrink_budget(monkeypatch)
    page = search(job(client, "medium"), "select", sort="-duration", limit=10)
    assert page.partial
    assert page.warning
    durations = [r.duration_ms for r in page.rows]
    assert durations == sorted(durations, reverse=True)


def test_selective_text_search_is_not_guarded(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    shrink_budget(monkeypatch)
    page = search(job(client, "medium"), 'trace:"ONlEelJBSUus25hGWtGc-w:0000370" and insert')
    assert not page.partial
    assert page.rows
    assert all(r.trace_id == "ONlEelJBSUus25hGWtGc-w:0000370" for r in page.rows)


def test_tenant_scope_binds_the_tenant_always(client: Client) -> None:
    scope = jobs(client, "sample1", "medium")
    with pytest.raises(ValueError, match=r"\$JOB"):
        scope.sql("SELECT count() FROM $E")
    assert "tenant_id = {tenant:String} AND job_id IN {jobs:Array(String)}" in scope.sql(
        "SELECT 1 FROM $E WHERE $JOB"
    )
    with pytest.raises(ValueError, match="reserved"):
        run(scope, "SELECT count() FROM $E WHERE $JOB", tenant=OTHER_TENANT)
    with pytest.raises(ValueError, match="database"):
        TenantScope(client, "bad name; DROP", TENANT, ("sample1",))
    (both,) = scope.one("SELECT count() FROM $E WHERE $JOB")
    (one,) = job(client, "medium").one("SELECT count() FROM $E WHERE $JOB")
    assert both == one + search(job(client, "sample1"), "").total_estimate


def test_a_word_the_index_rules_out_is_searched_to_the_end(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget is time: a page goes on while it has time, so a word found nowhere in a range
    the page can search in time is a complete, empty answer."""
    scope = job(client, "medium")
    shrink_budget(monkeypatch)
    hurried = search(scope, "zzqxabsentword", limit=10)
    assert hurried.partial  # no time: one window, then the cursor goes on
    assert hurried.next_cursor is not None
    monkeypatch.setattr(hits, "PAGE_BUDGET_S", 60.0)
    patient = search(scope, "zzqxabsentword", limit=10)
    assert not patient.partial
    assert patient.rows == []
    assert patient.next_cursor is None
    assert patient.warning is None
