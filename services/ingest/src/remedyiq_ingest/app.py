"""Composition root of the ingest service (the job coordinator)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from faststream import AckPolicy, Context
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.message import NatsMessage

from remedyiq_ingest import completion, intake
from remedyiq_ingest.jobstate import IngestDeps
from remedyiq_ingest.settings import IngestSettings
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.contracts.subjects import wildcard
from remedyiq_platform.messaging import (
    broker_ready,
    create_broker,
    keep_in_progress,
    provision_streams_of,
)
from remedyiq_platform.service import Service
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.status import StatusCache
from remedyiq_platform.telemetry import tracer_provider

Message = Annotated[NatsMessage, Context("message")]
Handler = Callable[[Message], Awaitable[None]]


def _consumer(
    broker: NatsBroker, key: str, durable: str, ack_wait: float
) -> Callable[[Handler], object]:
    """A durable pull consumer of one subject of the JOBS stream, acknowledged by hand.

    A handler tells JetStream it is still working (joining or analysing a large job takes
    longer than ``ack_wait``); a message the handler of a crashed process held is delivered
    again after ``ack_wait``, and every step redone is idempotent.
    """
    return broker.subscriber(
        wildcard(key),
        stream=JStream("JOBS", declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=1, timeout=5.0),
        config=ConsumerConfig(ack_wait=ack_wait, max_ack_pending=256),
        ack_policy=AckPolicy.MANUAL,
    )


def register(broker: NatsBroker, deps: IngestDeps, ack_wait: float = 30.0) -> None:
    @_consumer(broker, "jobs.submit", intake.CONSUMER, ack_wait)
    async def on_submit(message: Message) -> None:
        async with keep_in_progress([message.raw_message], ack_wait):
            await intake.on_submit(message.raw_message, deps)

    @_consumer(broker, "jobs.cancel", "ingest-cancel", ack_wait)
    async def on_cancel(message: Message) -> None:
        await intake.on_cancel(message.raw_message, deps)

    @_consumer(broker, "jobs.parsed", "ingest-parsed", ack_wait)
    async def on_parsed(message: Message) -> None:
        async with keep_in_progress([message.raw_message], ack_wait):
            await completion.on_parsed(message.raw_message, deps)

    @_consumer(broker, "jobs.stored", "ingest-stored", ack_wait)
    async def on_stored(message: Message) -> None:
        async with keep_in_progress([message.raw_message], ack_wait):
            await completion.on_stored(message.raw_message, deps)


def create_service(
    settings: IngestSettings | None = None, *, clickhouse: ClickHouse | None = None
) -> Service:
    """The ingest service; ``clickhouse`` lets the one-process local mode share its engine."""
    settings = settings or IngestSettings.from_env()
    runtime = settings.runtime
    broker = create_broker(
        runtime.nats_url,
        name="remedyiq-ingest",
        tracer=tracer_provider("remedyiq-ingest"),
        drain_timeout_s=runtime.drain_timeout_s,
    )
    own_clickhouse = clickhouse is None
    store = clickhouse or ClickHouse(
        runtime.clickhouse_dsn.get_secret_value(), runtime.clickhouse_database
    )
    deps = IngestDeps(
        broker=broker,
        clickhouse=store,
        range_bytes=runtime.ingest_range_bytes,
        batch_rows=runtime.ingest_batch_rows,
    )
    register(broker, deps, runtime.nats_ack_wait_s)

    async def open_clients() -> None:
        if own_clickhouse:
            await store.connect()
        deps.db = await Database.from_settings(
            settings.postgres, application_name="remedyiq-ingest"
        )
        deps.objects = await ObjectStore.from_settings(settings.s3)
        deps.status = StatusCache.from_settings(settings.redis)

    async def close_clients() -> None:
        await deps.cache.close()
        await deps.store.close()
        await deps.database.close()
        if own_clickhouse:
            await store.close()

    async def s3_ready() -> None:
        await deps.store.ensure_bucket()

    async def redis_ready() -> None:
        await deps.cache.ping()

    return Service(
        name="ingest",
        broker=broker,
        on_start=[lambda: provision_streams_of(broker, runtime.nats_stream_replicas), open_clients],
        on_stop=[close_clients],
        checks={
            "nats": lambda: broker_ready(broker),
            "postgres": lambda: deps.database.ping(),  # noqa: PLW0108 (the pool opens at start)
            "clickhouse": store.ping,
            "s3": s3_ready,
            "redis": redis_ready,
        },
    )
