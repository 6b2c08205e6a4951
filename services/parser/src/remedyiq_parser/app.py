"""Composition root of the parser: settings → clients → broker with its subscriber → Service."""

from __future__ import annotations

from remedyiq_parser.handlers import ParserDeps, register
from remedyiq_parser.settings import ParserSettings
from remedyiq_platform.messaging import broker_ready, create_broker, provision_streams_of
from remedyiq_platform.service import Service
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.telemetry import tracer_provider


def create_service(settings: ParserSettings | None = None) -> Service:
    """The parser service (clients open when it starts, never at import)."""
    settings = settings or ParserSettings.from_env()
    runtime = settings.runtime
    broker = create_broker(
        runtime.nats_url,
        name="remedyiq-parser",
        tracer=tracer_provider("remedyiq-parser"),
        drain_timeout_s=runtime.drain_timeout_s,
    )
    deps = ParserDeps(
        broker=broker, work_dir=runtime.parser_work_dir, ack_wait_s=runtime.nats_ack_wait_s
    )
    register(broker, deps, runtime.parser_concurrency)

    async def open_clients() -> None:
        deps.store = await ObjectStore.from_settings(settings.s3)

    async def close_clients() -> None:
        await deps.objects.close()

    async def s3_ready() -> None:
        await deps.objects.ensure_bucket()

    return Service(
        name="parser",
        broker=broker,
        on_start=[lambda: provision_streams_of(broker, runtime.nats_stream_replicas), open_clients],
        on_stop=[close_clients],
        checks={"nats": lambda: broker_ready(broker), "s3": s3_ready},
    )
