"""The real pipeline (ingest, parser, writer services) beside a gateway, on a NATS server of its
own: fixtures for the end-to-end tests."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from remedyiq_devstack.nats_server import NatsServer
from remedyiq_gateway.app import create_app, provision
from remedyiq_gateway.http_server import embedded
from remedyiq_ingest.app import create_service as ingest_service
from remedyiq_ingest.settings import IngestRuntime, IngestSettings
from remedyiq_parser.app import create_service as parser_service
from remedyiq_parser.settings import ParserRuntime, ParserSettings
from remedyiq_platform.messaging import create_broker
from remedyiq_platform.service import Service
from remedyiq_writer.app import create_service as writer_service
from remedyiq_writer.settings import WriterRuntime, WriterSettings

from .conftest import Gateway


@pytest.fixture(scope="module")
def own_nats() -> Iterator[NatsServer]:
    """A NATS server for this module alone: the services' durable consumers must not pick up
    the submissions the other gateway tests left in the session server's streams."""
    with NatsServer() as server:
        yield server


@pytest.fixture
async def platform(gateway: Gateway, own_nats: NatsServer, tmp_path: Path) -> AsyncIterator[str]:
    """The pipeline services and a gateway on ``own_nats``; yields the gateway's API URL."""
    settings = gateway.settings.model_copy(update={"nats_url": own_nats.url})
    clickhouse = gateway.resources.clickhouse
    dsn, database = settings.clickhouse_dsn, settings.clickhouse_database
    ingest = IngestRuntime(nats_url=own_nats.url, clickhouse_dsn=dsn, clickhouse_database=database)
    writer = WriterRuntime(nats_url=own_nats.url, clickhouse_dsn=dsn, clickhouse_database=database)
    services: list[Service] = [
        ingest_service(
            IngestSettings(ingest, settings.postgres, settings.s3, settings.redis),
            clickhouse=clickhouse,
        ),
        parser_service(
            ParserSettings(
                ParserRuntime(nats_url=own_nats.url, parser_work_dir=str(tmp_path)), settings.s3
            )
        ),
        writer_service(WriterSettings(writer, settings.postgres), clickhouse=clickhouse),
    ]
    broker = create_broker(own_nats.url, name="gateway-e2e")
    await broker.start()
    await provision(broker, settings)
    started: list[Service] = []
    resources = dataclasses.replace(gateway.resources, broker=broker)
    server = embedded(create_app(settings, resources), "127.0.0.1", 0)
    try:
        for service in services:
            await service.start()
            started.append(service)
        await server.start()
        yield f"http://127.0.0.1:{server.port}/api/v1"
    finally:
        await server.stop()
        for service in reversed(started):
            await service.stop()
        await broker.stop()
