"""One routes module per resource; ``API_ROUTERS`` are mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from remedyiq_gateway.routes import (
    ai,
    dashboard,
    entries,
    files,
    health,
    insights,
    jobs,
    me,
    progress,
    reports,
    saved_searches,
    search,
    tokens,
    traces,
    uploads,
    ws,
)

ROOT_ROUTERS: list[APIRouter] = [health.probes]
API_ROUTERS: list[APIRouter] = [
    health.router,
    me.router,
    tokens.router,
    uploads.router,
    files.router,
    jobs.router,
    progress.router,
    ws.router,
    insights.router,  # before dashboard: fixed paths under /dashboard/
    dashboard.router,
    search.router,
    saved_searches.router,
    entries.router,
    traces.router,
    reports.router,
    ai.router,
]
