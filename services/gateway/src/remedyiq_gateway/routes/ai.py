"""The MVP's ``POST /analysis/{job_id}/ai``: room for the AI service (ai.md).

Rate limited per user (``rate:{tenant}:ai:{user}``, 429 + Retry-After). Until the ai service
and its ``ai.{tenant}.request`` subject exist, it answers 503 ``ai_unavailable`` — as the MVP
contract declares for an unavailable AI service.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import ApiError, not_found, responses
from remedyiq_gateway.limits import enforce, user_key
from remedyiq_platform.stores import jobs_repo

router = APIRouter(prefix="/analysis", tags=["AI"])


class AIQueryRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    job_id: UUID
    skill: Literal[
        "nl_query", "error_explainer", "root_cause", "performance", "anomaly", "summarizer"
    ] = "nl_query"


class AIReference(BaseModel):
    line_number: int | None = None
    file_number: int | None = None
    timestamp: str | None = None
    summary: str | None = None
    relevance: str | None = None


class AIQueryResponse(BaseModel):
    id: UUID
    answer: str
    references: list[AIReference]
    confidence: Literal["high", "medium", "low"]
    follow_up_questions: list[str]
    tokens_used: int
    latency_ms: int


@router.post(
    "/{job_id}/ai",
    operation_id="queryAI",
    summary="Ask AI about logs",
    response_model=AIQueryResponse,
    responses=responses(404, 429, 503),
)
async def query_ai(
    job_id: UUID,
    body: AIQueryRequest,
    principal: PrincipalDep,
    resources: ResourcesDep,
    settings: SettingsDep,
) -> AIQueryResponse:
    if body.job_id != job_id:
        raise ApiError(422, "invalid_request", "job_id in the body differs from the path")
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        if await jobs_repo.get_job(conn, job_id) is None:
            raise not_found("job", job_id)
    await enforce(
        resources.status,
        principal.tenant_id,
        ("ai", user_key(principal.user_id)),
        limit=settings.ai_rate_limit,
        window_s=settings.ai_rate_window_s,
    )
    raise ApiError(503, "ai_unavailable", "the AI service is not available on this server yet")
