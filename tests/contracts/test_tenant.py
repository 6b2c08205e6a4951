"""The tenant rides in a header and is checked: subject, header and body must agree.

A consumer refuses a message whose tenants disagree — it is dead-lettered at once with the
reason (no retries: it can never succeed) — and goes on with the next one. Producers cannot send
one tenant's body on another tenant's subject in the first place.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from remedyiq_platform.contracts.messages import JobProgress
from remedyiq_platform.contracts.subjects import MESSAGE_HEADER, TENANT_HEADER, subject
from remedyiq_platform.messaging import (
    PoisonMessage,
    check_tenant,
    create_broker,
    dead_letter,
    headers_for,
    open_envelope,
    publish,
    publish_bytes,
)

from .natsutil import consume, dead_letters, progress

A, B = str(uuid4()), str(uuid4())


@pytest.mark.parametrize(
    ("subject_name", "headers", "body_tenant", "refusal"),
    [
        (f"jobs.{A}.submit", {TENANT_HEADER: B}, A, f"tenant header '{B}' does not match"),
        (f"jobs.{A}.submit", {}, A, "tenant header None does not match"),
        (f"jobs.{A}.submit", {TENANT_HEADER: A}, B, f"body tenant '{B}' does not match"),
        ("jobs", {TENANT_HEADER: A}, A, "carries no tenant"),
        (f"jobs.{A}.submit", {TENANT_HEADER: A.upper()}, A, "does not match"),
    ],
)
def test_check_tenant_refuses_disagreement(
    subject_name: str, headers: dict[str, str], body_tenant: str, refusal: str
) -> None:
    with pytest.raises(PoisonMessage, match=refusal):
        check_tenant(subject_name, headers, body_tenant)


def test_check_tenant_accepts_agreement() -> None:
    assert check_tenant(f"logs.{A}.tail.api", {TENANT_HEADER: A}, A) == A
    assert check_tenant(f"jobs.{A}.entries", {TENANT_HEADER: A}, None) == A


def test_extra_headers_cannot_override_tenant_or_contract() -> None:
    headers = headers_for("EntryBatch.v1", A, {TENANT_HEADER: B, MESSAGE_HEADER: "X", "rows": "3"})
    assert headers == {TENANT_HEADER: A, MESSAGE_HEADER: "EntryBatch.v1", "rows": "3"}


async def test_producer_refuses_a_body_of_another_tenant(streams: str) -> None:
    broker = create_broker(streams, name="contracts-producer")
    with pytest.raises(ValueError, match="not for"):
        await publish(broker, "jobs.progress", progress(UUID(A)), tenant=B)
    with pytest.raises(ValueError, match="not for"):
        await publish_bytes(
            broker, "jobs.entries", b"arrow", tenant=B, headers={"tenant_id": A, "rows": "0"}
        )


async def test_consumer_dead_letters_a_mismatch_and_keeps_going(
    streams: str, js: JetStreamContext, tenant_id: UUID, durable: Callable[[], str]
) -> None:
    tenant, other = str(tenant_id), str(uuid4())
    target = subject("jobs.progress", tenant)
    broker = create_broker(streams, name="contracts-consumer")
    handled: list[JobProgress] = []
    handled_one = asyncio.Event()

    async def handler(raw: Msg) -> None:  # the services' first step, verbatim
        try:
            _, message = open_envelope(raw, JobProgress)
        except PoisonMessage as exc:
            await dead_letter(broker, raw, str(exc), consumer="contracts-test")
            return
        handled.append(message)
        handled_one.set()
        await raw.ack()

    consume(broker, "jobs.progress", tenant, durable(), handler)
    await broker.start()
    try:
        good = progress(tenant_id)
        foreign = progress(UUID(other))
        contract = headers_for("JobProgress.v1", tenant)
        # what a buggy or hostile producer could put on the wire (raw nats-py, no checks)
        wrong_header = good.model_dump_json().encode()
        await js.publish(target, wrong_header, headers=headers_for("JobProgress.v1", other))
        await js.publish(target, foreign.model_dump_json().encode(), headers=contract)
        await js.publish(target, b'{"kind": "progress"}', headers=contract)
        await js.publish(
            target, good.model_dump_json().encode(), headers=headers_for("SubmitJob.v1", tenant)
        )
        await publish(broker, "jobs.progress", good, tenant=tenant)  # the one good message

        letters = await dead_letters(js, tenant, 4)
        await asyncio.wait_for(handled_one.wait(), 10)
    finally:
        await broker.stop()

    assert handled == [good]
    reasons = [letter.reason for letter in letters]
    assert f"tenant header '{other}' does not match the subject's tenant '{tenant}'" in reasons[0]
    assert f"body tenant '{other}' does not match" in reasons[1]
    assert reasons[2].startswith("invalid JobProgress: job_id: Field required")
    assert "says 'SubmitJob.v1'; expected JobProgress" in reasons[3]
    first = letters[0]
    assert first.original_subject == target
    assert first.stream == "JOBS"
    assert first.consumer == "contracts-test"
    assert first.attempts == 1  # refused at once: it can never succeed
    assert first.headers[TENANT_HEADER] == other
    assert base64.b64decode(first.body_b64) == wrong_header
