"""The launcher's one-process mode: ``create_service`` (the ``remedyiq.services`` entry point)
runs uvicorn inside the launcher's event loop, next to a shared ClickHouse, under ``serve``;
and settings come from the environment (REMEDYIQ_*)."""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points

import httpx
import pytest

from remedyiq_devstack import free_port
from remedyiq_gateway import app as gateway_app
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.service import serve

from .conftest import Gateway

pytestmark = pytest.mark.timeout(120)


def test_the_entry_point_is_create_service() -> None:
    found = {ep.name: ep for ep in entry_points(group="remedyiq.services")}
    assert found["gateway"].load() is gateway_app.create_service


async def test_service_serves_http_in_the_launchers_loop(gateway: Gateway) -> None:
    port = free_port()
    settings = gateway.settings.model_copy(update={"api_port": port})
    service = gateway_app.create_service(settings, clickhouse=gateway.resources.clickhouse)
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve([service], health_host="127.0.0.1", health_port=None, stop_event=stop)
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    ready = await client.get("/readyz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert ready.status_code == 200, ready.text
            assert (await client.get("/api/v1/health")).json()["status"] == "healthy"
            checks = {name: await check() for name, check in service.checks.items()}
            assert set(checks) == {"nats", "postgres", "clickhouse", "redis", "s3"}
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
    # drained and closed: the port is free again, the shared ClickHouse is still open
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")
    await gateway.resources.clickhouse.ping()


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, gateway: Gateway) -> None:
    env = {
        "REMEDYIQ_NATS_URL": "nats://127.0.0.1:4222",
        "REMEDYIQ_CLICKHOUSE_DSN": "chdb:///tmp/x",
        "REMEDYIQ_POSTGRES_DSN": "postgresql://app:pw@127.0.0.1/remedyiq",
        "REMEDYIQ_S3_BUCKET": "remedyiq",
        "REMEDYIQ_REDIS_URL": "redis://127.0.0.1:6379/0",
        "REMEDYIQ_API_PORT": "9090",
        "REMEDYIQ_AUTH_DEV_MODE": "true",
        "REMEDYIQ_AUTH_JWKS_URL": "https://clerk.example/.well-known/jwks.json",
        "REMEDYIQ_CORS_ORIGINS": '["http://localhost:5173"]',
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = GatewaySettings()
    assert settings.api_port == 9090
    assert settings.auth_dev_mode is True
    assert settings.s3.bucket == "remedyiq"
    assert settings.postgres.dsn.get_secret_value().endswith("/remedyiq")
    assert settings.cors_origins == ["http://localhost:5173"]
    monkeypatch.setenv("REMEDYIQ_ENVIRONMENT", "production")
    monkeypatch.setenv("REMEDYIQ_NATS_URL", "nats://nats:4222")
    with pytest.raises(ValueError, match="AUTH_DEV_MODE is refused"):
        GatewaySettings()
    monkeypatch.setenv("REMEDYIQ_AUTH_DEV_MODE", "false")
    with pytest.raises(ValueError, match="REMEDYIQ_AUTH_ISSUER"):
        GatewaySettings()
