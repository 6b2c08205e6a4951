"""The parser never raises, whatever the bytes; every line is accounted for."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from remedyiq_arlog.join import Joiner
from remedyiq_arlog.lines import iter_lines
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.parser import RangeParser

HEADER = (
    b"<API > <TrID: AAAAAAAAAAAAAAAAAAAAAA:0000001> <TID: 0000000300> <RPC ID: 0000000001> "
    b"<Queue: Fast      > <Client-RPC: 390620   > <USER: Demo > <Overlay-Group: 1 > "
    b"/* Mon Nov 24 2025 10:00:01.0000 */ "
)
PIECES = [
    HEADER + b"+GE      ARGetEntry -- schema F from Mid-tier (protocol 28) at IP address 1.1.1.1 "
    b"using RPC // :q:0.1s",
    HEADER + b"-GE               OK",
    HEADER.replace(b"API ", b"SQL ") + b"SELECT T1.C1 FROM T1",
    HEADER.replace(b"API ", b"SQL ") + b"OK",
    HEADER.replace(b"API ", b"FLTR") + b'<Filter Level:0 Number Of Filters:0> Checking "X" (1)',
    HEADER.replace(b"API ", b"ESCL") + b'Checking "E" (enabled) : ready to fire now on "F"',
    b"<FLTR> <TID: 0000000300> <RPC ID: 1> /* Mon Nov 2",
    b"<",
    b"\xff\xfe\x00garbage",
    b"",
    b"\r",
    b"continuation line",
]


def _parse(data: bytes) -> tuple[int, int]:
    parser = RangeParser(ParseOptions(), file_number=1, start=0)
    lines = ((1, n, off, text) for n, off, text in iter_lines(io.BytesIO(data)))
    rows = list(parser.rows(lines))
    joiner = Joiner()
    rows += joiner.add(parser.summary)
    rows += joiner.finish()[0]
    return len(rows), sum(r[6] for r in rows)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _parse(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.binary(max_size=80), max_size=40))
def test_mixed_records_and_garbage(pieces: list[bytes]) -> None:
    data = b"\n".join(pieces)
    _rows, lines = _parse(data)
    expected = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert lines == expected
