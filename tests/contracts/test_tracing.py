"""OpenTelemetry context crosses NATS: one trace follows a message through two services.

Three brokers stand for three processes, each with its own tracer provider and in-memory
exporter (as each service has its own ``tracer_provider``): a producer publishes inside a span,
a first service consumes and publishes a follow-up from its handler, a second consumes that.
Every span is in the producer's trace, each consumer span is the child of the span that
published its message, and the handlers' logs carry the trace id.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, SpanKind

from remedyiq_platform.contracts.messages import JobComplete, JobProgress
from remedyiq_platform.contracts.subjects import subject
from remedyiq_platform.messaging import create_broker, open_envelope, publish
from remedyiq_platform.telemetry import JsonFormatter, tracer_provider

from .natsutil import complete, consume, progress


@dataclass
class Seen:
    span: SpanContext
    headers: dict[str, Any]
    log: dict[str, Any]


def _seen(raw: Msg) -> Seen:
    record = logging.LogRecord("contracts", logging.INFO, __file__, 1, "handled", None, None)
    return Seen(
        span=trace.get_current_span().get_span_context(),
        headers=dict(raw.headers or {}),
        log=json.loads(JsonFormatter().format(record)),
    )


class Process:
    """One service process: a broker with its own tracer provider and exporter."""

    def __init__(self, url: str, name: str) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider: TracerProvider = tracer_provider(name, exporter=self.exporter)
        self.broker: NatsBroker = create_broker(url, name=name, tracer=self.provider)

    def spans(self) -> list[ReadableSpan]:
        self.provider.force_flush()
        return list(self.exporter.get_finished_spans())


def _one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, f"{name!r} in {[s.name for s in spans]}"
    return found[0]


def _parent_id(span: ReadableSpan) -> int:
    assert span.parent is not None, f"{span.name} has no parent"
    return span.parent.span_id


async def test_trace_context_propagates_across_two_hops(
    streams: str, tenant_id: UUID, durable: Callable[[], str]
) -> None:
    tenant = str(tenant_id)
    gateway, ingest, cli = (Process(streams, n) for n in ("t-gateway", "t-ingest", "t-cli"))
    at_ingest: list[Seen] = []
    at_cli: list[Seen] = []
    done = asyncio.Event()

    async def on_progress(raw: Msg) -> None:
        _, message = open_envelope(raw, JobProgress)
        at_ingest.append(_seen(raw))
        follow_up = complete(tenant_id, message.job_id)
        await publish(ingest.broker, "jobs.complete", follow_up, tenant=tenant)
        await raw.ack()

    async def on_complete(raw: Msg) -> None:
        open_envelope(raw, JobComplete)
        at_cli.append(_seen(raw))
        await raw.ack()
        done.set()

    consume(ingest.broker, "jobs.progress", tenant, durable(), on_progress)
    consume(cli.broker, "jobs.complete", tenant, durable(), on_complete)
    for process in (gateway, ingest, cli):
        await process.broker.start()
    try:
        tracer = gateway.provider.get_tracer("contracts-test")
        with tracer.start_as_current_span("upload") as upload:
            await publish(gateway.broker, "jobs.progress", progress(tenant_id), tenant=tenant)
        await asyncio.wait_for(done.wait(), 10)
    finally:
        for process in (gateway, ingest, cli):
            await process.broker.stop()

    root = upload.get_span_context()
    trace_hex = f"{root.trace_id:032x}"
    # on the wire: a W3C traceparent in the producer's trace
    for seen in (*at_ingest, *at_cli):
        version, trace_id, _, flags = seen.headers["traceparent"].split("-")
        assert (version, trace_id) == ("00", trace_hex)
        assert int(flags, 16) & 0x01  # sampled
        assert seen.span.trace_id == root.trace_id  # the handler runs inside the trace
        assert seen.log["trace_id"] == trace_hex  # and its log lines say so

    progress_subject = subject("jobs.progress", tenant)
    complete_subject = subject("jobs.complete", tenant)
    # producer: upload → "create" (injected into the headers) → "publish"
    created = _one(gateway.spans(), f"{progress_subject} create")
    assert _parent_id(created) == root.span_id
    # first service: its consumer span is the child of the producer's span, and is the
    # handler's current span; the follow-up it publishes is created under it
    ingest_spans = ingest.spans()
    processed = _one(ingest_spans, f"{progress_subject} process")
    assert processed.kind is SpanKind.CONSUMER
    assert _parent_id(processed) == created.context.span_id
    assert processed.context.span_id == at_ingest[0].span.span_id
    follow_up = _one(ingest_spans, f"{complete_subject} create")
    assert _parent_id(follow_up) == processed.context.span_id
    # second service: child of the first service's follow-up
    final = _one(cli.spans(), f"{complete_subject} process")
    assert _parent_id(final) == follow_up.context.span_id
    assert at_cli[0].headers["traceparent"].split("-")[2] == f"{follow_up.context.span_id:016x}"
    every = [*gateway.spans(), *ingest_spans, *cli.spans()]
    assert {span.context.trace_id for span in every} == {root.trace_id}
