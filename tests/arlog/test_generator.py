"""Tests of the AR System log generator: determinism, truth vs an independent re-count of the
written bytes, size targeting, flat memory, encoding, header grammar, CLI.

An optional check against BMC's reference analyzer runs when ``REMEDYIQ_REF_JAR`` points to
``ARLogAnalyzer.jar`` (and ``java`` is on the PATH).
"""

from __future__ import annotations

import base64
import io
import json
import re
import tracemalloc
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remedyiq_arlog.generator import (
    ALL_ANOMALIES,
    AnomalyKind,
    GenerationTruth,
    GeneratorConfig,
    generate,
    parse_anomalies,
    parse_size,
)
from remedyiq_arlog.generator.cli import main as cli_main

HEADER = re.compile(
    r"^<(API |SQL |FLTR|ESCL)> (?:<TrID: ([A-Za-z0-9_-]{22}):(\d{7})> )?<TID: (\d{10})> "
    r"<RPC ID: (\d{10})> <Queue: (.{10})> <Client-RPC: (.{9})> <USER: (.{45})> "
    r"<Overlay-Group: (.{10})> (?:/\* (.+?) \*/ )?(.*)$"
)
TS_CLASSIC = re.compile(r"^\S+ \S+ (\d\d) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3})(\d)$")
TS_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})\+0000$")
SQL_START = {"SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE"}
ESC_SCHEDULE = re.compile(
    r'^Checking "(.+)" \(enabled\) : going to fire in (\d+) seconds on "(.+)"$'
)
ESC_READY = re.compile(r'^Checking "(.+)" \(enabled\) : ready to fire now on "(.+)"$')


def make(**kwargs: Any) -> tuple[bytes, GenerationTruth]:
    out = io.BytesIO()
    truth = generate(GeneratorConfig(**kwargs), out)
    return out.getvalue(), truth


def day_ms(ts: str) -> int:
    """Milliseconds since the start of the month (enough to compare times inside one log)."""
    m = TS_CLASSIC.match(ts)
    if m:
        day, _, hh, mi, ss, ms, _ = (int(x) for x in m.groups())
    else:
        iso = TS_ISO.match(ts)
        assert iso, ts
        _, _, day, hh, mi, ss, ms = (int(x) for x in iso.groups())
    return (((day * 24 + hh) * 60 + mi) * 60 + ss) * 1000 + ms


@dataclass
class Recount:
    """Figures re-derived from the bytes alone, with the reference analyzer's pairing rules."""

    physical: int = 0
    headed: int = 0
    continuation: int = 0
    malformed: int = 0
    untimed: int = 0
    per_type: Counter[str] = field(default_factory=Counter)
    api: Counter[str] = field(default_factory=Counter)
    by_abbr: Counter[str] = field(default_factory=Counter)
    sql: Counter[str] = field(default_factory=Counter)
    fltr: Counter[str] = field(default_factory=Counter)
    escl: Counter[str] = field(default_factory=Counter)
    threads: dict[str, set[str]] = field(default_factory=dict)
    first_ms: int = -1
    last_ms: int = -1
    first_ts: str = ""
    last_ts: str = ""


def recount(data: bytes) -> Recount:
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    r = Recount(physical=len(lines))
    api_stack: dict[str, list[tuple[str, bool]]] = {}
    sql_open: dict[str, bool] = {}
    schedule: dict[tuple[str, str, str], int] = {}
    esc_open: dict[str, dict[str, Any]] = {}
    for raw in lines:
        line = raw.removesuffix("\r")
        if not line.startswith("<"):
            r.continuation += 1
            continue
        r.headed += 1
        r.per_type[line[1:5].strip()] += 1
        m = HEADER.match(line)
        if m is None:
            r.malformed += 1
            continue
        kind, _, _, tid, _, queue, _, user, _, ts, detail = m.groups()
        r.threads.setdefault(queue.strip(), set()).add(tid)
        if ts is None:
            r.untimed += 1
            now = r.last_ms
        else:
            now = day_ms(ts)
            if r.first_ms < 0:
                r.first_ms, r.first_ts = now, ts
            assert now >= r.last_ms, f"time goes backwards: {line}"
            r.last_ms, r.last_ts = now, ts
        if kind == "API ":
            _api(r, api_stack.setdefault(tid, []), detail)
        elif kind == "SQL ":
            _sql(r, sql_open, tid, detail)
        elif kind == "FLTR":
            _fltr(r, detail.strip())
        else:
            _escl(
                r,
                schedule=schedule,
                open_=esc_open,
                pool=user.strip(),
                detail=detail.strip(),
                now=now,
            )
    r.api["start_without_end"] = sum(len(s) for s in api_stack.values())
    r.sql["start_without_end"] = sum(sql_open.values())
    r.escl["start_without_end"] = len(esc_open)
    return r


def _api(r: Recount, stack: list[tuple[str, bool]], detail: str) -> None:
    begin = re.match(r"^\+(\S+) +(AR\w+) -- (.*)// :q:([\d.]+)s( null)?$", detail)
    if begin:
        assert len(stack) < 2, "calls of one thread overlap"
        assert not stack or stack[0][0] == "SGE", "only SGE nests calls"
        stack.append((begin.group(1), float(begin.group(4)) > 0))
        return
    end = re.match(r"^-(\S+) +(OK|FAIL -- AR Error\(\d+\) .+)$", detail)
    if end is None:
        return  # Trace Log -- ON
    if not stack:
        r.api["end_without_start"] += 1
        return
    abbr, queued = stack.pop()
    assert abbr == end.group(1)
    r.api["completed"] += 1
    r.api["ok" if end.group(2) == "OK" else "fail"] += 1
    r.api["sub"] += bool(stack)
    r.api["queued"] += queued
    r.by_abbr[abbr] += 1


def _sql(r: Recount, open_: dict[str, bool], tid: str, detail: str) -> None:
    word = detail.split(" ", 1)[0].upper()
    if word in SQL_START:
        assert not open_.get(tid), "statement started while another is open"
        open_[tid] = True
    elif (word in ("OK", "ROLLBACK") or word.startswith(("***", "COM.BMC."))) and open_.get(tid):
        open_[tid] = False  # (a ROLLBACK after an error line closes nothing)
        r.sql["completed"] += 1
        r.sql["ok" if word == "OK" else "fail"] += 1


def _fltr(r: Recount, detail: str) -> None:
    check = re.match(r"^<Filter Level:(\d+) Number Of Filters:\d+> Checking \"", detail)
    if check:
        r.fltr["checked"] += 1
        r.fltr["max_level"] = max(r.fltr["max_level"], int(check.group(1)))
    elif detail == "--> Passed -- perform actions":
        r.fltr["passed"] += 1
    elif detail == "--> Failed qualification -- perform else actions":
        r.fltr["else"] += 1
    elif detail == "--> Failed qualification":
        r.fltr["noelse"] += 1
    elif detail.startswith("Start filter processing"):
        r.fltr["ops"] += 1


def _escl(
    r: Recount,
    *,
    schedule: dict[tuple[str, str, str], int],
    open_: dict[str, dict[str, Any]],
    pool: str,
    detail: str,
    now: int,
) -> None:
    if m := ESC_SCHEDULE.match(detail):
        schedule[(m.group(1), m.group(3), pool)] = now + int(m.group(2)) * 1000
    elif m := ESC_READY.match(detail):
        due = schedule.get((m.group(1), m.group(2), pool))
        delay = None if due is None else now - due
        open_[pool] = {"name": m.group(1), "form": m.group(2), "delay": delay, "error": False}
    elif "Error while performing escalation action" in detail:
        run = open_.get(pool)
        if run and run["name"] in detail and run["form"] in detail:
            run["error"] = True
    elif '" completed : on "' in detail:
        r.escl["completed"] += 1
        run = open_.pop(pool, None)
        if run:
            r.escl["error"] += run["error"]
            r.escl["delayed"] += run["delay"] is not None and abs(run["delay"]) > 5000


def assert_truth_matches(data: bytes, truth: GenerationTruth) -> Recount:
    r = recount(data)
    assert truth.bytes == len(data)
    assert truth.ends_with_newline == data.endswith(b"\n")
    assert truth.total_lines == r.physical
    assert truth.lines_with_header == r.headed
    assert truth.continuation_lines == r.continuation
    assert truth.malformed_lines == r.malformed
    assert truth.untimed_lines == r.untimed
    assert dict(truth.lines_per_type) == {k: r.per_type[k] for k in ("API", "SQL", "FLTR", "ESCL")}
    a = truth.api
    assert (a.calls_completed, a.ok, a.fail, a.sub_calls_completed, a.queued_calls) == (
        r.api["completed"],
        r.api["ok"],
        r.api["fail"],
        r.api["sub"],
        r.api["queued"],
    )
    assert dict(a.by_abbreviation) == dict(r.by_abbr)
    assert a.exceptions_start_without_end == r.api["start_without_end"]
    assert a.exceptions_end_without_start == r.api["end_without_start"]
    s = truth.sql
    assert (s.statements_completed, s.ok, s.fail, s.exceptions_start_without_end) == (
        r.sql["completed"],
        r.sql["ok"],
        r.sql["fail"],
        r.sql["start_without_end"],
    )
    f = truth.fltr
    assert (f.operations_started, f.filters_checked, f.passed) == (
        r.fltr["ops"],
        r.fltr["checked"],
        r.fltr["passed"],
    )
    assert (f.failed_with_else_actions, f.failed_without_else_actions, f.max_filter_level) == (
        r.fltr["else"],
        r.fltr["noelse"],
        r.fltr["max_level"],
    )
    e = truth.escl
    assert (e.runs_completed, e.runs_with_error, e.runs_delayed_over_5s) == (
        r.escl["completed"],
        r.escl["error"],
        r.escl["delayed"],
    )
    assert e.exceptions_start_without_end == r.escl["start_without_end"]
    assert dict(truth.threads_per_queue) == {q: len(t) for q, t in sorted(r.threads.items())}
    assert truth.end_time_ms - truth.start_time_ms == r.last_ms - r.first_ms
    return r


CONFIGS: dict[str, dict[str, Any]] = {
    "trid-mssql-all": {"seed": 11},
    "legacy-oracle-all": {"seed": 12, "log_format": "legacy", "db": "oracle"},
    "classic4-de-crlf": {
        "seed": 13,
        "timestamps": "classic4",
        "locale": "de",
        "line_ending": "crlf",
    },
    "iso-fr": {"seed": 14, "timestamps": "iso", "locale": "fr"},
    "no-anomalies": {"seed": 15, "anomalies": frozenset()},
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_truth_matches_independent_recount(name: str) -> None:
    data, truth = make(target_bytes=1_500_000, **CONFIGS[name])
    r = assert_truth_matches(data, truth)
    assert truth.api.calls_completed > 100
    assert truth.fltr.filters_checked > 100
    assert truth.escl.runs_completed > 0
    if CONFIGS[name].get("anomalies") == frozenset():
        assert r.continuation == r.malformed == r.untimed == 0
        assert truth.api.fail == truth.sql.fail == 0
        assert truth.api.exceptions_start_without_end == 0
        assert truth.api.exceptions_end_without_start == 0
        assert truth.sql.exceptions_start_without_end == 0
        assert truth.escl.exceptions_start_without_end == truth.escl.runs_delayed_over_5s == 0
        assert not truth.anomalies_injected
    else:
        assert set(truth.anomalies_injected) == {k.value for k in ALL_ANOMALIES} - {
            "multiline_sql",
            "non_ascii",
            "untimed_filter_actions",
        } | ({"multiline_sql"} if r.continuation else set())
        assert truth.api.exceptions_start_without_end > 0
        assert truth.api.exceptions_end_without_start > 0
        assert truth.escl.exceptions_start_without_end == 1
        assert not truth.ends_with_newline


ANY_CONFIG = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32),
        "target_bytes": st.integers(1_000, 120_000),
        "anomalies": st.frozensets(st.sampled_from(list(AnomalyKind))),
        "log_format": st.sampled_from(["trid", "legacy"]),
        "timestamps": st.sampled_from(["classic", "classic4", "iso"]),
        "locale": st.sampled_from(["en", "de", "fr", "de-cldr"]),
        "db": st.sampled_from(["mssql", "oracle"]),
        "line_ending": st.sampled_from(["lf", "crlf"]),
    }
)


@settings(max_examples=30, deadline=None)
@given(config=ANY_CONFIG)
def test_truth_matches_recount_for_any_config(config: dict[str, Any]) -> None:
    data, truth = make(**config)
    assert_truth_matches(data, truth)


def test_small_log_shows_every_anomaly_kind() -> None:
    data, truth = make(seed=3, target_lines=20_000)
    assert_truth_matches(data, truth)
    for figure in (
        truth.continuation_lines,
        truth.malformed_lines,
        truth.untimed_lines,
        truth.api.fail,
        truth.sql.fail,
        truth.api.queued_calls,
        truth.escl.runs_with_error,
        truth.escl.runs_delayed_over_5s,
    ):
        assert figure > 0
    assert b"\xc3" in data  # UTF-8 user and form names
    injected = truth.anomalies_injected
    for kind in ("line_gaps", "thread_gaps", "slow_calls", "orphans_at_start", "open_at_end"):
        assert injected[kind] > 0


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    a, truth_a = make(seed=5, target_bytes=300_000)
    b, truth_b = make(seed=5, target_bytes=300_000)
    c, _ = make(seed=6, target_bytes=300_000)
    assert a == b
    assert truth_a == truth_b
    assert a != c


@pytest.mark.parametrize("target", [400_000, 3_000_000])
def test_size_target(target: int) -> None:
    data, truth = make(seed=7, target_bytes=target)
    assert abs(len(data) - target) / target < 0.05
    assert truth.bytes == len(data)


def test_line_target() -> None:
    data, truth = make(seed=8, target_lines=5_000, anomalies=frozenset())
    assert 5_000 <= truth.total_lines <= 5_600
    assert data.count(b"\n") == truth.total_lines


class CountingSink:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)


def test_memory_stays_flat() -> None:
    sink = CountingSink()
    tracemalloc.start()
    try:
        truth = generate(GeneratorConfig(seed=9, target_bytes=50_000_000), sink)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.bytes == truth.bytes >= 50_000_000
    assert peak < 8_000_000, f"peak traced memory {peak} bytes"


def test_all_lines_valid_utf8_unless_invalid_bytes_requested() -> None:
    data, _ = make(seed=10, target_bytes=800_000)
    data.decode("utf-8")
    bad, truth = make(
        seed=10, target_bytes=800_000, anomalies=ALL_ANOMALIES | {AnomalyKind.INVALID_BYTES}
    )
    assert truth.anomalies_injected["invalid_bytes"] > 0
    broken = 0
    for line in bad.split(b"\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            broken += 1
            assert b"<USER: Ren\xe9 Lef\xe8vre" in line
    assert broken > 0
    assert bad[:1000].isascii()  # the reference analyzer sniffs the first kB as text


def test_header_grammar_ids_and_order() -> None:
    data, _ = make(seed=21, target_bytes=1_000_000)
    last_rpc = 0
    open_sge: dict[str, str] = {}  # TID -> RPC ID of its open ARSetGetEntry
    for line in data.decode().split("\n")[:-1]:
        m = HEADER.match(line)
        if m is None:
            continue  # malformed (torn header) lines
        kind, prefix, counter, tid, rpc, queue, crpc, _, group, ts, detail = m.groups()
        assert prefix is not None
        assert counter is not None
        assert uuid.UUID(bytes=base64.urlsafe_b64decode(prefix + "==")).version == 4
        assert prefix[-1] in "AQgw"
        assert queue.strip() in {"Fast", "List", "Admin", "Escalation", "Prv:390680", "AssignEng"}
        assert crpc.strip() in {"390620", "390600", "390603", "390680"}
        assert group.strip() == "1"
        if ts is not None:
            assert TS_CLASSIC.match(ts)
            assert ts.endswith("0")  # classic: the 4th fractional digit is always 0
        if kind != "API ":
            continue
        if tid in open_sge:  # calls nested in SGE share its RPC ID
            assert rpc == open_sge[tid]
            if detail.startswith("-SGE"):
                del open_sge[tid]
        elif detail.startswith("+"):
            assert int(rpc) > last_rpc  # RPC IDs rise server-wide, in file order
            last_rpc = int(rpc)
            if detail.startswith("+SGE"):
                open_sge[tid] = rpc


def test_legacy_iso_locale_and_crlf_shapes() -> None:
    legacy, _ = make(seed=22, target_bytes=200_000, log_format="legacy")
    assert b"<TrID:" not in legacy
    assert b"<API > <TID: " in legacy
    assert b"(AR Server 9.1.10.002 202010021144)" in legacy
    iso, _ = make(seed=22, target_bytes=200_000, timestamps="iso")
    assert re.search(rb"/\* 2025-11-24T14:00:0\d\.\d{3}\+0000 \*/", iso)
    assert b"// :q:0.0s null" in iso
    de, _ = make(seed=22, target_bytes=200_000, locale="de")
    assert b"/* Mo Nov 24 2025 14:00:00.0000 */" in de
    cldr, _ = make(seed=22, target_bytes=200_000, locale="de-cldr")
    assert b"/* Mo. Nov. 24 2025 14:00:00.0000 */" in cldr
    fr, _ = make(seed=22, target_bytes=200_000, locale="fr", start=datetime(2025, 12, 1))
    assert "/* lun. déc. 01 2025 00:00:00.0000 */".encode() in fr
    c4, _ = make(seed=22, target_bytes=200_000, timestamps="classic4")
    assert re.search(rb"\.\d{3}[1-9] \*/", c4)
    crlf, _ = make(seed=22, target_bytes=200_000, line_ending="crlf", anomalies=frozenset())
    assert crlf.count(b"\n") == crlf.count(b"\r\n") > 0


def test_config_parsing() -> None:
    assert parse_size("100MB") == 100_000_000
    assert parse_size("1GiB") == 2**30
    assert parse_size("512") == 512
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")
    assert parse_anomalies("none") == frozenset()
    assert parse_anomalies("all") == ALL_ANOMALIES
    assert parse_anomalies("slow_calls, line-gaps") == {
        AnomalyKind.SLOW_CALLS,
        AnomalyKind.LINE_GAPS,
    }
    with pytest.raises(ValueError, match="unknown anomaly"):
        parse_anomalies("gremlins")
    with pytest.raises(ValueError, match="not both"):
        GeneratorConfig(target_bytes=1, target_lines=1)


def test_cli_writes_log_and_truth(tmp_path: Path) -> None:
    log, truth_file = tmp_path / "x.log", tmp_path / "x.json"
    argv = [
        "-o",
        str(log),
        "--lines",
        "3000",
        "--seed",
        "4",
        "--format",
        "legacy",
        "--db",
        "oracle",
        "--anomalies",
        "slow_calls,api_errors",
        "--truth",
        str(truth_file),
        "-q",
    ]
    assert cli_main(argv) == 0
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    assert truth["bytes"] == log.stat().st_size
    assert truth["total_lines"] == log.read_bytes().count(b"\n") >= 3000
    assert truth["meta"]["format"] == "legacy"
    assert truth["meta"]["anomalies"] == ["api_errors", "slow_calls"]
    assert set(truth) >= {"lines_per_type", "api", "sql", "fltr", "escl", "start_time_ms"}


def test_start_and_end_time_in_epoch_ms() -> None:
    data, truth = make(seed=23, target_bytes=300_000, start=datetime(2025, 11, 24, 14, 0, 0))
    r = recount(data)
    first = datetime.strptime(r.first_ts[:-1], "%a %b %d %Y %H:%M:%S.%f")
    assert (
        truth.start_time_ms
        == 1763992800000
        == int((first - datetime(1970, 1, 1)).total_seconds() * 1000)
    )
