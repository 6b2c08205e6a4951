"""Live progress over SSE and the MVP WebSocket, fed by JobProgress/JobComplete messages
published on the real NATS server — and never another tenant's."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from remedyiq_gateway.app import create_app
from remedyiq_gateway.http_server import embedded
from remedyiq_platform.contracts.messages import JobComplete, JobCounts, JobProgress
from remedyiq_platform.contracts.subjects import MESSAGE_HEADER, TENANT_HEADER, subject
from remedyiq_platform.messaging import publish

from .conftest import Caller, Gateway
from .seed import upload

pytestmark = pytest.mark.timeout(60)


async def new_job(caller: Caller) -> str:
    file = await upload(caller.client)
    job = await caller.client.post("/analysis", json={"file_id": file["id"]})
    return str(job.json()["id"])


def progress(tenant: UUID, job: str, pct: int, stage: str = "parsing") -> JobProgress:
    return JobProgress(
        job_id=UUID(job),
        tenant_id=tenant,
        status="parsing",
        progress_pct=pct,
        stage=stage,
        bytes_total=1000,
        bytes_parsed=pct * 10,
        at=datetime.now(UTC),
    )


def complete(tenant: UUID, job: str) -> JobComplete:
    return JobComplete(
        job_id=UUID(job),
        tenant_id=tenant,
        status="complete",
        counts=JobCounts(total_lines=10, api_count=4, sql_count=3, filter_count=2, esc_count=1),
        duration_s=1.5,
        at=datetime.now(UTC),
    )


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    kind, data = "", ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and kind:
            yield kind, json.loads(data)
            kind, data = "", ""


async def test_sse_relays_the_jobs_events_and_ends_with_complete(
    gateway: Gateway, alice: Caller, bob: Caller
) -> None:
    broker = gateway.resources.broker
    job, other_job = await new_job(alice), await new_job(alice)
    bobs_job = await new_job(bob)
    received: list[tuple[str, dict[str, Any]]] = []
    async with alice.client.stream("GET", f"/analysis/{job}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
        received.append(await anext(events))  # the snapshot: subscribed before it was read
        await publish(
            broker,
            "jobs.progress",
            progress(alice.tenant_id, other_job, 10),
            tenant=str(alice.tenant_id),
        )
        await publish(
            broker,
            "jobs.progress",
            progress(bob.tenant_id, bobs_job, 20),
            tenant=str(bob.tenant_id),
        )
        await publish(
            broker, "jobs.progress", progress(alice.tenant_id, job, 40), tenant=str(alice.tenant_id)
        )
        await publish(
            broker, "jobs.complete", complete(alice.tenant_id, job), tenant=str(alice.tenant_id)
        )
        async with asyncio.timeout(10):
            received += [event async for event in events]
    assert [kind for kind, _ in received] == ["job_progress", "job_progress", "job_complete"]
    assert received[0][1]["status"] == "queued"
    assert received[1][1]["progress_pct"] == 40
    assert received[1][1]["job_id"] == job
    assert received[2][1]["api_count"] == 4


async def test_sse_answers_404_for_another_tenants_job_and_401_without_auth(
    gateway: Gateway, alice: Caller, bob: Caller
) -> None:
    job = await new_job(alice)
    assert (await bob.client.get(f"/analysis/{job}/events")).status_code == 404
    async with httpx.AsyncClient(base_url=gateway.api) as anonymous:
        assert (await anonymous.get(f"/analysis/{job}/events")).status_code == 401
        # EventSource cannot send headers: ?token= works
        token = gateway.idp.token(org=alice.org)
        async with anonymous.stream("GET", f"/analysis/{job}/events?token={token}") as response:
            assert response.status_code == 200
            kind, _ = await anext(sse_events(response))
            assert kind == "job_progress"


async def test_forged_tenant_headers_are_dropped(
    gateway: Gateway, alice: Caller, bob: Caller
) -> None:
    job = await new_job(alice)
    hub = gateway.app.state.hub
    async with hub.listen(alice.tenant_id) as listener:
        forged = progress(alice.tenant_id, job, 99)
        connection = gateway.resources.broker.connection
        await connection.publish(
            subject("jobs.progress", alice.tenant_id),
            forged.model_dump_json().encode(),
            headers={TENANT_HEADER: str(bob.tenant_id), MESSAGE_HEADER: "JobProgress.v1"},
        )
        await publish(
            gateway.resources.broker,
            "jobs.progress",
            progress(alice.tenant_id, job, 50),
            tenant=str(alice.tenant_id),
        )
        async with asyncio.timeout(5):
            event = await listener.queue.get()
        assert event.progress_pct == 50  # the forged one never arrived
        assert listener.queue.empty()


def ws_url(gateway: Gateway, token: str | None) -> str:
    base = gateway.url.replace("http://", "ws://") + "/api/v1/ws"
    return base if token is None else f"{base}?token={token}"


async def receive(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(10):
        message: dict[str, Any] = json.loads(await ws.recv())
    return message


async def test_websocket_protocol(gateway: Gateway, alice: Caller, bob: Caller) -> None:
    broker = gateway.resources.broker
    job = await new_job(alice)
    bobs_job = await new_job(bob)
    token = gateway.idp.token(org=alice.org, sub=alice.user)
    async with connect(ws_url(gateway, token)) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert await receive(ws) == {"type": "pong"}
        await ws.send(json.dumps({"type": "subscribe_job_progress", "payload": {"job_id": job}}))
        snapshot = await receive(ws)
        assert snapshot["type"] == "job_progress"
        assert snapshot["payload"]["status"] == "queued"
        # another tenant's job: exactly the MVP's error
        await ws.send(
            json.dumps({"type": "subscribe_job_progress", "payload": {"job_id": bobs_job}})
        )
        error = await receive(ws)
        assert error["type"] == "error"
        assert error["payload"]["code"] == "subscription_failed"
        assert error["payload"]["message"] == "Job not found"
        await publish(
            broker,
            "jobs.progress",
            progress(bob.tenant_id, bobs_job, 33),
            tenant=str(bob.tenant_id),
        )
        await publish(
            broker,
            "jobs.progress",
            progress(alice.tenant_id, job, 60, "storing"),
            tenant=str(alice.tenant_id),
        )
        update = await receive(ws)
        assert update["type"] == "job_progress"
        assert update["payload"]["progress_pct"] == 60
        assert update["payload"]["job_id"] == job
        await publish(
            broker, "jobs.complete", complete(alice.tenant_id, job), tenant=str(alice.tenant_id)
        )
        done = await receive(ws)
        assert done["type"] == "job_complete"
        assert done["payload"]["sql_count"] == 3
        await ws.send(json.dumps({"type": "subscribe_live_tail", "payload": {"job_id": job}}))
        assert (await receive(ws))["payload"]["code"] == "not_available"
        await ws.send("not json")
        assert (await receive(ws))["payload"]["code"] == "invalid_message"
        await ws.send(json.dumps({"type": "subscribe_job_progress", "payload": {"job_id": "x"}}))
        assert (await receive(ws))["payload"]["code"] == "invalid_message"


async def test_websocket_limits_and_auth(gateway: Gateway, alice: Caller) -> None:
    with pytest.raises(InvalidStatus):
        async with connect(ws_url(gateway, None)):
            pass
    with pytest.raises(InvalidStatus):
        async with connect(ws_url(gateway, "riq_" + "x" * 32)):
            pass
    token = (await alice.client.post("/tokens", json={"name": "ws"})).json()["token"]
    jobs = [await new_job(alice) for _ in range(gateway.settings.ws_max_subscriptions + 1)]
    async with connect(ws_url(gateway, token)) as ws:
        for job in jobs:
            await ws.send(
                json.dumps({"type": "subscribe_job_progress", "payload": {"job_id": job}})
            )
            reply = await receive(ws)
        assert reply["payload"]["code"] == "too_many_subscriptions"


async def test_websocket_closes_an_idle_connection(gateway: Gateway, alice: Caller) -> None:
    settings = gateway.settings.model_copy(update={"ws_idle_timeout_s": 0.5})
    server = embedded(create_app(settings, gateway.resources), "127.0.0.1", 0)
    await server.start()
    try:
        token = gateway.idp.token(org=alice.org)
        url = f"ws://127.0.0.1:{server.port}/api/v1/ws?token={token}"
        async with connect(url) as ws:
            async with asyncio.timeout(5):
                await ws.wait_closed()
            assert ws.close_code == 4408
    finally:
        await server.stop()
