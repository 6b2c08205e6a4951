"""A job's byte ranges: planned once, each marked parsed once (both idempotent).

Ingest plans the ranges when it splits a file; each parser marks its range parsed with the
number of batches and rows it published and the object key of the range's summary. Both are
safe under redelivery. Connections come from ``Database.tenant(...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from remedyiq_platform.stores.errors import ConflictError, NotFoundError


@dataclass(frozen=True, slots=True)
class RangePlan:
    """One range to plan: ``[start_offset, end_offset)`` of file ``file_number``."""

    range_index: int
    start_offset: int
    end_offset: int
    file_number: int = 1
    first_line: int | None = None


class JobRange(BaseModel):
    """A ``job_ranges`` row."""

    model_config = ConfigDict(frozen=True)

    job_id: UUID
    range_index: int
    file_number: int
    start_offset: int
    end_offset: int
    first_line: int | None
    status: str
    batches: int | None
    rows: int | None
    summary_key: str | None
    parsed_at: datetime | None

    def plan(self) -> RangePlan:
        """The plan this range was created from."""
        return RangePlan(
            self.range_index, self.start_offset, self.end_offset, self.file_number, self.first_line
        )


@dataclass(frozen=True, slots=True)
class RangeCounts:
    """Progress of a job's ranges."""

    total: int
    parsed: int
    batches: int
    rows: int

    @property
    def all_parsed(self) -> bool:
        """True once every planned range is parsed (and at least one was planned)."""
        return self.total > 0 and self.parsed == self.total


_COLUMNS = (
    "job_id, range_index, file_number, start_offset, end_offset, first_line, status, "
    "batches, rows, summary_key, parsed_at"
)


async def plan_ranges(conn: Any, job_id: UUID, ranges: Sequence[RangePlan]) -> list[JobRange]:
    """Store the job's range plan; idempotent.

    Planning the same ranges again returns the stored rows; a plan that differs from the
    stored one raises :class:`ConflictError` (a replanned file must be a new job).
    """
    indexes = [r.range_index for r in ranges]
    if not ranges or sorted(indexes) != list(range(len(ranges))):
        raise ValueError("ranges must be indexed 0..n-1, each once")
    async with conn.transaction():
        await conn.execute(
            """
            INSERT INTO job_ranges (job_id, range_index, file_number, start_offset, end_offset,
                                    first_line)
            SELECT $1, * FROM unnest($2::int[], $3::int[], $4::bigint[], $5::bigint[],
                                     $6::bigint[])
            ON CONFLICT (job_id, range_index) DO NOTHING
            """,
            job_id,
            indexes,
            [r.file_number for r in ranges],
            [r.start_offset for r in ranges],
            [r.end_offset for r in ranges],
            [r.first_line for r in ranges],
        )
        stored = await list_ranges(conn, job_id)
    wanted = sorted(ranges, key=lambda r: r.range_index)
    if [r.plan() for r in stored] != wanted:
        raise ConflictError(f"job {job_id} already has a different range plan")
    return stored


async def list_ranges(conn: Any, job_id: UUID) -> list[JobRange]:
    """All the job's ranges, by index."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM job_ranges WHERE job_id = $1 ORDER BY range_index", job_id
    )
    return [JobRange.model_validate(dict(row)) for row in rows]


async def mark_range_parsed(
    conn: Any,
    job_id: UUID,
    range_index: int,
    *,
    batches: int,
    rows: int,
    summary_key: str | None = None,
) -> tuple[JobRange, bool]:
    """Mark a range parsed; returns ``(range, newly_marked)``.

    Idempotent: a redelivered completion finds the range already parsed and returns it with
    ``newly_marked=False``, leaving the first recorded figures in place.
    """
    row = await conn.fetchrow(
        f"""
        UPDATE job_ranges
        SET status = 'parsed', batches = $3, rows = $4, summary_key = $5, parsed_at = now()
        WHERE job_id = $1 AND range_index = $2 AND status = 'planned'
        RETURNING {_COLUMNS}
        """,
        job_id,
        range_index,
        batches,
        rows,
        summary_key,
    )
    if row is not None:
        return JobRange.model_validate(dict(row)), True
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM job_ranges WHERE job_id = $1 AND range_index = $2",
        job_id,
        range_index,
    )
    if row is None:
        raise NotFoundError(f"job {job_id} has no range {range_index}")
    return JobRange.model_validate(dict(row)), False


async def range_counts(conn: Any, job_id: UUID) -> RangeCounts:
    """How many of the job's ranges are planned and parsed, with the parsed batches and rows."""
    row = await conn.fetchrow(
        """
        SELECT count(*) AS total,
               count(*) FILTER (WHERE status = 'parsed') AS parsed,
               coalesce(sum(batches), 0) AS batches,
               coalesce(sum(rows), 0) AS rows
        FROM job_ranges WHERE job_id = $1
        """,
        job_id,
    )
    return RangeCounts(int(row["total"]), int(row["parsed"]), int(row["batches"]), int(row["rows"]))
