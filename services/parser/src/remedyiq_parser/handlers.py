"""The parser's subscriber: take a range, stage it, parse it in a thread, publish its batches,
store its summary, announce it, acknowledge — in that order, so a crash at any point only
causes the range to be parsed again (and its batches to be deduplicated)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from faststream import AckPolicy, Context
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from faststream.nats.message import NatsMessage
from nats.aio.msg import Msg

from remedyiq_analysis.meta import INPUT_FILES_ARTEFACT, input_files
from remedyiq_arlog import summary_codec
from remedyiq_parser.work import RangeResult, UnusableInput, parse_unit
from remedyiq_platform.contracts.messages import EntryBatchHeaders, ParseRange, RangeParsed
from remedyiq_platform.contracts.subjects import wildcard
from remedyiq_platform.messaging import (
    MAX_DELIVERIES,
    PoisonMessage,
    dead_letter,
    deliveries,
    keep_in_progress,
    open_envelope,
    publish,
    publish_bytes,
    retry_or_dead_letter,
)
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.objects_keys import artefact_key
from remedyiq_platform.telemetry import current_subject, current_tenant

logger = logging.getLogger(__name__)
CONSUMER = "parser"


@dataclass(slots=True)
class ParserDeps:
    broker: NatsBroker
    work_dir: str
    ack_wait_s: float = 30.0  # a crashed replica's range goes to another after this
    store: ObjectStore | None = None  # opened when the service starts

    @property
    def objects(self) -> ObjectStore:
        if self.store is None:
            raise RuntimeError("the parser's object store is not open")
        return self.store


class SourceMissing(Exception):
    """The job's object is not in storage (any more)."""


def register(broker: NatsBroker, deps: ParserDeps, concurrency: int) -> None:
    @broker.subscriber(
        wildcard("jobs.range"),
        stream=JStream("JOBS_RANGES", declare=False),
        durable=CONSUMER,
        pull_sub=PullSub(batch_size=1, timeout=5.0),
        config=ConsumerConfig(ack_wait=deps.ack_wait_s, max_ack_pending=64),
        ack_policy=AckPolicy.MANUAL,
        max_workers=concurrency,
    )
    async def on_range(message: Annotated[NatsMessage, Context("message")]) -> None:
        await handle_range(message.raw_message, deps)


async def handle_range(raw: Msg, deps: ParserDeps) -> None:
    current_subject.set(raw.subject)
    try:
        tenant, job = open_envelope(raw, ParseRange)
    except PoisonMessage as exc:
        await dead_letter(deps.broker, raw, str(exc), consumer=CONSUMER)
        return
    current_tenant.set(tenant)
    async with keep_in_progress([raw], deps.ack_wait_s):  # a large range outlives the ack wait
        await _handle(raw, deps, tenant, job)


async def _handle(raw: Msg, deps: ParserDeps, tenant: str, job: ParseRange) -> None:
    staged: Path | None = None
    try:
        staged = await _stage(deps, tenant, job)
        result = await _parse(deps, tenant, job, staged)
        summary_key = artefact_key(tenant, job.job_id, f"ranges/{job.range_index:05d}.json.gz")
        await deps.objects.put_bytes(tenant, summary_key, summary_codec.dumps(result.summary))
        if result.files:
            files_key = artefact_key(tenant, job.job_id, INPUT_FILES_ARTEFACT)
            await deps.objects.put_bytes(
                tenant, files_key, input_files.dump_json(list(result.files))
            )
        await _announce(deps, tenant, job, result=result, summary_key=summary_key)
        await raw.ack()
    except (UnusableInput, SourceMissing) as exc:
        await _announce(deps, tenant, job, error=str(exc))
        await raw.ack()
    except Exception as exc:
        if deliveries(raw) >= MAX_DELIVERIES:
            logger.exception("range %s of job %s failed for good", job.range_index, job.job_id)
            await _announce(deps, tenant, job, error=f"the parser failed on this input: {exc}")
        else:
            logger.warning(
                "range %s of job %s failed, retrying: %r", job.range_index, job.job_id, exc
            )
        await retry_or_dead_letter(deps.broker, raw, repr(exc), consumer=CONSUMER, delay_s=5.0)
    finally:
        if staged is not None:
            with contextlib.suppress(OSError):
                staged.unlink()


async def _stage(deps: ParserDeps, tenant: str, job: ParseRange) -> Path:
    """Copy the range (or the whole object) to a local file, streaming, bounded memory."""
    if job.file.bucket != deps.objects.bucket:
        raise SourceMissing(
            f"{job.file.filename}: bucket {job.file.bucket!r} is not this platform's"
        )
    info = await deps.objects.head(tenant, job.file.key)
    if info is None:
        raise SourceMissing(f"{job.file.filename}: the file is no longer in storage")
    handle, name = tempfile.mkstemp(prefix="range-", suffix=".part", dir=deps.work_dir)
    path = Path(name)
    with os.fdopen(handle, "wb") as out:
        chunks = (
            deps.objects.read_range(tenant, job.file.key, job.start, job.end)
            if job.mode == "range"
            else deps.objects.read_stream(tenant, job.file.key)
        )
        async for chunk in chunks:
            await asyncio.to_thread(out.write, chunk)
    return path


async def _parse(deps: ParserDeps, tenant: str, job: ParseRange, path: Path) -> RangeResult:
    loop = asyncio.get_running_loop()

    def publish_batch(batch_id: str, table: str, body: bytes, rows: int) -> None:
        headers = EntryBatchHeaders(
            job_id=job.job_id,
            tenant_id=job.tenant_id,
            batch_id=batch_id,
            table=table,
            rows=rows,
            retention_days=job.retention_days,
        )
        future = asyncio.run_coroutine_threadsafe(
            publish_bytes(
                deps.broker,
                "jobs.entries",
                body,
                tenant=tenant,
                headers={k: str(v) for k, v in headers.model_dump().items()},
                msg_id=f"{job.job_id}:{batch_id}",
            ),
            loop,
        )
        future.result(timeout=120)  # back-pressure: the parser waits for the stream's ack

    return await asyncio.to_thread(parse_unit, path, job, publish_batch)


async def _announce(
    deps: ParserDeps,
    tenant: str,
    job: ParseRange,
    *,
    result: RangeResult | None = None,
    summary_key: str | None = None,
    error: str | None = None,
) -> None:
    message = RangeParsed(
        job_id=job.job_id,
        tenant_id=job.tenant_id,
        range_index=job.range_index,
        batches=result.batches if result else 0,
        rows=result.rows if result else 0,
        bytes=(job.end - job.start) if job.mode == "range" else (job.file.size_bytes or 0),
        summary_key=summary_key,
        error=error,
    )
    await publish(
        deps.broker,
        "jobs.parsed",
        message,
        tenant=tenant,
        msg_id=f"{job.job_id}:parsed:{job.range_index}",
    )
