"""Health endpoints of a running service: readiness follows its checks, liveness does not.

A real :func:`serve` (uvicorn on a free port, a broker on the real NATS server) with a check
that can be made to fail, as a dependency outage would.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import httpx

from remedyiq_devstack.ports import free_port
from remedyiq_platform.health import HealthApp, run_checks
from remedyiq_platform.messaging import broker_ready, create_broker, publish
from remedyiq_platform.service import Service, serve

from .natsutil import progress


async def test_readiness_reflects_a_failing_check(streams: str) -> None:
    broker = create_broker(streams, name="contracts-health")
    postgres_down = False

    async def postgres() -> None:
        if postgres_down:
            raise ConnectionError("connection refused")

    service = Service(
        "writer", broker, checks={"nats": lambda: broker_ready(broker), "postgres": postgres}
    )
    port, stop = free_port(), asyncio.Event()
    running = asyncio.create_task(
        serve([service], health_host="127.0.0.1", health_port=port, stop_event=stop)
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            async with asyncio.timeout(10):
                while True:
                    try:
                        ready = await client.get("/readyz")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.02)
            assert ready.status_code == 200
            assert ready.json() == {
                "status": "ready",
                "checks": {"writer.nats": "ok", "writer.postgres": "ok"},
            }

            postgres_down = True
            not_ready = await client.get("/readyz")
            live = await client.get("/healthz")

            postgres_down = False
            ready_again = await client.get("/readyz")
    finally:
        stop.set()
        await running

    assert not_ready.status_code == 503
    assert not_ready.json() == {
        "status": "not ready",
        "checks": {"writer.nats": "ok", "writer.postgres": "ConnectionError: connection refused"},
    }
    assert (live.status_code, live.json()) == (200, {"status": "ok", "service": "writer"})
    assert ready_again.status_code == 200


async def test_a_draining_service_is_not_ready() -> None:
    async def ok() -> None:
        return None

    app = HealthApp("parser", {"nats": ok}, draining=lambda: True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://parser") as client:
        answer = await client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "checks": {"nats": "ok"}, "draining": True}


async def test_a_hanging_check_times_out() -> None:
    async def hangs() -> None:
        await asyncio.sleep(60)

    async def ok() -> None:
        return None

    results = await run_checks({"redis": hangs, "s3": ok}, timeout_s=0.05)
    assert results == {"redis": "timed out after 0.05s", "s3": "ok"}


async def test_before_stop_hooks_run_while_the_broker_still_publishes(
    streams: str, tenant_id: UUID
) -> None:
    """The gateway drains its HTTP requests in ``before_stop``: one of them may still publish
    (a job's submit), so the broker must not be stopped yet; ``on_stop`` comes after."""
    broker = create_broker(streams, name="contracts-stop-order")
    order: list[str] = []

    async def drain_http() -> None:
        sent = progress(tenant_id)
        await publish(broker, "jobs.progress", sent, tenant=str(tenant_id), msg_id=str(sent.job_id))
        order.append("published while draining")

    async def close_clients() -> None:
        order.append("clients closed")

    service = Service("gateway", broker, before_stop=[drain_http], on_stop=[close_clients])
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve([service], health_host="127.0.0.1", health_port=None, stop_event=stop)
    )
    await asyncio.sleep(0.2)
    stop.set()
    await running
    assert order == ["published while draining", "clients closed"]
