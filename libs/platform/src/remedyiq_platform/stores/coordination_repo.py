"""The ingest service's coordination state of a job (see migration 0004)."""

from __future__ import annotations

from typing import Any
from uuid import UUID


async def set_batches_expected(conn: Any, job_id: UUID, batches: int) -> None:
    """Record how many batches the job's rows come in (set once the ranges are joined)."""
    await conn.execute(
        "UPDATE analysis_jobs SET batches_expected = $2 WHERE id = $1", job_id, batches
    )


async def batches_expected(conn: Any, job_id: UUID) -> int | None:
    value = await conn.fetchval("SELECT batches_expected FROM analysis_jobs WHERE id = $1", job_id)
    return int(value) if value is not None else None
