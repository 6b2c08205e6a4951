"""Live job progress over Server-Sent Events, fed from ``jobs.{tenant}.progress|complete``.

The stream starts with the job's current state (so a client that connects late, or reconnects,
is up to date), then relays each event of that job, and ends after ``job_complete``. Event
names and payloads are the MVP WebSocket protocol's (``job_progress``, ``job_complete``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from remedyiq_gateway.auth import StreamPrincipalDep
from remedyiq_gateway.deps import Principal, ResourcesDep
from remedyiq_gateway.errors import not_found, responses
from remedyiq_gateway.events import ProgressHub
from remedyiq_gateway.jobview import event_frame, load_job, snapshot_event
from remedyiq_platform.contracts.messages import JobComplete

router = APIRouter(prefix="/analysis", tags=["Analysis"])


async def _existing_job(
    job_id: UUID, principal: StreamPrincipalDep, resources: ResourcesDep
) -> Principal:
    """404 before the stream starts (a generator cannot change the status once it runs)."""
    if await load_job(resources.db, resources.status, principal.tenant_id, job_id) is None:
        raise not_found("job", job_id)
    return principal


@router.get(
    "/{job_id}/events",
    operation_id="streamAnalysisEvents",
    summary="Live progress of a job (SSE: job_progress, job_complete); ?token= is accepted",
    response_class=EventSourceResponse,
    responses=responses(404),
)
async def stream_events(
    job_id: UUID,
    request: Request,
    principal: Annotated[Principal, Depends(_existing_job)],
    resources: ResourcesDep,
) -> AsyncIterator[ServerSentEvent]:
    hub: ProgressHub = request.app.state.hub
    tenant = principal.tenant_id
    async with hub.listen(tenant, jobs={job_id}) as listener:
        job = await load_job(resources.db, resources.status, tenant, job_id)
        if job is None:  # deleted meanwhile
            return
        kind, payload = snapshot_event(job)
        yield ServerSentEvent(event=kind, data=payload)
        if kind == "job_complete":
            return
        while True:
            try:
                event = await asyncio.wait_for(listener.queue.get(), timeout=30)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                continue
            kind, payload = event_frame(event)
            yield ServerSentEvent(event=kind, data=payload)
            if isinstance(event, JobComplete):
                return
