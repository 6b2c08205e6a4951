"""A durable consumer that already exists takes the settings its subscriber declares now (the
NATS client alone would bind to it unchanged: a new ack wait would never apply)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, PullSub
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig as JsConsumerConfig
from nats.js.api import ConsumerInfo

from remedyiq_platform.contracts.subjects import STREAMS, subject
from remedyiq_platform.messaging import create_broker, provision_streams_of

STREAM = STREAMS["JOBS"].name


async def _started(
    url: str,
    js: JetStreamContext,
    filter_subject: str,
    durable: str,
    ack_wait: float,
    **more: Any,
) -> ConsumerInfo:
    """Start a broker whose one subscriber declares these settings, as a service starts (streams
    provisioned, then its subscribers); the consumer's settings once it runs."""
    broker = create_broker(url, name="contracts-consumers")

    async def handler(body: bytes) -> None:
        return None

    broker.subscriber(
        filter_subject,
        stream=JStream(STREAM, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        config=ConsumerConfig(ack_wait=ack_wait, max_ack_pending=7, **more),
        ack_policy=AckPolicy.MANUAL,
    )(handler)
    await broker.connect()
    try:
        await provision_streams_of(broker, replicas=1)
        await broker.start()
        info: ConsumerInfo = await js.consumer_info(STREAM, durable)
        return info
    finally:
        await broker.stop()


async def _existing(js: JetStreamContext, name: str, filter_subject: str) -> None:
    """The consumer as an earlier release left it: ack wait 30 s."""
    await js.add_consumer(
        STREAM,
        config=JsConsumerConfig(
            name=name, durable_name=name, filter_subject=filter_subject, ack_wait=30.0
        ),
    )


async def test_existing_consumer_takes_the_declared_settings(
    streams: str, js: JetStreamContext, tenant_id: UUID, durable: Callable[[], str]
) -> None:
    name, filter_subject = durable(), subject("jobs.progress", tenant_id)
    await _existing(js, name, filter_subject)
    info = await _started(streams, js, filter_subject, name, ack_wait=4.0)
    assert info.config.ack_wait == 4.0
    assert info.config.max_ack_pending == 7
    assert info.config.filter_subject == filter_subject  # the rest is kept


async def test_a_missing_consumer_is_left_to_the_subscriber(
    streams: str, js: JetStreamContext, tenant_id: UUID, durable: Callable[[], str]
) -> None:
    name, filter_subject = durable(), subject("jobs.progress", tenant_id)
    info = await _started(streams, js, filter_subject, name, ack_wait=6.0)
    assert info.config.ack_wait == 6.0


async def test_settings_the_server_refuses_leave_the_consumer_and_the_service_running(
    streams: str, js: JetStreamContext, tenant_id: UUID, durable: Callable[[], str]
) -> None:
    name, filter_subject = durable(), subject("jobs.progress", tenant_id)
    await _existing(js, name, filter_subject)
    # a backoff longer than the deliveries allowed: JetStream refuses the update
    info = await _started(
        streams, js, filter_subject, name, ack_wait=4.0, max_deliver=1, backoff=[1.0, 2.0]
    )
    assert info.config.ack_wait == 30.0
