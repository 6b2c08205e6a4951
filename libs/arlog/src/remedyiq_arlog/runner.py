"""Driving the parser over files and byte ranges (the thin I/O shell around the pure core)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from remedyiq_arlog.join import Joiner, JoinResult
from remedyiq_arlog.lines import LineStats, iter_lines
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.parser import RangeParser
from remedyiq_arlog.ranges import ByteRange, even_cuts, plan_ranges
from remedyiq_arlog.rows import Row
from remedyiq_arlog.summary import RangeSummary


@dataclass(frozen=True, slots=True)
class RangeTask:
    """One unit of parallel work: a byte range of one input file."""

    path: str
    file_number: int
    folder: str
    byte_range: ByteRange


def parse_range(
    stream: BinaryIO, task: RangeTask, options: ParseOptions
) -> tuple[Iterator[Row], RangeSummary]:
    """Rows of one range (an iterator; the summary is complete once it is exhausted)."""
    stream.seek(task.byte_range.start)
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
