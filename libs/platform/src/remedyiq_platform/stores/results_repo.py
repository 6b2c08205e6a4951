"""Durable analysis results: the report of every section, kept with the job.

A dashboard opened a month later reads it from here (Redis only caches it). Connections come
from ``Database.tenant(...)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class AnalysisResult(BaseModel):
    """An ``analysis_results`` row: the report (JSON) and its metadata."""

    model_config = ConfigDict(frozen=True)

    job_id: UUID
    tenant_id: UUID
    report: dict[str, Any]
    meta: dict[str, Any]
    created_at: datetime
    updated_at: datetime


async def save_result(
    conn: Any, job_id: UUID, *, report: dict[str, Any], meta: dict[str, Any]
) -> AnalysisResult:
    """Store the job's result, replacing an earlier one (a rerun of the analysis)."""
    row = await conn.fetchrow(
        """
        INSERT INTO analysis_results (job_id, report, meta) VALUES ($1, $2, $3)
        ON CONFLICT (job_id) DO UPDATE SET report = excluded.report, meta = excluded.meta
        RETURNING *
        """,
        job_id,
        report,
        meta,
    )
    return AnalysisResult.model_validate(dict(row))


async def get_result(conn: Any, job_id: UUID) -> AnalysisResult | None:
    """The job's result, or None if there is none (yet) for this tenant."""
    row = await conn.fetchrow("SELECT * FROM analysis_results WHERE job_id = $1", job_id)
    return None if row is None else AnalysisResult.model_validate(dict(row))
