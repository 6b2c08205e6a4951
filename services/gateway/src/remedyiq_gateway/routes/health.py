"""Liveness and readiness: ``/healthz`` (the process serves), ``/readyz`` (every dependency
answers: NATS, PostgreSQL, ClickHouse, Redis, S3), and the MVP's ``/api/v1/health``."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from remedyiq_gateway import __version__
from remedyiq_gateway.deps import resources_of
from remedyiq_gateway.resources import readiness_checks
from remedyiq_platform.health import run_checks

logger = logging.getLogger(__name__)
probes = APIRouter(tags=["Health"])
router = APIRouter(tags=["Health"])


class Health(BaseModel):
    status: Literal["healthy"]
    version: str


class Liveness(BaseModel):
    status: Literal["ok"]
    service: str


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]


@router.get(
    "/health",
    operation_id="healthCheck",
    summary="Health check",
    response_model=Health,
    openapi_extra={"security": []},
)
async def health() -> Health:
    return Health(status="healthy", version=__version__)


@probes.get(
    "/healthz",
    operation_id="liveness",
    summary="Liveness: the process serves requests",
    response_model=Liveness,
    openapi_extra={"security": []},
)
async def healthz() -> Liveness:
    return Liveness(status="ok", service="gateway")


@probes.get(
    "/readyz",
    operation_id="readiness",
    summary="Readiness: NATS, PostgreSQL, ClickHouse, Redis and S3 answer",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "a dependency is down"}},
    openapi_extra={"security": []},
)
async def readyz(request: Request) -> JSONResponse:
    results = await run_checks(readiness_checks(resources_of(request)))
    for name, outcome in results.items():
        if outcome != "ok":  # the details stay in the log: this endpoint is public
            logger.warning("readiness: %s is unavailable: %s", name, outcome)
    checks = {name: "ok" if v == "ok" else "unavailable" for name, v in results.items()}
    ready = all(value == "ok" for value in checks.values())
    body = Readiness(status="ready" if ready else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
