"""Live log lines (``logs.{tenant}.tail.{log_type}``) into each tenant's live job.

Every tenant has one live job (a stable id derived from the tenant) that searches and traces can
use like any other. Each source (``host:/path``) keeps its own parser state in memory, so a call
whose begin and end arrive in different messages is still joined; a record waits for the next
line of its source (its continuation lines may follow). Rows of a message are inserted with a
token derived from (source, seq): a redelivered message adds nothing.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from uuid import UUID, uuid5

import pyarrow as pa
from nats.aio.msg import Msg

from remedyiq_analysis.batchbody import with_keys
from remedyiq_analysis.columnar import entries_batch
from remedyiq_analysis.load import insert_table
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.parser import RangeParser
from remedyiq_platform.contracts.messages import TailLines
from remedyiq_platform.messaging import (
    PoisonMessage,
    dead_letter,
    open_envelope,
    retry_or_dead_letter,
)
from remedyiq_platform.stores import files_repo, jobs_repo
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_writer.entries import WriterDeps

logger = logging.getLogger(__name__)
CONSUMER = "writer-tail"
LIVE_NAMESPACE = UUID("5d3d4b8e-2f6a-4f0e-9a51-3c8f2b7a9e10")
LIVE_RETENTION_DAYS = 30


def live_job_id(tenant: str) -> UUID:
    """The id of a tenant's live job (the same on every writer replica)."""
    return uuid5(LIVE_NAMESPACE, f"live:{tenant}")


def source_file_number(source: str) -> int:
    """A stable file number per live source (sources are files of the live job)."""
    return 1 + zlib.crc32(source.encode()) % 65_000


@dataclass(slots=True)
class LiveState:
    parsers: dict[tuple[str, str], RangeParser] = field(default_factory=dict)
    known_jobs: set[str] = field(default_factory=set)

    def parser(self, tenant: str, source: str) -> RangeParser:
        key = (tenant, source)
        if key not in self.parsers:
            self.parsers[key] = RangeParser(
                ParseOptions(), file_number=source_file_number(source), start=0
            )
        return self.parsers[key]


async def ensure_live_job(tenant: str, deps: WriterDeps, state: LiveState) -> UUID:
    job_id = live_job_id(tenant)
    if tenant in state.known_jobs:
        return job_id
    async with deps.database.tenant(tenant) as conn:
        if await jobs_repo.get_job(conn, job_id) is None:
            file = await files_repo.create_file(
                conn,
                file_id=job_id,
                filename="live",
                s3_bucket="live",
                s3_key=f"tenants/{tenant}/live/{job_id}",
                content_type="text/plain",
            )
            await jobs_repo.create_job(conn, job_id=job_id, file_id=file.id, created_by="live")
            await jobs_repo.update_job(conn, job_id, status=JobStatus.PARSING)
    state.known_jobs.add(tenant)
    return job_id


async def store_lines(raws: list[Msg], deps: WriterDeps, state: LiveState) -> None:
    for raw in raws:
        try:
            tenant, message = open_envelope(raw, TailLines)
        except PoisonMessage as exc:
            await dead_letter(deps.broker, raw, str(exc), consumer=CONSUMER)
            continue
        try:
            await _store(tenant, message, deps, state)
            await raw.ack()
        except Exception as exc:
            logger.warning("live lines of %s not stored: %r", message.source, exc)
            reason = f"not stored: {exc!r}"
            await retry_or_dead_letter(deps.broker, raw, reason, consumer=CONSUMER, delay_s=2.0)


async def _store(tenant: str, message: TailLines, deps: WriterDeps, state: LiveState) -> None:
    job_id = await ensure_live_job(tenant, deps, state)
    parser = state.parser(tenant, message.source)
    number = source_file_number(message.source)
    rows = list(
        parser.feed(
            (number, line.line_number, line.byte_offset, line.text) for line in message.lines
        )
    )
    if not rows:
        return
    batch_id = f"live.{number}.{message.seq}"
    table = with_keys(
        pa.Table.from_batches([entries_batch(rows)]),
        tenant_id=tenant,
        job_id=str(job_id),
        batch_id=batch_id,
        retention_days=LIVE_RETENTION_DAYS,
    )
    client = deps.clickhouse
    await client.run(
        insert_table,
        client.client,
        client.database,
        "log_entries",
        table,
        {
            "insert_deduplication_token": f"{job_id}:{batch_id}",
            "async_insert": 1,
            "wait_for_async_insert": 1,
            "async_insert_deduplicate": 1,
        },
    )
