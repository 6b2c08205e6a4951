"""Beside the hit list: histogram, facet counts, autocomplete values, and the CSV/JSONL export."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.explore import (
    BudgetExceeded,
    EntryRow,
    ExploreError,
    export_rows,
    facets,
    histogram,
    pages,
    search,
    top_values,
)
from remedyiq_analysis.explore import export as export_module
from remedyiq_analysis.explore.aggregations import nice_width
from remedyiq_query import KqlError, suggest
from remedyiq_query.values import quote_value

if TYPE_CHECKING:
    from tests.analysis.explore_data import OTHER_TENANT, explore_client, job, jobs
else:
    from explore_data import OTHER_TENANT, explore_client, job, jobs


@pytest.fixture(scope="module")
def client(chdb_dir: Path, fixtures_dir: Path) -> Client:
    return explore_client(chdb_dir, fixtures_dir)


def total(client: Client, kql: str, name: str = "medium") -> int:
    found = search(job(client, name), kql, limit=1).total_estimate
    assert found is not None
    return found


def test_nice_widths() -> None:
    assert nice_width(60_000, 60) == 1000
    assert nice_width(60_001, 60) == 2000
    assert nice_width(3_600_000, 60) == 60_000
    assert nice_width(10 * 86_400_000, 5) == 2 * 86_400_000


def test_histogram_covers_the_job_and_adds_up(client: Client) -> None:
    buckets = histogram(job(client, "medium"), "", buckets=30)
    assert 2 <= len(buckets) <= 31
    width = buckets[0].end_ms - buckets[0].start_ms
    assert all(b.end_ms - b.start_ms == width for b in buckets)
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(buckets))
    assert buckets[0].start_ms % width == 0
    assert sum(b.total for b in buckets) == total(client, "")
    for log_type in ("API", "SQL", "FLTR", "ESCL"):
        assert sum(b.by_type.get(log_type, 0) for b in buckets) == total(client, f"type:{log_type}")
    assert all(b.total == sum(b.by_type.values()) for b in buckets)
    failed = total(client, "kind:(call or statement or run) and status:false")
    assert sum(b.errors for b in buckets) == failed == 13


def test_histogram_of_a_query_and_a_range(client: Client) -> None:
    every = histogram(job(client, "medium"), "type:SQL and duration >= 100ms", buckets=10)
    assert sum(b.total for b in every) == total(client, "type:SQL and duration >= 100ms")
    assert all(set(b.by_type) <= {"SQL"} for b in every)
    start, end = every[0].start_ms, every[0].start_ms + 5000
    ranged = histogram(job(client, "medium"), "", buckets=5, start_ms=start, end_ms=end)
    assert [b.start_ms for b in ranged] == [start + i * 1000 for i in range(5)]
    rows = search(job(client, "medium"), "", limit=1, start_ms=start, end_ms=end).total_estimate
    assert sum(b.total for b in ranged) == rows
    assert histogram(job(client, "medium", tenant=OTHER_TENANT), "") == []
    with pytest.raises(KqlError):
        histogram(job(client, "medium"), "type:NOPE")


def test_facets_agree_with_searches(client: Client) -> None:
    found = facets(job(client, "medium"), "type:API", fields=["user", "type", "api", "status"])
    assert set(found) == {"user", "type", "api", "status"}
    assert [(v.value, v.count) for v in found["type"]] == [("API", total(client, "type:API"))]
    users = found["user"]
    assert len(users) == 10
    assert [v.count for v in users] == sorted((v.count for v in users), reverse=True)
    for value in users[:3]:
        assert value.count == total(client, f'type:API and user:"{value.value}"')
    statuses = {v.value: v.count for v in found["status"]}
    assert statuses == {
        "true": total(client, "type:API and status:true"),
        "false": total(client, "type:API and status:false"),
    }


def test_facet_counts_match_the_fixture_truth(client: Client, fixtures_dir: Path) -> None:
    truth = json.loads((fixtures_dir / "medium_20k.log.truth.json").read_text())
    calls = facets(job(client, "medium"), "kind:call", fields=["api"], top=100)["api"]
    assert {v.value: v.count for v in calls} == truth["api"]["by_abbreviation"]


def test_facet_fields_come_from_the_allow_list(client: Client) -> None:
    scope = job(client, "sample1")
    for bad in (["raw"], ["sql"], ["tenant_id"], ["job_id"], ["nosuch"], [], ["user"] * 0):
        with pytest.raises(ExploreError):
            facets(scope, "", fields=bad)
    with pytest.raises(ExploreError):
        facets(scope, "", fields=["user"], top=0)
    assert facets(jobs(client, "sample1", tenant=OTHER_TENANT), "", fields=["user"])["user"]


def test_top_values_complete_values(client: Client) -> None:
    scope = job(client, "medium")
    users = top_values(scope, "user", "a", limit=5)
    assert users
    assert all(u.lower().startswith("a") for u in users)
    counts = [total(client, f'user:"{u}"') for u in users]
    assert counts == sorted(counts, reverse=True)
    assert (
        top_values(scope, "form", "HPD:H")
        == [
            v.value
            for v in facets(scope, "", fields=["form"], top=100)["form"]
            if v.value.lower().startswith("hpd:h")
        ][:10]
    )
    for column in ("raw_text", "sql_statement", "tenant_id", "user; DROP TABLE x"):
        with pytest.raises(ExploreError):
            top_values(scope, column, "")
    assert top_values(job(client, "medium", tenant=OTHER_TENANT), "user", "") == []
    picks = suggest("user:a", 6, value_provider=lambda c, p: top_values(scope, c, p))
    offered = [s.text for s in picks.items if s.kind == "value"]
    assert offered == [quote_value(u) for u in top_values(scope, "user", "a")]
    assert offered[: len(users)] == [quote_value(u) for u in users]


def test_aggregations_fail_rather_than_undercount(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = jobs(client, "sample1", "sample1-copy", "medium", "trid23", "legacy")
    assert sum(b.total for b in histogram(everything, "select")) > 0
    monkeypatch.setattr(pages, "AGGREGATE_TIME_BUDGET_S", 0.0001)
    with pytest.raises(BudgetExceeded):
        histogram(everything, "select")
    with pytest.raises(BudgetExceeded):
        facets(everything, "select", fields=["user"])


def _csv_rows(chunks: list[bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_streams_every_matching_row_in_time_order(
    client: Client, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(export_module, "PAGE_ROWS", 97)
    monkeypatch.setattr(export_module, "MIN_WINDOW_ROWS", 500)
    scope = job(client, "medium")
    kql = "type:(SQL or API)"
    chunks = list(export_rows(scope, kql, start_ms=None, end_ms=None, fmt=fmt))  # type: ignore[arg-type]
    expected = total(client, kql)
    if fmt == "csv":
        rows = _csv_rows(chunks)
        assert list(rows[0]) == list(EntryRow.model_fields)
        keys = [(int(r["timestamp_ms"]), int(r["line"])) for r in rows]
        assert {r["success"] for r in rows} == {"true", "false"}
    else:
        parsed = [EntryRow.model_validate_json(line) for c in chunks for line in c.splitlines()]
        keys = [(r.timestamp_ms, r.line) for r in parsed]
    assert len(keys) == expected > 2000
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert len(chunks) > expected // 97  # streamed in pages, not built whole
    assert all(c.count(b"\n") <= 97 * 64 + 1 for c in chunks)


def test_export_of_a_range_and_raw_text_is_whole(client: Client, fixtures_dir: Path) -> None:
    scope = job(client, "sample1")
    hits = search(scope, "", sort="time", limit=1000).rows
    start, end = hits[10].timestamp_ms, hits[-10].timestamp_ms
    chunks = export_rows(scope, "", start_ms=start, end_ms=end, fmt="jsonl")
    rows = [EntryRow.model_validate_json(line) for c in chunks for line in c.splitlines()]
    assert [r.entry_id for r in rows] == [r.entry_id for r in hits if start <= r.timestamp_ms < end]
    lines = (fixtures_dir / "sample1_trid_mssql.log").read_text().split("\n")
    call = next(r for r in rows if r.entry_id == "1:14")
    assert call.raw_text.split("\n")[0] == lines[13]
    assert Counter(r.log_type for r in rows)["API"] >= 1


def test_export_rejects_bad_input_before_streaming(client: Client) -> None:
    scope = job(client, "sample1")
    with pytest.raises(KqlError):
        export_rows(scope, "nosuch:1", start_ms=None, end_ms=None, fmt="csv")
    with pytest.raises(ExploreError):
        export_rows(scope, "", start_ms=None, end_ms=None, fmt="xml")  # type: ignore[arg-type]
    nobody = job(client, "sample1", tenant="nobody")
    empty = b"".join(export_rows(nobody, "", start_ms=None, end_ms=None, fmt="csv"))
    assert empty.decode().strip() == ",".join(EntryRow.model_fields)
