"""One entry in full, and the original lines around it (cut from file bytes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.explore import (
    ExploreError,
    context_window,
    get_entry,
    lines_around,
    parse_entry_id,
    search,
)
from remedyiq_analysis.explore.entries import CONTEXT_SIDE_BYTES

if TYPE_CHECKING:
    from tests.analysis.explore_data import (
        FILES,
        OTHER_TENANT,
        SAMPLE1_TRACE,
        explore_client,
        fixture_lines,
        job,
    )
else:
    from explore_data import (
        FILES,
        OTHER_TENANT,
        SAMPLE1_TRACE,
        explore_client,
        fixture_lines,
        job,
    )


@pytest.fixture(scope="module")
def client(chdb_dir: Path, fixtures_dir: Path) -> Client:
    return explore_client(chdb_dir, fixtures_dir)


def test_entry_has_every_column_and_its_transaction(client: Client, fixtures_dir: Path) -> None:
    entry = get_entry(job(client, "sample1"), "1:14")
    assert entry is not None
    lines = fixture_lines(fixtures_dir, "sample1")
    assert (entry.api_code, entry.api_name, entry.form) == ("CE", "ARCreateEntry", "HPD:WorkLog")
    assert (entry.line_number, entry.end_line, entry.duration_ms) == (14, 351, 115)
    assert (entry.kind, entry.log_type, entry.trace_id) == ("call", "API", SAMPLE1_TRACE)
    assert entry.user == "José Núñez"
    assert entry.client == "Mid-tier"
    assert entry.timestamp == "2025-11-24T14:00:02.997"
    assert entry.raw_text.split("\n") == [lines[13], lines[350]]
    data = (fixtures_dir / FILES["sample1"]).read_bytes()
    assert data[entry.byte_offset :].startswith(lines[13].encode())
    related = entry.related
    assert (related.key_kind, related.key) == ("trace_id", SAMPLE1_TRACE)
    assert related.rows == search(job(client, "sample1"), f'trace:"{SAMPLE1_TRACE}"').total_estimate
    for log_type, count in (("API", related.api), ("SQL", related.sql), ("FLTR", related.fltr)):
        kql = f'trace:"{SAMPLE1_TRACE}" and type:{log_type}'
        assert count == search(job(client, "sample1"), kql).total_estimate
    assert related.api == 1
    assert related.escl == 0
    assert related.rows == related.api + related.sql + related.fltr


def test_entry_without_trace_ids_relates_by_thread_and_rpc(client: Client) -> None:
    call = search(job(client, "legacy"), "kind:call", sort="-duration", limit=1).rows[0]
    entry = get_entry(job(client, "legacy"), call.entry_id)
    assert entry is not None
    assert entry.related.key_kind == "thread_rpc"
    assert entry.related.key == f"{call.thread}:{call.rpc_id}"
    same = search(job(client, "legacy"), f'thread:"{call.thread}" and rpc:"{call.rpc_id}"')
    assert entry.related.rows == same.total_estimate


def test_missing_or_foreign_entries_are_none(client: Client) -> None:
    assert get_entry(job(client, "sample1"), "1:99999") is None
    assert get_entry(job(client, "sample1"), "2:14") is None
    assert get_entry(job(client, "medium", tenant=OTHER_TENANT), "1:14") is None
    assert get_entry(job(client, "sample1", tenant=OTHER_TENANT), "1:14") is not None


@pytest.mark.parametrize(
    "bad", ["", "14", "1:", "a:14", "1:14:2", "70000:1", "1:99999999999", " 1:14"]
)
def test_malformed_entry_ids_raise(client: Client, bad: str) -> None:
    with pytest.raises(ExploreError):
        get_entry(job(client, "sample1"), bad)
    with pytest.raises(ExploreError):
        parse_entry_id(bad)


@pytest.mark.parametrize(
    ("entry_id", "before", "after"),
    [("1:14", 5, 5), ("1:1", 3, 2), ("1:5000", 10, 0), ("1:20001", 4, 4)],
)
def test_context_lines_come_from_the_file(
    client: Client, fixtures_dir: Path, entry_id: str, before: int, after: int
) -> None:
    name = "sample1" if entry_id == "1:14" else "medium"
    entry = get_entry(job(client, name), entry_id)
    if entry is None:  # the medium log's last line is a truncated record: take the last row
        final = search(job(client, name), "", sort="-time", limit=1).rows[0]
        entry = get_entry(job(client, name), final.entry_id)
    assert entry is not None
    data = (fixtures_dir / FILES[name]).read_bytes()
    start, end = context_window(entry, before, after)
    assert 0 <= start <= entry.byte_offset < end
    assert entry.byte_offset - start <= CONTEXT_SIDE_BYTES
    assert end - entry.byte_offset <= CONTEXT_SIDE_BYTES
    window = data[start:end]
    found = lines_around(
        window,
        entry.byte_offset - start,
        before,
        after,
        target_line=entry.line_number,
        window_start=start,
        at_eof=end >= len(data),
    )
    lines = fixture_lines(fixtures_dir, name)
    first = max(1, entry.line_number - before)
    last = min(len(lines) - (lines[-1] == ""), entry.line_number + after)
    assert [c.line for c in found] == list(range(first, last + 1))
    assert [c.text for c in found] == lines[first - 1 : last]
    assert [c.line for c in found if c.target] == [entry.line_number]
    for c in found:
        assert data[c.byte_offset :].startswith(c.text.encode())
    assert not any(c.truncated for c in found)


def test_lines_around_cut_windows() -> None:
    text = b"zero\r\none\ntwo\nthree\n\xff\xfefour\nfive"
    target = text.index(b"three")
    # the window starts inside "zero": that piece is not a whole line
    window = text[2:]
    found = lines_around(window, target - 2, 9, 9, target_line=30, window_start=2)
    assert [(c.line, c.text) for c in found] == [
        (28, "one"),
        (29, "two"),
        (30, "three"),
        (31, "\ufffd\ufffdfour"),
    ]
    assert found[2].target
    assert found[2].byte_offset == target
    # at the end of the file the last line has no newline but is whole
    tail = lines_around(text, target, 0, 9, target_line=3, at_eof=True)
    assert [c.text for c in tail] == ["three", "\ufffd\ufffdfour", "five"]
    # from the file's start with relative numbers
    head = lines_around(text, target, 9, 0)
    assert [(c.line, c.text) for c in head] == [
        (-3, "zero"),
        (-2, "one"),
        (-1, "two"),
        (0, "three"),
    ]
    # a target line longer than the window is shown cut
    cut = lines_around(b"abc\ndefghij", 4, 1, 1, target_line=2, window_start=10)
    assert [(c.text, c.truncated) for c in cut] == [("defghij", True)]
    assert lines_around(b"abc\ndef\n", 4, 0, 0)[0].text == "def"
    with pytest.raises(ExploreError):
        lines_around(b"abc", 10, 1, 1)
    with pytest.raises(ExploreError):
        lines_around(b"abc", 0, -1, 1)
