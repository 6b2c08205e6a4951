"""Opening and closing the gateway's clients, and the readiness checks over them."""

from __future__ import annotations

import contextlib
from uuid import UUID

from faststream.nats import NatsBroker

from remedyiq_gateway.deps import Resources
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.health import Check
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.objects_keys import tenant_prefix
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.status import StatusCache

# A tenant id no tenant has (random, fixed): the S3 readiness check asks for an object under
# it, which exercises the connection, the credentials and the bucket without any real data.
_PROBE_TENANT = UUID("7e3a2f5c-0d4b-4e8a-9c61-5b0f2d9e8a17")


async def open_resources(
    settings: GatewaySettings, broker: NatsBroker, *, clickhouse: ClickHouse | None = None
) -> Resources:
    """Connect PostgreSQL, S3, Redis and ClickHouse (the broker is started by its owner;
    a ``clickhouse`` given is shared with other services and used as it is)."""
    async with contextlib.AsyncExitStack() as stack:
        db = await Database.from_settings(settings.postgres, application_name="remedyiq-gateway")
        stack.push_async_callback(db.close)
        objects = await ObjectStore.from_settings(settings.s3)
        stack.push_async_callback(objects.close)
        status = StatusCache.from_settings(settings.redis)
        stack.push_async_callback(status.close)
        clickhouse = ClickHouse(
            settings.clickhouse_dsn.get_secret_value(), settings.clickhouse_database
        )
        await clickhouse.connect()
        stack.push_async_callback(clickhouse.close)
        resources = Resources(db, objects, status, clickhouse, broker, settings.s3.bucket)
        stack.pop_all()  # success: the caller owns them now
        return resources
    raise AssertionError("unreachable")  # pragma: no cover - the block returns or raises


async def close_resources(resources: Resources, *, close_clickhouse: bool = True) -> None:
    """Close what :func:`open_resources` opened (not the broker), each even if one fails."""
    closers = [resources.status.close, resources.objects.close, resources.db.close]
    if close_clickhouse:
        closers.insert(0, resources.clickhouse.close)
    for close in closers:
        with contextlib.suppress(Exception):
            await close()


def readiness_checks(resources: Resources) -> dict[str, Check]:
    """One check per dependency, as ``/readyz`` and the launcher's health server run them."""

    async def postgres() -> None:
        async with resources.db.system() as conn:
            await conn.fetchval("SELECT 1")

    async def nats() -> None:
        await resources.broker.connection.flush(timeout=2)

    async def clickhouse() -> None:
        await resources.clickhouse.ping()

    async def redis() -> None:
        await resources.status.redis.ping()

    async def s3() -> None:
        await resources.objects.head(_PROBE_TENANT, f"{tenant_prefix(_PROBE_TENANT)}probe")

    return {
        "nats": nats,
        "postgres": postgres,
        "clickhouse": clickhouse,
        "redis": redis,
        "s3": s3,
    }
