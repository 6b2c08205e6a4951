"""Dashboard extras: activity over time, percentiles, SQL fingerprints, errors by code."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.explore import (
    ExploreError,
    errors_by_code,
    get_entry,
    percentiles,
    search,
    sql_fingerprints,
    timeseries,
    to_timeline,
)
from remedyiq_analysis.render import render_html
from remedyiq_analysis.render.refparse import parse_reference_text

if TYPE_CHECKING:
    from tests.analysis.explore_data import (
        ESCALATION_TRUTH,
        FILES,
        OTHER_TENANT,
        explore_client,
        job,
    )
else:
    from explore_data import ESCALATION_TRUTH, FILES, OTHER_TENANT, explore_client, job


@pytest.fixture(scope="module")
def client(chdb_dir: Path, fixtures_dir: Path) -> Client:
    return explore_client(chdb_dir, fixtures_dir)


def truth_of(fixtures_dir: Path, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((fixtures_dir / f"{FILES[name]}.truth.json").read_text())
    return found


def test_activity_counts_every_event_once(client: Client, fixtures_dir: Path) -> None:
    truth = truth_of(fixtures_dir, "medium")
    points = timeseries(job(client, "medium"), bucket_s=1)
    per_type = Counter[str]()
    for p in points:
        per_type[p.log_type] += p.count
        assert p.start_ms % 1000 == 0
        assert p.bucket_s == 1
        assert p.p50_ms <= p.p95_ms <= p.p99_ms <= p.max_ms
    assert per_type["API"] == truth["api"]["calls_completed"]
    assert per_type["SQL"] == truth["sql"]["statements_completed"]
    assert per_type["ESCL"] == truth["escl"]["runs_completed"]
    assert per_type["FLTR"] == search(job(client, "medium"), "kind:check").total_estimate
    assert sum(p.errors for p in points if p.log_type == "API") == truth["api"]["fail"]
    assert max(p.max_ms for p in points if p.log_type == "API") == 16896


def test_calls_in_flight_match_a_brute_force_count(client: Client) -> None:
    scope = job(client, "medium")
    calls = search(scope, "kind:call", limit=1000, sort="time").rows
    calls += search(
        scope, "kind:call", limit=1000, sort="time", start_ms=calls[-1].timestamp_ms + 1
    ).rows
    assert len(calls) == 1087
    width = 2000
    expected = Counter[int]()
    for call in calls:
        for bucket in range(
            call.timestamp_ms // width, (call.timestamp_ms + call.duration_ms) // width + 1
        ):
            expected[bucket] += 1
    points = [p for p in timeseries(scope, bucket_s=2) if p.log_type == "API"]
    assert {p.start_ms // width: p.in_flight for p in points} == dict(expected)
    assert all(p.in_flight is None for p in timeseries(scope, bucket_s=2) if p.log_type != "API")


def test_activity_in_a_range_and_the_report_timeline(client: Client, fixtures_dir: Path) -> None:
    scope = job(client, "medium")
    every = timeseries(scope, bucket_s=5)
    start, end = every[0].start_ms + 5000, every[0].start_ms + 15000
    inside = timeseries(scope, bucket_s=5, start_ms=start, end_ms=end)
    assert {p.start_ms for p in inside} == {start, start + 5000}
    assert [(p.log_type, p.count) for p in inside] == [
        (p.log_type, p.count) for p in every if start <= p.start_ms < end
    ]
    minutes = timeseries(scope)
    timeline = to_timeline(minutes)
    assert sum(t.count for t in timeline) == sum(p.count for p in minutes)
    assert {t.minute for t in timeline} == {"2025-11-24T14:00:00.000"}
    with pytest.raises(ValueError, match="minute"):
        to_timeline(every)
    report = parse_reference_text((fixtures_dir / "medium_20k.report.txt").read_text())
    html = render_html(report.model_copy(update={"timeline": timeline}))
    assert "Calls per minute" in html
    assert timeseries(job(client, "medium", tenant=OTHER_TENANT)) == []
    with pytest.raises(ExploreError):
        timeseries(scope, bucket_s=0)


def test_percentiles_per_api_code(client: Client, fixtures_dir: Path) -> None:
    truth = truth_of(fixtures_dir, "medium")
    rows = percentiles(job(client, "medium"), by="api", top=100)
    assert {r.key: r.count for r in rows} == truth["api"]["by_abbreviation"]
    assert sum(r.errors for r in rows) == truth["api"]["fail"]
    totals = [r.total_ms for r in rows]
    assert totals == sorted(totals, reverse=True)
    se = next(r for r in rows if r.key == "SE")
    assert se.max_ms == 16896  # the slowest call of the log is an SE
    assert se.min_ms <= se.p50_ms <= se.p90_ms <= se.p95_ms <= se.p99_ms <= se.max_ms
    assert se.error_rate == pytest.approx(se.errors / se.count)
    assert se.avg_ms == pytest.approx(se.total_ms / se.count, abs=0.001)


@pytest.mark.parametrize(("by", "kql_field", "kind"), [
    ("form", "form", "call"), ("table", "table", "statement"), ("filter", "filter", "check"),
    ("queue", "queue", "call"), ("user", "user", "call"), ("client", "client", "call"),
])  # fmt: skip
def test_percentiles_per_dimension_agree_with_search(
    client: Client, by: str, kql_field: str, kind: str
) -> None:
    scope = job(client, "trid23")
    rows = percentiles(scope, by=by, top=3)  # type: ignore[arg-type]
    assert len(rows) == 3
    for row in rows:
        hits = search(scope, f'kind:{kind} and {kql_field}:"{row.key}"', sort="-duration", limit=1)
        if by == "table":  # table matches contained names: T1 also finds "T1, T10"
            assert hits.total_estimate is not None
            assert hits.total_estimate >= row.count
        else:
            assert hits.total_estimate == row.count
            assert hits.rows[0].duration_ms == row.max_ms
    with pytest.raises(ExploreError):
        percentiles(scope, by="nothing")  # type: ignore[arg-type]


def test_sql_fingerprints_group_statements(client: Client, fixtures_dir: Path) -> None:
    truth = truth_of(fixtures_dir, "medium")
    groups = sql_fingerprints(job(client, "medium"), top=1000)
    assert sum(g.count for g in groups) == truth["sql"]["statements_completed"]
    assert len(groups) < truth["sql"]["statements_completed"] / 5  # literals collapse
    assert len({g.fingerprint_id for g in groups}) == len(groups)
    slowest = truth["sql"]["top_slowest"][0]
    home = next(g for g in groups if g.example.line == slowest["line"])
    assert home.max_ms == home.example.duration_ms == slowest["duration_ms"]
    assert home.example_statement.startswith(slowest["sql_prefix"])
    assert home.tables == [slowest["table"]]
    assert "'" not in home.fingerprint
    assert slowest["table"] in home.fingerprint  # names stay: T4381 is not T2115
    entry = get_entry(job(client, "medium"), home.example.entry_id)
    assert entry is not None
    assert entry.sql_statement == home.example_statement
    for g in groups:
        assert g.avg_ms <= g.max_ms
        assert g.p95_ms <= g.max_ms
    totals = [g.total_ms for g in groups]
    assert totals == sorted(totals, reverse=True)


def test_sql_fingerprints_collapse_in_lists_and_literals(client: Client) -> None:
    groups = sql_fingerprints(job(client, "legacy"), top=1000)
    texts = [g.fingerprint for g in groups]
    assert all(re.search(r"'[^']*'", t) is None for t in texts)
    assert any("ROWNUM <= ?" in t for t in texts)
    assert sum(g.failures for g in groups) == 2


def _fail_codes(fixtures_dir: Path, name: str) -> Counter[str]:
    text = (fixtures_dir / FILES[name]).read_text(encoding="utf-8", errors="replace")
    found = re.findall(r"^<API >.*\*/ -\w+\s+FAIL -- AR Error\((\d+)\)", text, flags=re.M)
    return Counter(f"ARERR {n}" for n in found)


@pytest.mark.parametrize("name", ["medium", "trid23", "legacy"])
def test_api_errors_by_arerr_number(client: Client, fixtures_dir: Path, name: str) -> None:
    groups = errors_by_code(job(client, name))
    api = {g.code: g for g in groups if g.source == "api"}
    assert Counter({code: g.count for code, g in api.items()}) == _fail_codes(fixtures_dir, name)
    counts = [g.count for g in groups]
    assert counts == sorted(counts, reverse=True)
    for group in api.values():
        assert group.message
        assert group.first_time <= group.last_time
        assert 1 <= len(group.examples) <= min(5, group.count)
        assert group.form_count == len(group.forms)  # fewer than 10: all listed
        for example in group.examples:
            entry = get_entry(job(client, name), example.entry_id)
            assert entry is not None
            assert f"AR Error({group.code.split()[1]})" in entry.error_message
            assert entry.form in [*group.forms, ""]  # calls like GSI name no form
            assert entry.user in group.users


def test_sql_errors_by_database_code(client: Client) -> None:
    oracle = {g.code: g for g in errors_by_code(job(client, "legacy")) if g.source == "sql"}
    assert set(oracle) == {"ORA-00060"}
    assert oracle["ORA-00060"].count == 2
    assert "deadlock" in oracle["ORA-00060"].message
    assert oracle["ORA-00060"].tables
    mssql = {g.code: g for g in errors_by_code(job(client, "trid23")) if g.source == "sql"}
    assert set(mssql) == {"SQL Server 8623"}
    assert errors_by_code(job(client, "medium", tenant=OTHER_TENANT)) == []
    assert [g for g in errors_by_code(job(client, "sample1")) if g.source != "escalation"] == []


def test_escalation_errors_by_escalation(client: Client) -> None:
    (truth,) = ESCALATION_TRUTH
    groups = [g for g in errors_by_code(job(client, "escalations")) if g.source == "escalation"]
    assert sum(g.count for g in groups) == truth.runs_with_error == 1
    (group,) = groups
    (example,) = group.examples
    entry = get_entry(job(client, "escalations"), example.entry_id)
    assert entry is not None
    assert (entry.kind, entry.error_encountered, entry.success) == ("run", True, False)
    assert group.code == entry.esc_name
    assert group.message.startswith("Error while performing escalation action")
    assert group.message in entry.raw_text
    assert group.forms == [entry.form]
