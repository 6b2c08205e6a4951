"""Poison messages: bounded retries, then the tenant's dead-letter subject, with the reason.

A handler whose work keeps failing hands the message to ``retry_or_dead_letter``: JetStream
redelivers it (after the delay) until its :data:`MAX_DELIVERIES`-th delivery, which goes to
``jobs.{tenant}.dlq`` as a ``DeadLetter`` — reason, attempts, original subject, headers and body
— and is terminated: no further delivery, nothing left pending.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from uuid import UUID

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from remedyiq_platform.contracts.messages import JobProgress
from remedyiq_platform.contracts.subjects import TENANT_HEADER, subject
from remedyiq_platform.messaging import (
    MAX_DELIVERIES,
    create_broker,
    deliveries,
    open_envelope,
    publish,
    retry_or_dead_letter,
)

from .natsutil import consume, dead_letters, progress

REASON = "ConnectionError('the store is down')"


async def test_failing_message_is_dead_lettered_after_max_deliveries(
    streams: str, js: JetStreamContext, tenant_id: UUID, durable: Callable[[], str]
) -> None:
    tenant, consumer = str(tenant_id), durable()
    broker = create_broker(streams, name="contracts-retries")
    attempts: list[int] = []
    outcomes: list[bool] = []

    async def handler(raw: Msg) -> None:
        open_envelope(raw, JobProgress)
        attempts.append(deliveries(raw))
        # the work fails every time (a dependency is down)
        outcomes.append(
            await retry_or_dead_letter(broker, raw, REASON, consumer="contracts-test", delay_s=0.05)
        )

    consume(broker, "jobs.progress", tenant, consumer, handler)
    await broker.start()
    try:
        sent = progress(tenant_id)
        await publish(broker, "jobs.progress", sent, tenant=tenant, msg_id=str(sent.job_id))
        [letter] = await dead_letters(js, tenant, 1)
        await asyncio.sleep(0.3)  # time for a (wrong) sixth delivery to show up
    finally:
        await broker.stop()

    assert MAX_DELIVERIES > 1
    assert attempts == list(range(1, MAX_DELIVERIES + 1))
    assert outcomes == [False] * (MAX_DELIVERIES - 1) + [True]
    assert letter.reason == REASON
    assert letter.attempts == MAX_DELIVERIES
    assert letter.original_subject == subject("jobs.progress", tenant)
    assert letter.stream == "JOBS"
    assert letter.consumer == "contracts-test"
    assert letter.headers[TENANT_HEADER] == tenant
    assert letter.headers["Nats-Msg-Id"] == str(sent.job_id)
    assert JobProgress.model_validate_json(base64.b64decode(letter.body_b64)) == sent
    info = await js.consumer_info("JOBS", consumer)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)  # terminated, not pending
