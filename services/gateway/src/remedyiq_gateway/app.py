"""The gateway's composition root: settings → clients → FastAPI app → HTTP server.

* :func:`create_app` builds the app. Given ``resources`` it uses them (the launcher and tests
  own them); without, its lifespan opens them (and a broker) and closes them at shutdown — so
  ``uvicorn --factory remedyiq_gateway.app:app_from_env`` runs it on its own.
* :func:`create_service` is the launcher's entry point (``remedyiq.services: gateway``): a
  :class:`~remedyiq_platform.service.Service` whose hooks open the clients, then start uvicorn
  on ``REMEDYIQ_HTTP_PORT`` (8080) inside the launcher's event loop, and stop both on drain.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from faststream.nats import NatsBroker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from remedyiq_gateway import __version__
from remedyiq_gateway.auth import Authenticator
from remedyiq_gateway.background import Background
from remedyiq_gateway.bodylimit import BodyLimitMiddleware
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import install_error_handlers
from remedyiq_gateway.events import ProgressHub
from remedyiq_gateway.http_server import EmbeddedServer, embedded
from remedyiq_gateway.openapi import customise_openapi
from remedyiq_gateway.resources import close_resources, open_resources, readiness_checks
from remedyiq_gateway.routes import API_ROUTERS, ROOT_ROUTERS
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.health import Check
from remedyiq_platform.messaging import create_broker, provision_streams
from remedyiq_platform.service import Service

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def create_app(
    settings: GatewaySettings,
    resources: Resources | None = None,
    *,
    authenticator: Authenticator | None = None,
) -> FastAPI:
    """The FastAPI app (see the module docstring)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        broker: NatsBroker | None = None
        if app.state.resources is None:
            broker = _broker(settings)
            await broker.start()
            await provision(broker, settings)
            app.state.resources = await open_resources(settings, broker)
        try:
            yield
        finally:
            await app.state.background.aclose()
            if broker is not None:
                await close_resources(app.state.resources)
                await broker.stop()
                app.state.resources = None

    app = FastAPI(
        title="RemedyIQ API",
        version=__version__,
        description="Analyse BMC Remedy AR System server logs: upload, jobs, dashboards, KQL "
        "search, transactions and traces, reports. Every path is under /api/v1.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=f"{API_PREFIX}/redoc",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.resources = resources
    app.state.authenticator = authenticator or Authenticator(settings)
    app.state.hub = ProgressHub(lambda: _resources(app).broker)
    app.state.background = Background()
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_json_body_bytes,
        exempt=[f"{API_PREFIX}/files/upload"],
    )
    app.add_middleware(NoSniffMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
            expose_headers=["Retry-After", "Content-Disposition", "X-Result-Count"],
            allow_credentials=False,
        )
    for router in ROOT_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    customise_openapi(app)
    return app


class NoSniffMiddleware:
    """``X-Content-Type-Options: nosniff`` on every answer: a browser never guesses a type
    (a log line served as text must not be run as HTML). Pure ASGI: streams pass through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


def _resources(app: FastAPI) -> Resources:
    resources: Resources | None = app.state.resources
    if resources is None:
        raise RuntimeError("the gateway's clients are not open")
    return resources


def _broker(settings: GatewaySettings) -> NatsBroker:
    return create_broker(
        settings.nats_url, name="gateway", drain_timeout_s=settings.drain_timeout_s
    )


async def provision(broker: NatsBroker, settings: GatewaySettings) -> None:
    """Create or update the JetStream streams (idempotent; every service may do it)."""
    await provision_streams(broker.connection.jetstream(), settings.nats_stream_replicas)


def app_from_env() -> FastAPI:
    """``uvicorn --factory remedyiq_gateway.app:app_from_env``: settings from the environment."""
    return create_app(GatewaySettings())


class _Runtime:
    """What the service's hooks share: the open clients and the HTTP server."""

    resources: Resources | None = None
    server: EmbeddedServer | None = None


def create_service(
    settings: GatewaySettings | None = None, *, clickhouse: ClickHouse | None = None
) -> Service:
    """The gateway as a launcher service: clients, then uvicorn in the same event loop.

    ``clickhouse``: an engine shared with the other services of this process (the embedded
    engine allows one per process); the gateway then neither opens nor closes it.
    """
    settings = settings or GatewaySettings()
    broker = _broker(settings)
    runtime = _Runtime()

    async def start_http() -> None:
        await provision(broker, settings)
        runtime.resources = await open_resources(settings, broker, clickhouse=clickhouse)
        app = create_app(settings, runtime.resources)
        runtime.server = embedded(app, settings.api_host, settings.api_port)
        await runtime.server.start()
        if settings.auth_dev_mode:
            logger.warning(
                "gateway: DEV AUTH MODE is on: X-Dev-User-ID / X-Dev-Tenant-ID are trusted"
            )
        logger.info(
            "gateway: API on http://%s:%d%s/docs",
            settings.api_host,
            runtime.server.port,
            API_PREFIX,
        )

    async def stop_http() -> None:
        if runtime.server is not None:
            await runtime.server.stop()
            runtime.server = None

    async def close_clients() -> None:
        if runtime.resources is not None:
            await close_resources(runtime.resources, close_clickhouse=clickhouse is None)
            runtime.resources = None

    def check(name: str) -> Check:
        async def run() -> Any:
            if runtime.resources is None:
                raise RuntimeError("not started")
            return await readiness_checks(runtime.resources)[name]()

        return run

    return Service(
        name="gateway",
        broker=broker,
        after_start=[start_http],
        before_stop=[stop_http],  # requests in flight may still publish (a job's submit)
        on_stop=[close_clients],
        checks={name: check(name) for name in ("nats", "postgres", "clickhouse", "redis", "s3")},
    )
