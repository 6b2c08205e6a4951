"""Stored batches: each batch the writer inserted, recorded once.

The writer inserts a batch into ClickHouse (with a deduplication token derived from the
batch id), then records it here, then acks. A redelivered batch is recorded once only, so the
stored count and row total are exact. Connections come from ``Database.tenant(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class BatchTotals:
    """How many distinct batches of a job were stored, and their rows."""

    batches: int
    rows: int


async def record_batch(
    conn: Any, job_id: UUID, batch_id: str, *, table_name: str, rows: int
) -> bool:
    """Record a stored batch; True if it is new, False if it was already recorded."""
    if not batch_id or rows < 0:
        raise ValueError("a batch needs an id and a non-negative row count")
    status = await conn.execute(
        """
        INSERT INTO job_batches (job_id, batch_id, table_name, rows)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (job_id, batch_id) DO NOTHING
        """,
        job_id,
        batch_id,
        table_name,
        rows,
    )
    return bool(status == "INSERT 0 1")


async def is_batch_recorded(conn: Any, job_id: UUID, batch_id: str) -> bool:
    """Whether the batch was already recorded as stored."""
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM job_batches WHERE job_id = $1 AND batch_id = $2)",
        job_id,
        batch_id,
    )
    return bool(found)


async def batch_totals(conn: Any, job_id: UUID) -> BatchTotals:
    """The number of distinct batches stored for the job and their total rows."""
    row = await conn.fetchrow(
        "SELECT count(*) AS batches, coalesce(sum(rows), 0) AS rows "
        "FROM job_batches WHERE job_id = $1",
        job_id,
    )
    return BatchTotals(int(row["batches"]), int(row["rows"]))
