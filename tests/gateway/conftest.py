"""The gateway against the real stack: NATS, PostgreSQL (RLS, app role), Redis, moto S3, chDB.

One gateway per test session, served by uvicorn on a free loopback port (real HTTP, so uploads,
SSE and WebSockets stream as they do in production), with a local identity provider (JWKS over
HTTP) and dev mode on. Tests isolate themselves by tenant: each test makes its own
organisations, so row-level security, tenant-prefixed keys and tenant-bound ClickHouse queries
keep every other test's data out of sight — which is also what the isolation tests check.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.postgres_server import (
    PlatformDatabase,
    PostgresServer,
    provision_platform_database,
)
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_devstack.redis_server import RedisServer
from remedyiq_devstack.s3_moto import MotoS3Server
from remedyiq_gateway.app import create_app, provision
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.http_server import EmbeddedServer, embedded
from remedyiq_gateway.resources import close_resources, open_resources
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.messaging import create_broker
from remedyiq_platform.stores.pgmigrate import migrate_up
from remedyiq_platform.stores.settings import PostgresSettings, RedisSettings, S3Settings

from .jwtkit import AUDIENCE, ISSUER, IdentityProvider, identity_provider

API = "/api/v1"


@dataclass
class Gateway:
    url: str  # http://127.0.0.1:port
    settings: GatewaySettings
    resources: Resources
    server: EmbeddedServer
    idp: IdentityProvider
    app: FastAPI
    admin_dsn: str  # the superuser on the platform database: test set-up only

    async def as_admin(self, sql: str, *args: object) -> None:
        """Run set-up SQL as an operator would (e.g. change a tenant's plan limits)."""
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()

    def client_of(self, **changes: object) -> httpx.AsyncClient:
        """A client of another app on the same clients, with some settings changed."""
        settings = self.settings.model_copy(update=changes)
        transport = httpx.ASGITransport(app=create_app(settings, self.resources))
        return httpx.AsyncClient(transport=transport, base_url="http://gw" + API, timeout=60)

    @property
    def api(self) -> str:
        return self.url + API


@dataclass
class Caller:
    """A tenant's user: dev-mode headers, its tenant id, an HTTP client on /api/v1."""

    org: str
    user: str
    tenant_id: UUID
    client: httpx.AsyncClient

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Dev-User-ID": self.user, "X-Dev-Tenant-ID": self.org}


@pytest.fixture(scope="session")
def gateway_nats() -> Iterator[NatsServer]:
    """The gateway tests' own NATS server: the jobs they submit (nobody consumes them) must not
    reach the durable consumers of other test suites on the session's server."""
    with NatsServer() as server:
        yield server


@pytest.fixture(scope="session")
def idp() -> Iterator[IdentityProvider]:
    with identity_provider() as provider:
        yield provider


@pytest.fixture(scope="session")
async def platform_db(postgres_server: PostgresServer) -> PlatformDatabase:
    """A migrated platform database (the owner DSN is for test set-up only)."""
    name = unique_name("gw")
    database = provision_platform_database(
        postgres_server,
        name,
        owner=unique_name("owner_"),
        owner_password=secrets.token_urlsafe(24),
        app_role=unique_name("app_"),
        app_password=secrets.token_urlsafe(24),
    )
    await migrate_up(
        database.owner_dsn, app_role=database.app_role, app_password=database.app_password
    )
    return database


def gateway_settings(
    *,
    nats_url: str,
    pg_dsn: str,
    redis_url: str,
    s3: MotoS3Server,
    bucket: str,
    chdb: Path,
    database: str,
    jwks_url: str,
    dev_mode: bool = True,
    **extra: object,
) -> GatewaySettings:
    endpoint = s3.endpoint
    return GatewaySettings(
        environment="development",
        nats_url=nats_url,
        clickhouse_dsn=f"chdb://{chdb}",
        clickhouse_database=database,
        api_host="127.0.0.1",
        api_port=0,
        auth_jwks_url=jwks_url,
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        auth_dev_mode=dev_mode,
        auth_jwks_min_refresh_s=0.5,
        postgres=PostgresSettings(dsn=pg_dsn, pool_max_size=20),
        s3=S3Settings(
            bucket=bucket,
            endpoint=endpoint.endpoint_url,
            access_key=endpoint.access_key,
            secret_key=endpoint.secret_key,
            region=endpoint.region,
            max_attempts=2,  # moto answers some malformed requests with a 500: fail fast
            read_timeout_s=15,
        ),
        redis=RedisSettings(url=redis_url),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
async def gateway(
    *,
    gateway_nats: NatsServer,
    postgres_server: PostgresServer,
    platform_db: PlatformDatabase,
    redis_server: RedisServer,
    s3_server: MotoS3Server,
    chdb_dir: Path,
    idp: IdentityProvider,
) -> AsyncIterator[Gateway]:
    bucket = s3_server.create_bucket(unique_name("gw-"))
    settings = gateway_settings(
        nats_url=gateway_nats.url,
        pg_dsn=platform_db.app_dsn,
        redis_url=redis_server.url_for_db(0),  # keys carry unique tenant ids: no collisions
        s3=s3_server,
        bucket=bucket,
        chdb=chdb_dir,
        database=unique_name("gw_"),
        jwks_url=idp.jwks_url,
    )
    broker = create_broker(settings.nats_url, name="gateway-tests")
    await broker.start()
    await provision(broker, settings)
    resources = await open_resources(settings, broker)
    await resources.clickhouse.migrate()
    app = create_app(settings, resources)
    server = embedded(app, "127.0.0.1", 0)
    await server.start()
    try:
        yield Gateway(
            f"http://127.0.0.1:{server.port}",
            settings,
            resources,
            server,
            idp,
            app,
            postgres_server.dsn_for(platform_db.database),
        )
    finally:
        await server.stop()
        await close_resources(resources)
        await broker.stop()
        s3_server.delete_bucket(bucket)


async def make_caller(gateway: Gateway, name: str) -> Caller:
    """A new organisation (tenant) and one of its users, authenticated in dev mode."""
    org = f"org_{name}_{secrets.token_hex(6)}"
    user = f"user_{name}"
    headers = {"X-Dev-User-ID": user, "X-Dev-Tenant-ID": org}
    client = httpx.AsyncClient(base_url=gateway.api, headers=headers, timeout=60)
    me = await client.get("/me")
    assert me.status_code == 200, me.text
    return Caller(org, user, UUID(me.json()["tenant_id"]), client)


@pytest.fixture
async def alice(gateway: Gateway) -> AsyncIterator[Caller]:
    """A user of tenant A."""
    caller = await make_caller(gateway, "a")
    yield caller
    await caller.client.aclose()


@pytest.fixture
async def bob(gateway: Gateway) -> AsyncIterator[Caller]:
    """A user of tenant B."""
    caller = await make_caller(gateway, "b")
    yield caller
    await caller.client.aclose()


# The real pipeline beside a gateway (end-to-end tests); imported last: it needs
# the fixtures above.
from .pipeline import own_nats, platform  # noqa: E402, F401
from .seeded import seeded  # noqa: E402, F401
