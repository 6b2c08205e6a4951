"""The text renderer against the reference analyzer's own reports.

Two kinds of checks: hand-built :class:`Report` objects holding what ``sample1`` shows, rendered
and compared with the reference's lines; and every reference report we have (the shared fixtures
and small logs run through the JAR, kept in ``render_fixtures/``) read back into a Report and
rendered again, which must reproduce the reference byte for byte from ``Start Time:`` on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from remedyiq_analysis.render.refparse import parse_reference_text
from remedyiq_analysis.render.text import BANNER, render_text
from remedyiq_analysis.report import (
    AggregateGroup,
    AggregateRow,
    Aggregates,
    AnalysisOptions,
    ApiCall,
    ApiException,
    ApiSection,
    EsclSection,
    FltrSection,
    Gaps,
    General,
    InputFile,
    Report,
    SqlSection,
    ThreadStat,
    Transaction,
)

RENDER_FIXTURES = Path(__file__).parent / "render_fixtures"
SHARED_REPORTS = [
    "sample1_trid_mssql.report.txt",
    "sample2_legacy_oracle.report.txt",
    "sample3_split/combined.report.txt",
    "medium_20k.report.txt",
    "legacy_oracle_15k.report.txt",
    "trid_23x_15k.report.txt",
]
JAR_REPORTS = sorted(p.name for p in RENDER_FIXTURES.glob("*.report.txt"))
TRID = "X7XXlqRPSBudivX2K6Xxsg:0002826"


def body(text: str) -> list[str]:
    """The comparable part: from ``Start Time:`` to the line before ``Duration:``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Start Time:"))
    end = max(i for i, line in enumerate(lines) if line.startswith("Duration: "))
    return lines[start:end]


def between(lines: list[str], first: str, stop: str) -> list[str]:
    """Lines from the one equal to ``first`` up to (without) the first one starting ``stop``."""
    start = lines.index(first)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(stop))
    return lines[start:end]


@pytest.fixture(scope="module")
def sample1(fixtures_dir: Path) -> list[str]:
    return body((fixtures_dir / "sample1_trid_mssql.report.txt").read_text())


@pytest.mark.parametrize("name", SHARED_REPORTS)
def test_reference_fixture_reports_are_reproduced(fixtures_dir: Path, name: str) -> None:
    reference = (fixtures_dir / name).read_text()
    assert body(render_text(parse_reference_text(reference))) == body(reference)


@pytest.mark.parametrize("name", JAR_REPORTS)
def test_jar_checked_layouts_are_reproduced(name: str) -> None:
    """Two files (File# columns and map), delayed escalations (null/1970), escalation errors,
    calls without TrID, empty forms and users, a SQL exception shorter than its message, an API
    section without completed calls, RPC ID columns: all as the JAR printed them."""
    reference = (RENDER_FIXTURES / name).read_text()
    assert body(render_text(parse_reference_text(reference))) == body(reference)


def _general(**changes: Any) -> General:
    values: dict[str, Any] = {
        "start_time": "2025-11-24T14:00:00.000",
        "end_time": "2025-11-24T14:00:04.638",
        "elapsed_s": 4.638,
        "total_lines": 401,
        "lines": {"API": 5, "SQL": 24, "FLTR": 310, "ESCL": 9},
        "form_count": 3,
        "table_count": 9,
        "user_count": 6,
        "threads": {"List": 1, "Fast": 1, "Escalation": 3, "Admin": 1},
        "thread_count": 6,
        "exceptions": {"API": 2, "SQL": 1, "ESCL": 0},
        "physical_lines": 401,
        "continuation_lines": 0,
        "malformed_lines": 0,
        "ignored_records": 0,
        "bad_timestamps": 0,
        "cut_lines": 1,
        "locale": "EN",
        "filter_language": "English",
        "server_versions": ["20.02.00"],
        "files": [InputFile(number=1, name="sample1_trid_mssql.log", bytes=119573)],
        "activity": [],
    }
    return General.model_validate(values | changes)


def _report(**parts: Any) -> Report:
    empty_api = ApiSection(
        calls=0, ok=0, failed=0, queued=0, sub_calls=0, legend={}, top=[], top_queued=[],
        aggregates=[], thread_stats=[], errors=[], exceptions=[],
    )  # fmt: skip
    empty_sql = SqlSection(
        statements=0, ok=0, failed=0, top=[], aggregates=[], thread_stats=[], errors=[],
        exceptions=[],
    )  # fmt: skip
    empty_escl = EsclSection(
        runs=0, failed=0, top=[], delayed=[], aggregates=[], errors=[], exceptions=[]
    )
    empty_fltr = FltrSection(
        transactions=0, checks=0, passed=0, failed=0, failed_with_else=0, top=[],
        most_executed=[], most_filters=[], most_executed_per_transaction=[], most_levels=[],
    )  # fmt: skip
    values: dict[str, Any] = {
        "has_trace_ids": True,
        "options": AnalysisOptions.model_validate({}),
        "general": _general(),
        "gaps": Gaps(line=[], thread=[]),
        "api": empty_api,
        "sql": empty_sql,
        "escl": empty_escl,
        "fltr": empty_fltr,
    }
    return Report.model_validate(values | parts)


def _aggregate(grouping: str, value: str) -> Aggregates:
    row = AggregateRow(
        key="CE", ok=1, fail=0, total=1, min_s=0.115, min_line=14, min_file=1, max_s=0.115,
        max_line=14, max_file=1, avg_s=0.115, sum_s=0.115,
    )  # fmt: skip
    group = AggregateGroup(value=value, rows=[row], ok=1, fail=0, total=1, sum_s=0.115)
    return Aggregates(
        grouping=grouping, key_label="API", groups=[group], ok=1, fail=0, total=1, sum_s=0.115
    )


def _api_section() -> ApiSection:
    call = ApiCall(
        line=14, ref_line=14, end_line=351, file=1, trace_id=TRID, rpc_id="0000016353",
        queue="Fast", thread="0000000308", user="José Núñez", api="CE", form="HPD:WorkLog",
        client="Mid-tier", client_ip="10.2.69.231", start="2025-11-24T14:00:02.997",
        duration_s=0.115, queue_s=0.0, success=True, error="",
    )  # fmt: skip
    stat = ThreadStat(
        queue="Fast", thread="0000000308", first_time="2025-11-24T14:00:02.997",
        last_time="2025-11-24T14:00:03.112", count=1, queued=0, queue_s=0.0, total_s=0.115,
        busy_pct=0.115 / 4.638 * 100,
    )  # fmt: skip
    exceptions = [
        ApiException(
            line=5, ref_line=5, file=1, trace_id="_V5e4zdMR1aX4RsbeqZUDQ:0000417",
            rpc_id="0000016352", api="GLEWF", kind="end_without_start",
            message="WARNING: End of API call has no corresponding start",
        ),
        ApiException(
            line=352, ref_line=352, file=1, trace_id="c6Q7NfrySGmUodb6L_mZ_A:0001420",
            rpc_id="0000016355", api="SE", kind="start_without_end",
            message="",  # the renderer supplies the reference's warning
        ),
    ]  # fmt: skip
    return ApiSection(
        calls=1, ok=1, failed=0, queued=0, sub_calls=0,
        legend={"SE": "ARSetEntry", "CE": "ARCreateEntry"}, top=[call], top_queued=[],
        aggregates=[
            _aggregate("Form", "HPD:WorkLog"),
            _aggregate("Client", "Mid-tier"),
            _aggregate("Client IP", "10.2.69.231"),
        ],
        thread_stats=[stat], errors=[], exceptions=exceptions,
    )  # fmt: skip


def test_general_statistics_block_matches_sample1(sample1: list[str]) -> None:
    rendered = body(render_text(_report()))
    expected = between(sample1, sample1[0], "###  SECTION")
    assert between(rendered, rendered[0], "###  SECTION") == expected


def test_api_section_matches_sample1(sample1: list[str]) -> None:
    rendered = body(render_text(_report(api=_api_section())))
    first = "###  SECTION: API  #####################################################"
    assert between(rendered, first, "###  SECTION: SQL") == between(sample1, first, "###  SECTION")


def test_escalation_section_without_runs_matches_sample1(sample1: list[str]) -> None:
    """Escalation lines but no complete run: empty top list, aggregates with only a zero total."""
    totals = [
        Aggregates(grouping=g, key_label="Escalation", groups=[], ok=0, fail=0, total=0, sum_s=0)
        for g in ("Form", "Pool")
    ]
    escl = EsclSection(
        runs=0, failed=0, top=[], delayed=[], aggregates=totals, errors=[], exceptions=[]
    )
    rendered = body(render_text(_report(escl=escl)))
    first = "###  SECTION: ESCALATIONS  #############################################"
    stop = "### 50 LONGEST RUNNING INDIVIDUAL FLTR"
    assert between(rendered, first, stop) == between(sample1, first, stop)


def test_filters_per_transaction_matches_sample1(sample1: list[str]) -> None:
    def txn(
        line: int, trace: str, count: int, what: tuple[str, str, str], rate: float | None
    ) -> Transaction:
        operation, form, request_id = what
        return Transaction(
            line=line, ref_line=line, file=1, trace_id=trace, rpc_id="", filter_count=count,
            checks=count + 1, max_level=0, operation=operation, form=form, request_id=request_id,
            ms_per_filter=rate, filters_per_s=None,
        )  # fmt: skip

    second = "c6Q7NfrySGmUodb6L_mZ_A:0001420"
    most = [
        txn(15, TRID, 57, ("CREATE", "HPD:WorkLog", "<NULL"), 110 / 57),
        txn(353, second, 10, ("SET", "SRM:Request", "000000000062581"), 2.5),
        txn(3, "SAB1lqKPSzerBATysJSQuA:0000001", 0, ("", "", ""), None),  # 0/0 prints NaN
    ]
    fltr = _report().fltr.model_copy(update={"most_filters": most})
    rendered = body(render_text(_report(fltr=fltr)))
    first, stop = "### 50 MOST FILTERS PER TRANSACTION ", "### 50 MOST EXECUTED FLTR PER"
    assert between(rendered, first, stop) == between(sample1, first, stop)


def test_sections_of_absent_types_are_omitted() -> None:
    general = _general(lines={"API": 0, "SQL": 3, "FLTR": 0, "ESCL": 0})
    text = render_text(_report(general=general))
    assert "###  SECTION: GAP ANALYSIS" in text
    assert "###  SECTION: SQL" in text
    for absent in ("SECTION: API", "SECTION: ESCALATIONS", "LONGEST RUNNING INDIVIDUAL FLTR"):
        assert absent not in text


def test_queued_table_message_when_nothing_queued() -> None:
    lines = render_text(_report(api=_api_section())).splitlines()
    title = lines.index("### 50 LONGEST QUEUED INDIVIDUAL API CALLS")
    assert lines[title + 1 : title + 4] == ["", "No Queued API's", ""]


def test_queued_table_is_sized_over_the_unqueued_top_calls() -> None:
    """The reference measures its top-N-by-queue-time list, padded with unqueued calls in
    run-time order: a slow unqueued call with a long form widens the queued table's Form."""
    api = _api_section()
    slow = api.top[0].model_copy(update={"form": "A:Long form name, not queued"})
    queued = api.top[0].model_copy(update={"form": "Q", "queue_s": 2.5, "duration_s": 0.01})
    section = api.model_copy(update={"top": [slow, queued], "top_queued": [queued]})
    lines = render_text(_report(api=section)).splitlines()
    header = lines[lines.index("### 50 LONGEST QUEUED INDIVIDUAL API CALLS") + 2]
    assert f"{'API':<10} {'Form':<{len(slow.form)}} {'Start Time':>28}" in header
    top_one = _report(api=section, options=AnalysisOptions.model_validate({"top_n": 1}))
    lines = render_text(top_one).splitlines()
    header = lines[lines.index("### 1 LONGEST QUEUED INDIVIDUAL API CALLS") + 2]
    assert f"{'API':<10} {'Form':<4} {'Start Time':>28}" in header  # N = 1: no padding call


def test_preamble_names_us_and_the_inputs() -> None:
    report = _report()
    lines = render_text(report, files=["a.log", "b.log"], duration_s=1.5).splitlines()
    assert lines[0] == BANNER
    assert 'Files: "a.log" "b.log"' in lines
    assert "Language Found: English" in lines
    assert "No Locale specified, using EN" in lines
    assert lines[-3:] == ["Finished Processing", "Duration: 1.500", ""]  # a blank line ends it
    forced = report.model_copy(update={"options": AnalysisOptions.model_validate({"locale": "DE"})})
    assert "Locale specified: DE" in render_text(forced).splitlines()


def test_missing_times_print_null() -> None:
    general = _general(start_time=None, end_time=None, elapsed_s=0.0)
    lines = render_text(_report(general=general)).splitlines()
    assert "             Start Time: null" in lines
    assert "               End Time: null" in lines
    assert "           Elapsed Time: 0.000" in lines
