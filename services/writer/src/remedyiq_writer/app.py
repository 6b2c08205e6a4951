"""Composition root of the writer: settings → clients → broker with its two subscribers
(entry batches wait in :class:`~remedyiq_writer.pending.Pending` for one large insert)."""

from __future__ import annotations

from typing import Annotated

from faststream import AckPolicy, Context
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.message import NatsBatchMessage

from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.contracts.subjects import wildcard
from remedyiq_platform.messaging import broker_ready, create_broker, provision_streams_of
from remedyiq_platform.service import Service
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.telemetry import tracer_provider
from remedyiq_writer import entries, live
from remedyiq_writer.pending import Pending
from remedyiq_writer.settings import WriterSettings

BatchMessage = Annotated[NatsBatchMessage, Context("message")]


def register(
    broker: NatsBroker, deps: entries.WriterDeps, pull: int, pending: Pending
) -> live.LiveState:
    state = live.LiveState()

    @broker.subscriber(
        wildcard("jobs.entries"),
        stream=JStream("JOBS_ENTRIES", declare=False),
        durable=entries.CONSUMER,
        pull_sub=PullSub(batch_size=pull, timeout=1.0, batch=True),
        config=ConsumerConfig(ack_wait=deps.ack_wait_s, max_ack_pending=pull * 4),
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_entries(message: BatchMessage) -> None:
        await pending.add(await entries.accept(list(message.raw_message), deps))

    @broker.subscriber(
        wildcard("logs.tail"),
        stream=JStream("LOGS", declare=False),
        durable=live.CONSUMER,
        pull_sub=PullSub(batch_size=pull * 4, timeout=0.5, batch=True),
        config=ConsumerConfig(ack_wait=60.0, max_ack_pending=pull * 16),
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_tail(message: BatchMessage) -> None:
        await live.store_lines(list(message.raw_message), deps, state)

    return state


def create_service(
    settings: WriterSettings | None = None, *, clickhouse: ClickHouse | None = None
) -> Service:
    """The writer service; ``clickhouse`` lets the one-process local mode share its engine."""
    settings = settings or WriterSettings.from_env()
    runtime = settings.runtime
    broker = create_broker(
        runtime.nats_url,
        name="remedyiq-writer",
        tracer=tracer_provider("remedyiq-writer"),
        drain_timeout_s=runtime.drain_timeout_s,
    )
    own_clickhouse = clickhouse is None
    store = clickhouse or ClickHouse(
        runtime.clickhouse_dsn.get_secret_value(), runtime.clickhouse_database
    )
    deps = entries.WriterDeps(broker=broker, clickhouse=store, ack_wait_s=runtime.nats_ack_wait_s)
    pending = Pending(
        lambda batches: entries.store(batches, deps),
        flush_rows=runtime.writer_flush_rows,
        flush_s=runtime.writer_flush_s,
    )
    register(broker, deps, runtime.writer_pull_batch, pending)

    async def open_clients() -> None:
        if own_clickhouse:
            await store.connect()
        deps.db = await Database.from_settings(
            settings.postgres, application_name="remedyiq-writer"
        )

    async def close_clients() -> None:
        await deps.database.close()
        if own_clickhouse:
            await store.close()

    return Service(
        name="writer",
        broker=broker,
        on_start=[lambda: provision_streams_of(broker, runtime.nats_stream_replicas), open_clients],
        before_stop=[pending.drain],
        on_stop=[close_clients],
        checks={
            "nats": lambda: broker_ready(broker),
            "clickhouse": store.ping,
            "postgres": lambda: deps.database.ping(),  # noqa: PLW0108 (the pool opens at start)
        },
    )
