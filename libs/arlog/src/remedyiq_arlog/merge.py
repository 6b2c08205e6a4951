"""Several logs as one stream: records merged in time order (what the reference does).

Each input's lines are grouped into records (a header line and its continuation lines) and the
records of all inputs are merged by timestamp — ties keep input order, then file order; a record
without a readable time keeps the time of the record before it in its file, so it stays in place.
Memory: one pending record per input.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import BinaryIO

from remedyiq_arlog.lines import LineStats, iter_lines
from remedyiq_arlog.timestamps import TimestampError, TimestampParser

Line = tuple[int, int, int, str]


def _records(
    file_number: int, stream: BinaryIO, locale: str | None, stats: LineStats
) -> Iterator[tuple[int, int, int, list[Line]]]:
    stamps = TimestampParser(locale)
    last_ts = 0
    group: list[Line] = []
    key = 0
    for line, offset, text in iter_lines(stream, stats=stats):
        if text[:1] == "<" and group:
            yield key, file_number, group[0][1], group
            group = []
        if not group:
            key = _stamp(text, stamps, last_ts)
            last_ts = key
        group.append((file_number, line, offset, text))
    if group:
        yield key, file_number, group[0][1], group


def _stamp(text: str, stamps: TimestampParser, default: int) -> int:
    start = text.find("/* ")
    end = text.find(" */", start + 3)
    if start < 0 or end < 0:
        return default
    try:
        return stamps.parse(text[start + 3 : end])
    except TimestampError:
        return default


def merged_lines(
    streams: list[tuple[int, BinaryIO]], locale: str | None, stats: LineStats
) -> Iterator[Line]:
    """Lines of all ``(file_number, stream)`` inputs, records in time order."""
    sources = [_records(number, stream, locale, stats) for number, stream in streams]
    for _key, _file, _line, group in heapq.merge(*sources, key=lambda r: (r[0], r[1], r[2])):
        yield from group
