"""Compiled queries run on a real ClickHouse engine (chDB) over the real ``log_entries`` schema.

This proves the SQL is valid for the actual column types (Enum8, LowCardinality, Bool,
DateTime64(3, 'UTC'), Int64, Float64), that values bound server-side by clickhouse-connect
arrive intact (quotes, backslashes, %, _), and that each query returns exactly the right rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from remedyiq_arlog.rawtext import HEADER_COLUMNS, REBUILT, REBUILT_LEGACY, pack, render
from remedyiq_query import compile_query

RUNNER = Path(__file__).with_name("chdb_runner.py")


def row(
    line: int, time: str, log_type: str, kind: str, raw: str, **rest: object
) -> dict[str, object]:
    base: dict[str, object] = {
        "line_number": line, "timestamp": time, "log_type": log_type, "kind": kind,
        "raw_lines": pack(raw)[0], "raw_head": pack(raw)[1], "trace_id": "", "thread_id": "",
        "user": "", "form": "",
        "duration_ms": 0, "queue_time_ms": 0.0, "success": True, "error_message": "",
        "filter_result": "none", "sql_table": "", "client_ip": "",
    }  # fmt: skip
    base.update(rest)
    return base


ROWS = [
    row(1, "2024-01-15T10:00:00+00:00", "API", "call",
        "<API > <TID: 0000000101> <USER: Demo> +GE ARGetEntry -- schema HPD:Help Desk",
        trace_id="T1", thread_id="0000000101", user="Demo", form="HPD:Help Desk",
        duration_ms=2500),
    row(2, "2024-01-15T10:00:00.500+00:00", "API", "call",
        "<API > <USER: allen> -GE FAIL -- ARERR [302] Entry does not exist in database",
        trace_id="T2", user="allen", form="HPD:Help Desk Classic", duration_ms=120,
        success=False, error_message="ARERR 302 Entry does not exist"),
    row(3, "2024-01-15T10:00:01.500+00:00", "SQL", "statement",
        "<SQL > SELECT T100.C1 FROM T100, T200 WHERE C7 = '50%_off' -- done",
        user="Demo", form="HPD:Help Desk", sql_table="T100, T200", duration_ms=800,
        queue_time_ms=1.5),
    row(4, "2024-01-16T00:00:00+00:00", "FLTR", "check",
        "<FLTR> Checking HPD:Set Status (500)\n<FLTR>    --> Passed -- perform actions",
        user="Démo", form="HPD:Help Desk", filter_result="passed"),
    row(5, "2024-01-16T12:00:00+00:00", "FLTR", "check",
        "<FLTR> path a\\b C:\\temp\\x at 100%", filter_result="failed_else"),
    row(6, "2024-01-17T08:00:00+00:00", "ESCL", "run",
        "<ESCL> Escalation ESC:Close Tickets fired", user="AR_ESCALATOR", client_ip="10.0.0.1"),
]  # fmt: skip

ALL = [1, 2, 3, 4, 5, 6]
CASES: list[tuple[str, list[int]]] = [
    ("", ALL),
    ("user:demo", [1, 3]),
    ("user:DÉMO", [4]),
    ("user:Dem*", [1, 3]),
    ('user:""', [5]),
    ("not user:*", [5]),
    ('form:"HPD:Help Desk"', [1, 3, 4]),
    ("form:HPD:Help*", [1, 2, 3, 4]),
    ("form:*classic", [2]),
    ("form:*", [1, 2, 3, 4]),
    ("type:API", [1, 2]),
    ("type:(sql or FLTR)", [3, 4, 5]),
    ("type:api or type:escl", [1, 2, 6]),
    ("kind:check*", [4, 5]),
    ("result:failed*", [5]),
    ("result:*", [4, 5]),
    ("duration >= 2s", [1]),
    ("duration > 100ms and duration < 1s", [2, 3]),
    ("duration:*", [1, 2, 3]),
    ("duration:2.5s", [1]),
    ("queue_time > 1", [3]),
    ("queue_time > 1.5ms", []),
    ("status:failed", [2]),
    ("not status:ok", [2]),
    ('error:"does not exist"', [2]),
    ("error:EXIST", [2]),
    ("table:t200", [3]),
    ("trace:T1", [1]),
    ("trace:t1", []),
    ("trace:(T1 or T2)", [1, 2]),
    ("thread:0000000101", [1]),
    ("ip:10.0.0.1", [6]),
    ("line >= 5", [5, 6]),
    ("time:2024-01-15", [1, 2, 3]),
    ("time > 2024-01-15", [4, 5, 6]),
    ("time >= 2024-01-15T10:00:01", [3, 4, 5, 6]),
    ("time <= 2024-01-15T10:00:00", [1, 2]),
    ("time < 2024-01-16T01:00:00+02:00", [1, 2, 3]),
    ('time:"2024-01-15 10:00:00.500"', [2]),
    ("arerr", [2]),
    ('"entry DOES not"', [2]),
    ("50%_off", [3]),
    ("50%_of*", [3]),
    ("5*off", [3]),
    ("100%", [5]),
    ("a\\\\b", [5]),
    ('"C:\\temp"', [5]),
    ("'50%_off'", [3]),
    ('"passed -- perform"', [4]),
    # row 4's second line is stored folded: words of its header are found through the first
    # line's, and a phrase across the folded header's edge reads the unfolded lines
    ('"<FLTR>    --> passed"', [4]),
    ("checking*FLTR", [4]),
    ('"<FLTR"', [4, 5]),
    ("not type:API and not type:SQL", [4, 5, 6]),
    ("arerr or demo and not type:SQL", [1, 2]),
    ("type:FLTR -- perform", [4]),
    # hostile input is only ever a value: it matches text or nothing, and breaks nothing
    ("' OR 1=1 --", [3]),
    ('user:"\' OR 1=1 --"', []),
    ('raw:"; DROP TABLE kql_test.log_entries; --"', []),
    ("user:`whoami`", []),
    ("form:\"x') OR ('1'='1\"", []),
    ("", ALL),
]


def rendered_row(
    line: int, header: list[str], details: list[str], *, trid: bool
) -> dict[str, object]:
    """A row whose lines all start with the header its columns print: stored without it."""
    head = render(header, trid=trid)
    raw = "\n".join(f"{head} /* Mon Nov 24 2025 14:47:03.3760 */ {d}" for d in details)
    packed, size = pack(raw, header)
    assert packed[0] == (REBUILT if trid else REBUILT_LEGACY)
    assert head not in packed
    columns = dict(zip(HEADER_COLUMNS, header, strict=True))
    return row(line, "2024-01-18T00:00:00+00:00", columns.pop("log_type"), "call", raw,
               raw_lines=packed, raw_head=size, **columns)  # fmt: skip


BLANK = {"rpc_id": "", "queue": "", "client_rpc": "", "overlay_group": ""}
RENDERED_ROWS = [
    row(1, "2024-01-17T08:00:00+00:00", "ESCL", "run", "<ESCL> nothing of a header", **BLANK),
    rendered_row(2, ["API", "FiLqX9iuQpSMJLlSFz2HfQ:0002890", "0000000214", "0000021396", "Fast",
                     "390620", "Kathy", "1"], ["+SE ARSetEntry", "-SE OK"], trid=True),
    rendered_row(3, ["SQL", "", "0000000215", "0000021397", "List", "390635", "Bob Stone", "0"],
                 ["UPDATE T12 SET C7 = 1"], trid=False),
]  # fmt: skip
RENDERED_CASES: list[tuple[str, list[int]]] = [
    ("kathy", [2]),  # a value: in the column
    ("FiLqX9iuQpSMJLlSFz2HfQ", [2]),  # the TrID of the TrID layout only
    ("trid", [2]),  # a label of the TrID layout only
    ("overlay-group", [2, 3]),  # a label: every rendered header
    ("rpc id", [2, 3]),
    ('"USER: Kathy  "', [2]),  # across a label, its value and the padding
    ('"Queue: List      "', [3]),
    ('"Client-RPC: 390620   "', [2]),
    ('"Client-RPC: 390620    "', []),  # one space more than the padding
    ('"Bob Stone"', [3]),
    ("0000021397", [3]),
    ('"API "', [2]),  # the type tag, padded
    ("sql", [3]),
    ("ARSetEntry", [2]),  # the stored part
    ('"/* Mon Nov"', [2, 3]),
    ('"Fast      > <Client"', [2]),  # brackets: the unfolded lines
    ('"OK"', [2]),
    ("header", [1]),
    ("*kathy*", [2]),
    ("setentry*", [2]),
]


def _run(
    rows: list[dict[str, object]], cases: list[tuple[str, list[int]]]
) -> list[dict[str, object]]:
    queries = []
    for text, _ in cases:
        compiled = compile_query(text)
        queries.append({"where": compiled.where, "params": compiled.params})
    done = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps({"rows": rows, "queries": queries}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


@pytest.fixture(scope="module")
def outcomes() -> list[dict[str, object]]:
    return _run(ROWS, CASES)


@pytest.fixture(scope="module")
def rendered_outcomes() -> list[dict[str, object]]:
    return _run(RENDERED_ROWS, RENDERED_CASES)


@pytest.mark.parametrize(
    ("index", "query", "lines"), [(i, q, ln) for i, (q, ln) in enumerate(RENDERED_CASES)]
)
def test_free_text_finds_words_of_headers_rendered_from_columns(
    rendered_outcomes: list[dict[str, object]], index: int, query: str, lines: list[int]
) -> None:
    outcome = rendered_outcomes[index]
    assert "error" not in outcome, f"{query!r}: {outcome.get('error')}"
    assert outcome["lines"] == lines, query


@pytest.mark.parametrize(
    ("index", "query", "lines"), [(i, q, ln) for i, (q, ln) in enumerate(CASES)]
)
def test_query_returns_the_right_rows(
    outcomes: list[dict[str, object]], index: int, query: str, lines: list[int]
) -> None:
    outcome = outcomes[index]
    assert "error" not in outcome, f"{query!r}: {outcome.get('error')}"
    assert outcome["lines"] == lines, query
