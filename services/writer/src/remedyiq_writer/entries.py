"""Storing parsed entry batches: many messages, few large inserts, every row exactly once.

For each pulled group of messages: drop (and dead-letter) the unusable ones; acknowledge at once
those the ledger (PostgreSQL ``job_batches``) already has; for messages delivered again after a
crash, delete whatever rows they may have left; insert all the rest in one insert per table
(rows carry their ``batch_id``); record them in the ledger; announce them on
``jobs.{tenant}.stored``; and only then acknowledge. A crash anywhere before the acknowledgement
redelivers the messages, and every step above is idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
from faststream.nats import NatsBroker
from nats.aio.msg import Msg

from remedyiq_analysis.columnar import from_ipc
from remedyiq_analysis.load import delete_batches, insert_table, with_columns
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.contracts.messages import BatchStored, EntryBatchHeaders
from remedyiq_platform.messaging import (
    MAX_DELIVERIES,
    PoisonMessage,
    dead_letter,
    deliveries,
    open_headers,
    publish,
)
from remedyiq_platform.stores import batches_repo
from remedyiq_platform.stores.postgres import Database

logger = logging.getLogger(__name__)
CONSUMER = "writer"


@dataclass(slots=True)
class WriterDeps:
    broker: NatsBroker
    clickhouse: ClickHouse
    db: Database | None = None  # opened when the service starts

    @property
    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the writer's database is not open")
        return self.db


@dataclass(slots=True)
class Batch:
    raw: Msg
    tenant: str
    headers: EntryBatchHeaders
    rows: pa.Table


def decode(raw: Msg) -> Batch:
    """Validated metadata and rows of one entry batch; :class:`PoisonMessage` if unusable."""
    tenant, headers = open_headers(raw, EntryBatchHeaders)
    try:
        table = from_ipc(raw.data)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PoisonMessage(f"the body is not an Arrow IPC stream: {exc}") from None
    if table.num_rows != headers.rows:
        raise PoisonMessage(
            f"the batch holds {table.num_rows} rows, its headers say {headers.rows}"
        )
    keyed = with_columns(
        table,
        tenant_id=tenant,
        job_id=str(headers.job_id),
        batch_id=headers.batch_id,
        retention_days=headers.retention_days,
    )
    return Batch(raw, tenant, headers, keyed)


async def store_batches(raws: list[Msg], deps: WriterDeps) -> None:
    """Store a pulled group of entry-batch messages (see the module docstring)."""
    batches: list[Batch] = []
    for raw in raws:
        try:
            batches.append(decode(raw))
        except PoisonMessage as exc:
            await dead_letter(deps.broker, raw, str(exc), consumer=CONSUMER)
    try:
        fresh = await _not_yet_stored(batches, deps)
        await _insert(fresh, deps)
        await _record(fresh, deps)
    except Exception as exc:
        await _retry_or_give_up(batches, deps, exc)
        return
    for batch in batches:
        headers = batch.headers
        stored = BatchStored(
            job_id=headers.job_id,
            tenant_id=headers.tenant_id,
            batch_id=headers.batch_id,
            table=headers.table,
            rows=headers.rows,
        )
        await publish(
            deps.broker,
            "jobs.stored",
            stored,
            tenant=batch.tenant,
            msg_id=f"{headers.job_id}:stored:{headers.batch_id}",
        )
        await batch.raw.ack()


async def _not_yet_stored(batches: list[Batch], deps: WriterDeps) -> list[Batch]:
    fresh = []
    for batch in batches:
        async with deps.database.tenant(batch.tenant) as conn:
            recorded = await batches_repo.is_batch_recorded(
                conn, batch.headers.job_id, batch.headers.batch_id
            )
        if not recorded:
            fresh.append(batch)
    return fresh


async def _insert(batches: list[Batch], deps: WriterDeps) -> None:
    by_table: dict[str, list[Batch]] = defaultdict(list)
    for batch in batches:
        by_table[batch.headers.table].append(batch)
    client = deps.clickhouse
    for table_name, group in by_table.items():
        for batch in group:
            if deliveries(batch.raw) > 1:  # it may have been inserted before a crash
                await client.run(
                    delete_batches,
                    client.client,
                    client.database,
                    table_name,
                    batch.tenant,
                    str(batch.headers.job_id),
                    [batch.headers.batch_id],
                )
        combined = pa.concat_tables([b.rows for b in group], promote_options="default")
        token = "|".join(sorted(f"{b.headers.job_id}:{b.headers.batch_id}" for b in group))
        await client.run(
            insert_table,
            client.client,
            client.database,
            table_name,
            combined,
            {"insert_deduplication_token": token},
        )


async def _record(batches: list[Batch], deps: WriterDeps) -> None:
    for batch in batches:
        headers = batch.headers
        async with deps.database.tenant(batch.tenant) as conn:
            await batches_repo.record_batch(
                conn, headers.job_id, headers.batch_id, table_name=headers.table, rows=headers.rows
            )


async def _retry_or_give_up(batches: list[Batch], deps: WriterDeps, exc: Exception) -> None:
    for batch in batches:
        if deliveries(batch.raw) >= MAX_DELIVERIES:
            await dead_letter(
                deps.broker, batch.raw, f"could not be stored: {exc!r}", consumer=CONSUMER
            )
        else:
            await batch.raw.nak(delay=2.0)
    logger.warning("%d batches not stored yet (%r); they will be retried", len(batches), exc)
