"""NATS JetStream plumbing shared by the services: broker, streams, envelopes, dead letters.

* :func:`create_broker` — a FastStream ``NatsBroker`` with OpenTelemetry propagation;
* :func:`provision_streams` — creates or updates every stream of the registry (idempotent);
* :func:`publish` — validates a contract, sets the tenant and contract headers, waits for the
  stream's acknowledgement;
* :func:`open_envelope` — the consumer side: the tenant in the subject, the header and the body
  must agree, and the body must validate against the subject's contract;
* :func:`dead_letter` — after bounded retries (or at once for a message that can never succeed),
  the message goes to the tenant's ``dlq`` subject with the reason, and is terminated.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TypeVar

from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
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
    servers = [part.strip() for part in url.split(",") if part.strip()]
    middlewares = (NatsTelemetryMiddleware(tracer_provider=tracer),) if tracer else ()
    return NatsBroker(
        servers,
        name=name,
        graceful_timeout=drain_timeout_s,
        middlewares=middlewares,
        logger=None,  # one INFO line per message is too much at these rates; we log ourselves
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
    """:func:`provision_streams` through a started broker's JetStream context."""
    await provision_streams(broker.config.connection_state.stream, replicas)


async def broker_ready(broker: NatsBroker) -> None:
    """Readiness: the NATS connection answers a round trip."""
    await broker.config.connection_state.connection.flush(timeout=2)


def headers_for(
    contract: str, tenant: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    return {TENANT_HEADER: tenant, MESSAGE_HEADER: contract, **(extra or {})}


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


def open_envelope(raw: Msg, model: type[C]) -> tuple[str, C]:
    """Validate a JSON message against its contract; returns ``(tenant, message)``."""
    headers = raw.headers or {}
    try:
        message = model.model_validate_json(raw.data)
    except ValidationError as exc:
        raise PoisonMessage(f"invalid {model.__name__}: {_short(exc)}") from None
    tenant = getattr(message, "tenant_id", None)
    return check_tenant(raw.subject, headers, str(tenant) if tenant else None), message


def open_headers(raw: Msg, model: type[C]) -> tuple[str, C]:
    """Validate a binary message's metadata headers against their contract."""
    headers = dict(raw.headers or {})
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


def _short(error: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5]]
    return "; ".join(parts)
