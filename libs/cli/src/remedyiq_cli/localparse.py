"""Parsing inputs on this machine with a process pool, into Arrow files for the embedded engine.

Each worker parses one byte range and writes its rows as Arrow IPC files of at most
``BATCH_ROWS`` rows (memory per worker stays one batch); the summaries come back to the caller,
who joins them in range order. Compressed inputs and several inputs (merged in time order, as the
reference does) are parsed as one stream.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

from remedyiq_analysis.columnar import report_entries_batch, to_ipc
from remedyiq_arlog import summary_codec
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.rows import Row
from remedyiq_arlog.runner import RangeTask, parse_range, parse_stream, plan_file
from remedyiq_arlog.sources import LogInput
from remedyiq_arlog.summary import RangeSummary

BATCH_ROWS = 25_000
RANGE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ParsedPart:
    """What a worker sends back; the summary travels encoded (the parser's classes may be
    compiled, and compiled classes do not pickle)."""

    encoded_summary: bytes
    batch_files: list[str]
    rows: int
    bytes: int

    @property
    def summary(self) -> RangeSummary:
        return summary_codec.loads(self.encoded_summary)


def _write_batches(rows: Iterator[Row], out_dir: str, raw_text: bool) -> tuple[list[str], int]:
    files: list[str] = []
    batch: list[Row] = []
    count = 0

    def flush() -> None:
        path = os.path.join(out_dir, f"{uuid.uuid4().hex}.arrows")
        with open(path, "wb") as handle:
            handle.write(to_ipc(report_entries_batch(batch, raw_text=raw_text)))
        files.append(path)
        batch.clear()

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= BATCH_ROWS:
            flush()
    if batch:
        flush()
    return files, count


def parse_range_task(
    task: RangeTask, options: ParseOptions, out_dir: str, raw_text: bool
) -> ParsedPart:
    """Worker: one byte range of a plain file."""
    with open(task.path, "rb") as stream:
        rows, summary = parse_range(stream, task, options)
        files, count = _write_batches(rows, out_dir, raw_text)
    return ParsedPart(summary_codec.dumps(summary), files, count, task.byte_range.length)


def parse_stream_task(
    inputs: list[LogInput], options: ParseOptions, out_dir: str, raw_text: bool
) -> ParsedPart:
    """Worker: compressed or several inputs, as one time-ordered stream."""
    with parse_stream(inputs, options) as (rows, summary):
        files, count = _write_batches(rows, out_dir, raw_text)
    return ParsedPart(summary_codec.dumps(summary), files, count, summary.stats.bytes)


def submit_all(
    pool: Executor,
    inputs: list[LogInput],
    options: ParseOptions,
    out_dir: str,
    workers: int,
    *,
    raw_text: bool,
) -> tuple[list[Future[ParsedPart]], int]:
    """Start parsing; returns futures in join order and the total bytes to parse."""
    if len(inputs) == 1 and inputs[0].seekable:
        log = inputs[0]
        size = Path(log.path).stat().st_size
        parts = max(workers, size // RANGE_BYTES + 1)
        tasks = plan_file(log.path, 1, "", parts=parts)
        futures = [
            pool.submit(parse_range_task, task, options, out_dir, raw_text) for task in tasks
        ]
        return futures, size
    total = sum(log.size for log in inputs)
    return [pool.submit(parse_stream_task, inputs, options, out_dir, raw_text)], total
