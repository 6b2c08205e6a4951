"""Driving the parser over files and byte ranges (the thin I/O shell around the pure core)."""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from remedyiq_arlog.join import Joiner, JoinResult
from remedyiq_arlog.lines import LineStats, iter_lines
from remedyiq_arlog.merge import merged_lines
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.parser import RangeParser
from remedyiq_arlog.ranges import ByteRange, even_cuts, plan_ranges
from remedyiq_arlog.rows import Row
from remedyiq_arlog.sources import InputError, LogInput
from remedyiq_arlog.summary import RangeSummary

DAMAGED_ARCHIVE = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)
"""What reading a truncated or corrupt .gz/.zip member raises."""


@dataclass(frozen=True, slots=True)
class RangeTask:
    """One unit of parallel work: a byte range of one input file."""

    path: str
    file_number: int
    folder: str
    byte_range: ByteRange


def parse_range(
    stream: BinaryIO, task: RangeTask, options: ParseOptions, *, base: int = 0
) -> tuple[Iterator[Row], RangeSummary]:
    """Rows of one range (an iterator; the summary is complete once it is exhausted).

    ``base`` is the file offset of ``stream``'s first byte (a downloaded range starts there).
    """
    stream.seek(task.byte_range.start - base)
    line_stats = LineStats()
    parser = RangeParser(
        options, file_number=task.file_number, start=task.byte_range.start, folder=task.folder
    )
    number = task.file_number
    lines = (
        (number, line, offset, text)
        for line, offset, text in iter_lines(
            stream,
            task.byte_range.first_line,
            task.byte_range.start,
            task.byte_range.length,
            line_stats,
        )
    )

    def rows() -> Iterator[Row]:
        yield from parser.rows(lines)
        parser.summary.stats.cut_lines = line_stats.cut_lines
        parser.summary.stats.bytes = task.byte_range.length

    return rows(), parser.summary


def folder_keys(inputs: Sequence[LogInput]) -> dict[int, str]:
    """Thread-id prefixes per input file number: none for one folder, one per folder otherwise
    (each folder is a different server, so the same TID there is another thread)."""
    names = sorted({log.folder for log in inputs})
    if len(names) <= 1:
        return {}
    index = {name: f"{i}|" for i, name in enumerate(names, 1)}
    return {number: index[log.folder] for number, log in enumerate(inputs, 1)}


@contextmanager
def parse_stream(
    inputs: Sequence[LogInput], options: ParseOptions
) -> Iterator[tuple[Iterator[Row], RangeSummary]]:
    """Compressed inputs, or several inputs merged in time order (as the reference does), parsed
    as one stream; the summary is complete once the rows are exhausted."""
    stats = LineStats()
    folders = folder_keys(inputs)
    with ExitStack() as stack:
        streams = [
            (number, stack.enter_context(log.open())) for number, log in enumerate(inputs, 1)
        ]
        lines: Iterator[tuple[int, int, int, str]]
        if len(streams) == 1:
            number, stream = streams[0]
            lines = (
                (number, line, offset, text)
                for line, offset, text in iter_lines(stream, stats=stats)
            )
        else:
            lines = merged_lines(streams, options.locale, stats)
        parser = RangeParser(
            options, file_number=1, start=0, folder=folders.get(1, ""), folders=folders or None
        )

        def rows() -> Iterator[Row]:
            try:
                yield from parser.rows(lines)
            except DAMAGED_ARCHIVE as exc:  # found only when read, past the probe
                compressed = ", ".join(log.name for log in inputs if not log.seekable)
                raise InputError(
                    f"{compressed}: the compressed data is truncated or damaged ({exc})"
                ) from None
            parser.summary.stats.cut_lines = stats.cut_lines
            parser.summary.stats.bytes = sum(log.size for log in inputs)

        yield rows(), parser.summary


def plan_file(
    path: str | Path,
    file_number: int = 1,
    folder: str = "",
    parts: int = 1,
    cuts: Iterable[int] | None = None,
) -> list[RangeTask]:
    """Split one plain file into tasks (``parts`` even pieces, or explicit cut offsets)."""
    size = Path(path).stat().st_size
    with open(path, "rb") as stream:
        wanted = list(cuts) if cuts is not None else even_cuts(size, parts)
        ranges = plan_ranges(stream, size, wanted)
    return [RangeTask(str(path), file_number, folder, r) for r in ranges]


def parse_tasks(tasks: list[RangeTask], options: ParseOptions) -> tuple[list[Row], JoinResult]:
    """Parse tasks one after another in this process and join them (tests, small inputs)."""
    joiner = Joiner(options.gap_candidates)
    rows: list[Row] = []
    for task in tasks:
        with open(task.path, "rb") as stream:
            iterator, summary = parse_range(stream, task, options)
            rows.extend(iterator)
        rows.extend(joiner.add(summary))
    tail, result = joiner.finish()
    rows.extend(tail)
    return rows, result
