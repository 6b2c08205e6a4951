"""Helpers of the contract tests: sample messages, a subscriber like the services', dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

import nats.errors
from faststream import AckPolicy, Context
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.message import NatsMessage
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from remedyiq_platform.contracts.messages import DeadLetter, JobComplete, JobProgress, JobStatus
from remedyiq_platform.contracts.subjects import STREAMS, SUBJECTS, subject

Message = Annotated[NatsMessage, Context("message")]
Handler = Callable[[Msg], Awaitable[None]]


def progress(tenant_id: UUID, job_id: UUID | None = None) -> JobProgress:
    return JobProgress(
        job_id=job_id or uuid4(),
        tenant_id=tenant_id,
        status=JobStatus.PARSING,
        progress_pct=40,
        stage="parsing",
        at=datetime.now(UTC),
    )


def complete(tenant_id: UUID, job_id: UUID) -> JobComplete:
    return JobComplete(job_id=job_id, tenant_id=tenant_id, status="complete", at=datetime.now(UTC))


def consume(broker: NatsBroker, key: str, tenant: str, durable: str, handler: Handler) -> None:
    """A durable pull consumer of one tenant's subject, acknowledged by hand (as the services)."""
    spec = SUBJECTS[key]

    async def on_message(message: Message) -> None:
        await handler(message.raw_message)

    broker.subscriber(
        subject(key, tenant),
        stream=JStream(spec.stream, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=1, timeout=1.0),
        config=ConsumerConfig(ack_wait=30.0),
        ack_policy=AckPolicy.MANUAL,
    )(on_message)


async def dead_letters(
    js: JetStreamContext, tenant: str, count: int, timeout_s: float = 10.0
) -> list[DeadLetter]:
    """The first ``count`` dead letters of the tenant's ``jobs`` subjects, in order."""
    sub = await js.pull_subscribe(subject("jobs.dlq", tenant), stream=STREAMS["DLQ"].name)
    letters: list[DeadLetter] = []
    try:
        async with asyncio.timeout(timeout_s):
            while len(letters) < count:
                try:
                    msgs = await sub.fetch(count - len(letters), timeout=0.5)
                except nats.errors.TimeoutError:
                    continue
                for msg in msgs:
                    letters.append(DeadLetter.model_validate_json(msg.data))
                    await msg.ack()
    finally:
        await sub.unsubscribe()
    return letters


def header_map(raw: Msg) -> dict[str, Any]:
    return dict(raw.headers or {})
