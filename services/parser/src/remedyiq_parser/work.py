"""Parsing one unit of work (a byte range, or a whole compressed/multi-member object) into
entry batches — the pure part of the parser, run in a worker thread.

Batches are deterministic (same input → same batches, same ids), so a redelivered range
republishes exactly the batches it published before and ClickHouse deduplicates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from remedyiq_analysis.batchbody import encode
from remedyiq_analysis.columnar import entries_batch
from remedyiq_analysis.meta import FileMeta
from remedyiq_analysis.options import parse_options
from remedyiq_arlog.ranges import ByteRange
from remedyiq_arlog.rows import Row
from remedyiq_arlog.runner import RangeTask, parse_range, parse_stream
from remedyiq_arlog.sources import InputError, resolve_inputs
from remedyiq_arlog.summary import RangeSummary
from remedyiq_platform.contracts.messages import ParseRange

MAX_BATCH_BYTES = 6 * 1024 * 1024
"""Encoded batches stay well under the NATS payload limit (8 MiB, headers included)."""

Publish = Callable[[str, str, bytes, int], None]  # batch id, table, Arrow IPC body, rows


@dataclass(frozen=True, slots=True)
class RangeResult:
    batches: int
    rows: int
    summary: RangeSummary
    files: tuple[FileMeta, ...] = ()  # a compressed input's logs (a zip's members)


def parse_unit(path: Path, message: ParseRange, publish: Publish) -> RangeResult:
    """Parse the staged file of ``message`` and hand every batch to ``publish`` (in order)."""
    options = parse_options(message.options)
    if message.mode == "range":
        task = RangeTask(
            str(path), 1, "", ByteRange(message.start, message.end, message.first_line)
        )
        with path.open("rb") as stream:
            rows, summary = parse_range(stream, task, options, base=message.start)
            batches, count = _emit(rows, message, publish)
        return RangeResult(batches, count, summary)

    def users_name(text: str) -> str:  # the staged file stands for the user's
        return text.replace(str(path), message.file.filename).replace(
            path.name, message.file.filename
        )

    try:  # an unusable input is the same on every attempt: no retries, the job fails
        inputs = resolve_inputs([str(path)])
        with parse_stream(inputs, options) as (rows, summary):
            batches, count = _emit(rows, message, publish)
    except InputError as exc:
        raise UnusableInput(users_name(str(exc))) from None
    files = tuple(
        FileMeta(number=number, name=users_name(log.name), bytes=log.size)
        for number, log in enumerate(inputs, 1)
    )
    return RangeResult(batches, count, summary, files)


class UnusableInput(ValueError):
    """The object is not an AR System log (or cannot be read): the job fails with this reason."""


def _emit(rows: Iterator[Row], message: ParseRange, publish: Publish) -> tuple[int, int]:
    sequence = 0
    total = 0
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= message.batch_rows:
            sequence = _publish_rows(batch, message, publish, sequence)
            total += len(batch)
            batch = []
    if batch:
        sequence = _publish_rows(batch, message, publish, sequence)
        total += len(batch)
    return sequence, total


def _publish_rows(rows: list[Row], message: ParseRange, publish: Publish, sequence: int) -> int:
    """Publish ``rows`` as one batch, or as halves if the encoded batch is too large."""
    batch_id = f"r{message.range_index}.b{sequence}"
    body = encode(
        entries_batch(rows),
        tenant_id=str(message.tenant_id),
        job_id=str(message.job_id),
        batch_id=batch_id,
        retention_days=message.retention_days,
    )
    if len(body) > MAX_BATCH_BYTES and len(rows) > 1:
        half = len(rows) // 2
        sequence = _publish_rows(rows[:half], message, publish, sequence)
        return _publish_rows(rows[half:], message, publish, sequence)
    publish(batch_id, "log_entries", body, len(rows))
    return sequence + 1
