"""NATS JetStream plumbing shared by the services: broker, streams, envelopes, dead letters.

* :func:`create_broker` — a FastStream ``NatsBroker`` with OpenTelemetry propagation;
* :func:`provision_streams` — creates or updates every stream of the registry (idempotent);
* :func:`publish` — validates a contract, sets the tenant and contract headers, waits for the
  stream's acknowledgement (a body whose tenant is not the subject's is refused before sending);
* :func:`open_envelope` — the consumer side: the tenant in the subject, the header and the body
  must agree, the contract header (when present) must name the subject's contract, and the body
  must validate against it;
* :func:`dead_letter` — after bounded retries (or at once for a message that can never succeed),
  the message goes to the tenant's ``dlq`` subject with the reason, and is terminated;
  :func:`retry_or_dead_letter` is the bounded retry itself.

Trace context travels in the W3C ``traceparent`` header: the broker's
``NatsTelemetryMiddleware`` injects it on every publish (from the current span, so a handler's
publishes continue the trace of the message it handles) and starts each consumer's span as a
child of it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final, TypeVar

from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from remedyiq_platform.contracts.messages import CONTRACTS, Contract, DeadLetter
from remedyiq_platform.contracts.subjects import (
    MESSAGE_HEADER,
    STREAMS,
    SUBJECTS,
    TENANT_HEADER,
    Retention,
    SubjectError,
    subject,
    tenant_of,
)
from remedyiq_platform.nats_compat import fetch_timeouts_as_nats_errors

logger = logging.getLogger(__name__)
C = TypeVar("C", bound=Contract)
MAX_DELIVERIES = 5
"""Deliveries of one message before it is dead-lettered (JetStream counts them)."""


class PoisonMessage(Exception):
    """A message that can never be processed (bad contract, tenant mismatch): dead-letter it."""


def create_broker(
    url: str, *, name: str, tracer: TracerProvider | None = None, drain_timeout_s: float = 15.0
) -> NatsBroker:
    """A broker that reconnects forever and, on stop, lets running handlers finish first."""
    fetch_timeouts_as_nats_errors()  # batch consumers must not drop what they fetched
    servers = [part.strip() for part in url.split(",") if part.strip()]
    middlewares = (NatsTelemetryMiddleware(tracer_provider=tracer),) if tracer else ()
    return NatsBroker(
        servers,
        name=name,
        graceful_timeout=drain_timeout_s,
        middlewares=middlewares,
        # a handler's exception is logged (ERROR); "received"/"processed" lines are DEBUG only
        logger=logging.getLogger("remedyiq.broker"),
        log_level=logging.DEBUG,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
    )


async def provision_streams(js: JetStreamContext, replicas: int) -> None:
    """Create or update every stream of the registry."""
    for spec in STREAMS.values():
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            retention=(
                RetentionPolicy.WORK_QUEUE
                if spec.retention is Retention.WORK_QUEUE
                else RetentionPolicy.LIMITS
            ),
            max_age=float(spec.max_age_s),
            max_msg_size=spec.max_msg_size,
            storage=StorageType.FILE,
            num_replicas=replicas,
            discard=DiscardPolicy.OLD,
            duplicate_window=120.0,
            description=spec.description,
        )
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)


async def provision_streams_of(broker: NatsBroker, replicas: int) -> None:
    """Through a connected broker, before its subscribers start: :func:`provision_streams`,
    then :func:`reconcile_consumers` for its durable consumers."""
    js = broker.config.connection_state.stream
    await provision_streams(js, replicas)
    await reconcile_consumers(js, broker)


EDITABLE_CONSUMER_FIELDS: Final = (
    "ack_wait",
    "max_ack_pending",
    "max_deliver",
    "max_waiting",
    "backoff",
    "description",
    "inactive_threshold",
    "headers_only",
    "sample_freq",
)
"""Consumer settings JetStream lets an existing consumer change."""


async def reconcile_consumers(js: JetStreamContext, broker: NatsBroker) -> list[str]:
    """Give existing durable consumers the settings the broker's subscribers declare.

    The NATS client creates a missing consumer with its subscriber's settings but binds to an
    existing one as it is: without this, a changed ack wait or ``max_ack_pending`` (settings,
    a new release) would never apply until someone deleted the consumer by hand. Returns the
    consumers updated.
    """
    updated = []
    for subscriber in broker.subscribers:
        stream = getattr(getattr(subscriber, "stream", None), "name", None)
        config = getattr(subscriber, "config", None)
        durable = getattr(config, "durable_name", None)
        if not stream or not durable:
            continue
        try:
            current = (await js.consumer_info(stream, durable)).config
        except NotFoundError:
            continue  # the subscriber creates it, with its settings
        wanted = {
            name: getattr(config, name)
            for name in EDITABLE_CONSUMER_FIELDS
            if getattr(config, name) is not None and getattr(current, name) != getattr(config, name)
        }
        if not wanted:
            continue
        try:
            await js.add_consumer(stream, config=dataclasses.replace(current, **wanted))
        except APIError as exc:  # e.g. a server that cannot change one of them: keep serving
            logger.warning("consumer %s of %s keeps its settings: %s", durable, stream, exc)
            continue
        logger.info("consumer %s of %s updated: %s", durable, stream, sorted(wanted))
        updated.append(durable)
    return updated


async def broker_ready(broker: NatsBroker) -> None:
    """Readiness: connected to NATS, and the connection answers a round trip.

    While the client reconnects, ``flush`` returns at once (its read loop is gone), so the
    state is checked first: a service waiting for NATS is not ready.
    """
    connection = broker.config.connection_state.connection
    if not connection.is_connected:
        raise ConnectionError("not connected to NATS (reconnecting)")
    await connection.flush(timeout=2)


def headers_for(
    contract: str, tenant: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The headers of a message; ``extra`` cannot override the tenant or the contract."""
    return {**(extra or {}), TENANT_HEADER: tenant, MESSAGE_HEADER: contract}


def _same_tenant(tenant: str, body_tenant: object) -> None:
    """A producer never sends a body of one tenant on another tenant's subject."""
    if body_tenant is not None and str(body_tenant) != tenant:
        raise ValueError(f"the message is for tenant {body_tenant}, not for {tenant!r}")


async def publish(
    broker: NatsBroker,
    key: str,
    message: Contract,
    *,
    tenant: str,
    msg_id: str | None = None,
    **tokens: str,
) -> None:
    """Publish a contract to ``SUBJECTS[key]`` for ``tenant`` and wait for the stream's ack.

    ``msg_id`` sets ``Nats-Msg-Id``: JetStream drops a second publish with the same id within its
    duplicate window, which makes retried publishes idempotent.
    """
    spec = SUBJECTS[key]
    expected = CONTRACTS[spec.message]
    if not isinstance(message, expected):
        raise TypeError(f"{key} carries {spec.message}, not {type(message).__name__}")
    _same_tenant(tenant, getattr(message, "tenant_id", None))
    headers = headers_for(spec.message, tenant)
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    await broker.publish(
        message.model_dump_json().encode(),
        subject(key, tenant, **tokens),
        headers=headers,
        stream=spec.stream,
        timeout=10.0,
    )


async def publish_bytes(
    broker: NatsBroker,
    key: str,
    body: bytes,
    *,
    tenant: str,
    headers: Mapping[str, str],
    msg_id: str | None = None,
) -> None:
    """Publish a binary body (entry batches); metadata travels in ``headers``."""
    spec = SUBJECTS[key]
    _same_tenant(tenant, headers.get("tenant_id"))
    all_headers = headers_for(spec.message, tenant, headers)
    if msg_id:
        all_headers["Nats-Msg-Id"] = msg_id
    await broker.publish(
        body, subject(key, tenant), headers=all_headers, stream=spec.stream, timeout=20.0
    )


def check_tenant(subject_name: str, headers: Mapping[str, str], body_tenant: str | None) -> str:
    """The tenant of a message; raises :class:`PoisonMessage` if its three sources disagree."""
    try:
        from_subject = tenant_of(subject_name)
    except SubjectError as exc:
        raise PoisonMessage(str(exc)) from None
    from_header = headers.get(TENANT_HEADER)
    if from_header != from_subject:
        raise PoisonMessage(
            f"tenant header {from_header!r} does not match the subject's tenant {from_subject!r}"
        )
    if body_tenant is not None and body_tenant != from_subject:
        raise PoisonMessage(f"body tenant {body_tenant!r} does not match the subject's tenant")
    return from_subject


def check_contract(headers: Mapping[str, str], model: type[Contract]) -> None:
    """A message that says it is another contract than the one expected is refused.

    Messages from other systems may leave the header out; the body is validated either way.
    """
    declared = headers.get(MESSAGE_HEADER)
    if declared is not None and CONTRACTS.get(declared) is not model:
        raise PoisonMessage(
            f"the {MESSAGE_HEADER} header says {declared!r}; expected {model.__name__}"
        )


def open_envelope(raw: Msg, model: type[C]) -> tuple[str, C]:
    """Validate a JSON message against its contract; returns ``(tenant, message)``."""
    headers = raw.headers or {}
    check_contract(headers, model)
    try:
        message = model.model_validate_json(raw.data)
    except ValidationError as exc:
        raise PoisonMessage(f"invalid {model.__name__}: {_short(exc)}") from None
    tenant = getattr(message, "tenant_id", None)
    return check_tenant(raw.subject, headers, str(tenant) if tenant else None), message


def open_headers(raw: Msg, model: type[C]) -> tuple[str, C]:
    """Validate a binary message's metadata headers against their contract."""
    headers = dict(raw.headers or {})
    check_contract(headers, model)
    fields = {k: v for k, v in headers.items() if k in model.model_fields}
    try:
        message = model.model_validate(fields)
    except ValidationError as exc:
        raise PoisonMessage(f"invalid {model.__name__} headers: {_short(exc)}") from None
    tenant = getattr(message, "tenant_id", None)
    return check_tenant(raw.subject, headers, str(tenant) if tenant else None), message


def deliveries(raw: Msg) -> int:
    """How many times JetStream has delivered this message (1 the first time)."""
    try:
        return int(raw.metadata.num_delivered)
    except (AttributeError, ValueError, TypeError):
        return 1


async def dead_letter(broker: NatsBroker, raw: Msg, reason: str, *, consumer: str) -> None:
    """Send ``raw`` to its tenant's dead-letter subject, then terminate it (no redelivery)."""
    prefix = raw.subject.split(".", 1)[0]
    key = "logs.dlq" if prefix == "logs" else "jobs.dlq"
    try:
        tenant = tenant_of(raw.subject)
    except SubjectError:
        tenant = "unknown"
    stream = ""
    try:
        stream = raw.metadata.stream
    except (AttributeError, ValueError):
        stream = ""
    letter = DeadLetter(
        original_subject=raw.subject,
        stream=stream,
        consumer=consumer,
        reason=reason[:2000],
        attempts=deliveries(raw),
        headers=dict((raw.headers or {}).items()),
        body_b64=base64.b64encode(raw.data[:1_000_000]).decode(),
        at=datetime.now(UTC),
    )
    logger.error("dead-lettering a message from %s: %s", raw.subject, reason)
    await publish(broker, key, letter, tenant=tenant)
    await raw.term()


async def retry_or_dead_letter(
    broker: NatsBroker, raw: Msg, reason: str, *, consumer: str, delay_s: float = 5.0
) -> bool:
    """Bounded retries: redeliver ``raw`` after ``delay_s``, unless this was its
    :data:`MAX_DELIVERIES`-th delivery — then dead-letter it with ``reason``. True if it was."""
    if deliveries(raw) >= MAX_DELIVERIES:
        await dead_letter(broker, raw, reason, consumer=consumer)
        return True
    await raw.nak(delay=delay_s)
    return False


@contextlib.asynccontextmanager
async def keep_in_progress(raws: Sequence[Msg], ack_wait_s: float) -> AsyncIterator[None]:
    """While the block runs, tell JetStream every third of ``ack_wait_s`` that ``raws`` are still
    being worked on. A long step is then not handed to another consumer, and the ack wait can
    stay short: it is how long the messages of a crashed process wait to be delivered again."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(ack_wait_s / 3)
            for raw in raws:
                with contextlib.suppress(Exception):  # NATS away: the ack wait decides
                    await raw.in_progress()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


def _short(error: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5]]
    return "; ".join(parts)
