"""First checks: the app serves, health and readiness, who am I."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from .conftest import Caller, Gateway


async def test_health_and_readiness(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": "gateway"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == dict.fromkeys(
            ("nats", "postgres", "clickhouse", "redis", "s3"), "ok"
        )
        health = await client.get("/api/v1/health")
        assert health.json()["status"] == "healthy"


async def test_me(alice: Caller) -> None:
    me = (await alice.client.get("/me")).json()
    assert me["via"] == "dev"
    assert me["user_id"] == alice.user
    assert me["tenant_id"] == str(alice.tenant_id)


async def test_request_size_guard_and_headers(alice: Caller) -> None:
    big = {"name": "x", "kql_query": "", "filters": {"blob": "x" * (2 * 1024 * 1024)}}
    response = await alice.client.post("/search/saved", json=big)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.headers["x-content-type-options"] == "nosniff"
    missing = await alice.client.get("/no/such/path")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "Not Found"}


async def test_a_streamed_body_is_cut_at_the_limit(alice: Caller) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "x", "kql_query": "", "filters": {"blob": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}}'

    response = await alice.client.post(
        "/search/saved", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
