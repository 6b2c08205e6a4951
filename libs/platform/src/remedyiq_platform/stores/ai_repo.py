"""AI interactions: each skill request, its answer and the log lines it cited.

Connections come from ``Database.tenant(...)``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from remedyiq_platform.stores.errors import ConflictError, NotFoundError


class AiStatus(StrEnum):
    """Status of an AI interaction."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETE = "complete"
    FAILED = "failed"


class AiInteraction(BaseModel):
    """An ``ai_interactions`` row."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    tenant_id: UUID
    job_id: UUID | None
    user_id: str
    skill_name: str
    input_text: str
    output_text: str | None
    referenced_lines: list[Any]
    tokens_used: int | None
    latency_ms: int | None
    status: AiStatus
    created_at: datetime
    updated_at: datetime


def _interaction(row: Any) -> AiInteraction:
    return AiInteraction.model_validate(dict(row))


async def create_interaction(
    conn: Any, *, user_id: str, skill_name: str, input_text: str, job_id: UUID | None = None
) -> AiInteraction:
    """Record a new (pending) skill request."""
    row = await conn.fetchrow(
        """
        INSERT INTO ai_interactions (user_id, skill_name, input_text, job_id)
        VALUES ($1, $2, $3, $4)
        RETURNING *
        """,
        user_id,
        skill_name,
        input_text,
        job_id,
    )
    return _interaction(row)


async def finish_interaction(
    conn: Any,
    interaction_id: UUID,
    *,
    status: AiStatus,
    output_text: str | None = None,
    referenced_lines: list[Any] | None = None,
    tokens_used: int | None = None,
    latency_ms: int | None = None,
) -> AiInteraction:
    """Store the answer (or failure) of a pending or processing interaction."""
    row = await conn.fetchrow(
        """
        UPDATE ai_interactions
        SET status = $2, output_text = $3, referenced_lines = coalesce($4, referenced_lines),
            tokens_used = $5, latency_ms = $6
        WHERE id = $1 AND status IN ('pending', 'processing')
        RETURNING *
        """,
        interaction_id,
        str(status),
        output_text,
        referenced_lines,
        tokens_used,
        latency_ms,
    )
    if row is not None:
        return _interaction(row)
    if await conn.fetchval("SELECT 1 FROM ai_interactions WHERE id = $1", interaction_id):
        raise ConflictError(f"AI interaction {interaction_id} is already finished")
    raise NotFoundError(f"AI interaction {interaction_id} not found")


async def list_interactions(
    conn: Any, *, job_id: UUID | None = None, limit: int = 50
) -> list[AiInteraction]:
    """The tenant's most recent interactions (of one job if given), newest first."""
    rows = await conn.fetch(
        """
        SELECT * FROM ai_interactions
        WHERE $1::uuid IS NULL OR job_id = $1
        ORDER BY created_at DESC, id DESC
        LIMIT $2
        """,
        job_id,
        limit,
    )
    return [_interaction(row) for row in rows]
