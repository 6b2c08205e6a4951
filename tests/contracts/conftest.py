"""Fixtures for the contract tests that talk to the session's real NATS server.

They publish on the registry's real subjects and streams (provisioned exactly as the services
do it) and isolate themselves by tenant: every test gets a fresh tenant id, so its subjects
(``jobs.<tenant>.…``) are its own. They use only subjects that no service consumes through a
durable consumer (progress, complete, dlq), so nothing they leave in a stream reaches a service
started by a later test, and they delete the consumers they create.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from uuid import UUID, uuid4

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_platform.messaging import provision_streams


@pytest.fixture(scope="session")
async def streams(nats_server: NatsServer) -> str:
    """The registry's streams on the session's NATS server; returns its URL."""
    client = await nats.connect(nats_server.url)
    try:
        await provision_streams(client.jetstream(), replicas=1)
    finally:
        await client.close()
    return nats_server.url


@pytest.fixture
async def js(streams: str) -> AsyncIterator[JetStreamContext]:
    """A plain nats-py JetStream context (to look into streams, and to publish raw messages)."""
    client: Client = await nats.connect(streams)
    try:
        yield client.jetstream()
    finally:
        await client.close()


@pytest.fixture
def tenant_id() -> UUID:
    return uuid4()


@pytest.fixture
async def durable(js: JetStreamContext) -> AsyncIterator[Callable[[], str]]:
    """Names for this test's durable consumers (on the JOBS stream), deleted afterwards."""
    names: list[str] = []

    def make() -> str:
        names.append(unique_name("contracts-"))
        return names[-1]

    yield make
    for name in names:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await js.delete_consumer("JOBS", name)
