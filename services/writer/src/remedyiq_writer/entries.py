"""Storing parsed entry batches: many messages, few large inserts, every row exactly once.

Pulled messages are checked as they arrive (the unusable ones are dead-lettered) and wait in
:mod:`remedyiq_writer.pending` until there are rows enough for one large insert. For each such
group: skip those the ledger (PostgreSQL ``job_batches``) already has; for messages delivered
again after a crash, delete whatever rows they may have left; insert all the rest in one insert
per table (rows carry their ``batch_id``); record them in the ledger; announce them on
``jobs.{tenant}.stored``; and only then acknowledge. A crash anywhere before the acknowledgement
redelivers the messages, and every step above is idempotent. A group that cannot be stored is
stored again one batch at a time, so that a poison batch is retried (and dead-lettered) alone.
A batch given up on is announced on ``jobs.{tenant}.stored`` with the reason: its job fails
rather than wait for it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from faststream.nats import NatsBroker
from nats.aio.msg import Msg

from remedyiq_analysis.batchbody import BadBody, check
from remedyiq_analysis.load import delete_batches, insert_bodies
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.contracts.messages import BatchStored, EntryBatchHeaders
from remedyiq_platform.messaging import (
    MAX_DELIVERIES,
    PoisonMessage,
    dead_letter,
    deliveries,
    keep_in_progress,
    open_headers,
    publish,
    retry_or_dead_letter,
)
from remedyiq_platform.stores import batches_repo
from remedyiq_platform.stores.postgres import Database

logger = logging.getLogger(__name__)
CONSUMER = "writer"


@dataclass(slots=True)
class WriterDeps:
    broker: NatsBroker
    clickhouse: ClickHouse
    ack_wait_s: float = 30.0  # a crashed writer's batches go to another after this
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


class UnusableBody(PoisonMessage):
    """Valid headers (the job is known) but a body that can never be stored."""

    def __init__(self, reason: str, tenant: str, headers: EntryBatchHeaders) -> None:
        super().__init__(reason)
        self.tenant = tenant
        self.headers = headers


def decode(raw: Msg) -> Batch:
    """Checked metadata and body of one entry batch; :class:`PoisonMessage` if unusable.

    The body's rows are not decoded here: only its schema and key columns are checked
    (``batchbody.check``), and ClickHouse decodes the rest on insert.
    """
    tenant, headers = open_headers(raw, EntryBatchHeaders)
    try:
        rows = check(
            raw.data,
            headers.table,
            tenant_id=tenant,
            job_id=str(headers.job_id),
            batch_id=headers.batch_id,
            retention_days=headers.retention_days,
        )
    except BadBody as exc:
        raise UnusableBody(str(exc), tenant, headers) from None
    if rows != headers.rows:
        raise UnusableBody(
            f"the batch holds {rows} rows, its headers say {headers.rows}", tenant, headers
        )
    return Batch(raw, tenant, headers)


async def accept(raws: list[Msg], deps: WriterDeps) -> list[Batch]:
    """The usable batches of pulled messages; the others are dead-lettered with the reason."""
    batches: list[Batch] = []
    for raw in raws:
        try:
            batches.append(decode(raw))
        except UnusableBody as exc:
            await _announce_failure(exc.tenant, exc.headers, deps, str(exc))
            await dead_letter(deps.broker, raw, str(exc), consumer=CONSUMER)
        except PoisonMessage as exc:
            await dead_letter(deps.broker, raw, str(exc), consumer=CONSUMER)
    return batches


async def store(batches: list[Batch], deps: WriterDeps) -> None:
    """Store accepted batches together (see the module docstring)."""
    async with keep_in_progress([batch.raw for batch in batches], deps.ack_wait_s):
        await _store(batches, deps)


async def _store(batches: list[Batch], deps: WriterDeps) -> None:
    try:
        await _store_group(batches, deps)
    except Exception as exc:
        if len(batches) < 2:
            await _retry_or_give_up(batches, deps, exc)
            return
        # One batch ClickHouse refuses must not hold up the others (other jobs, other
        # tenants): store them one by one; only the failing ones are retried.
        logger.warning("%d batches not stored together (%r); one by one", len(batches), exc)
        for batch in batches:
            try:
                await _store_group([batch], deps, alone=True)
            except Exception as single:
                await _retry_or_give_up([batch], deps, single)
            else:
                await _announce([batch], deps)
        return
    await _announce(batches, deps)


async def _store_group(batches: list[Batch], deps: WriterDeps, *, alone: bool = False) -> None:
    fresh = await _not_yet_stored(batches, deps)
    await _insert(fresh, deps, alone=alone)
    await _record(fresh, deps)


async def _announce(batches: list[Batch], deps: WriterDeps) -> None:
    """``jobs.{tenant}.stored`` for stored batches, then their acknowledgement."""
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
    recorded: set[int] = set()
    for tenant, group in _by_tenant(batches).items():  # one transaction per tenant
        async with deps.database.tenant(tenant) as conn:
            for batch in group:
                headers = batch.headers
                if await batches_repo.is_batch_recorded(conn, headers.job_id, headers.batch_id):
                    recorded.add(id(batch))
    return [batch for batch in batches if id(batch) not in recorded]


def _by_tenant(batches: list[Batch]) -> dict[str, list[Batch]]:
    by_tenant: dict[str, list[Batch]] = defaultdict(list)
    for batch in batches:
        by_tenant[batch.tenant].append(batch)
    return by_tenant


async def _insert(batches: list[Batch], deps: WriterDeps, *, alone: bool = False) -> None:
    """One insert per table; ``alone``: a batch whose group insert failed, perhaps in part."""
    by_table: dict[str, list[Batch]] = defaultdict(list)
    for batch in batches:
        by_table[batch.headers.table].append(batch)
    client = deps.clickhouse
    for table_name, group in by_table.items():
        for batch in group:
            if alone or deliveries(batch.raw) > 1:  # it may have been inserted before
                await client.run(
                    delete_batches,
                    client.client,
                    client.database,
                    table_name,
                    tenant_id=batch.tenant,
                    job_id=str(batch.headers.job_id),
                    batch_ids=[batch.headers.batch_id],
                )
        await client.run(
            insert_bodies,
            client.client,
            client.database,
            table_name,
            [batch.raw.data for batch in group],
            {"insert_deduplication_token": insert_token(group, alone=alone)},
        )


def insert_token(group: list[Batch], *, alone: bool = False) -> str:
    """The deduplication token of one insert of ``group``: of this delivery of its batches.

    A batch delivered again had its rows deleted just before; if the same group came again
    with the token of its first insert, ClickHouse would drop the insert as a duplicate and
    the batch would be lost. The delivery count makes each attempt's token its own, and
    ``alone`` marks the one-by-one attempt after a failed group insert of the same delivery.
    """
    token = "|".join(
        sorted(f"{b.headers.job_id}:{b.headers.batch_id}:{deliveries(b.raw)}" for b in group)
    )
    return f"{token}|alone" if alone else token


async def _record(batches: list[Batch], deps: WriterDeps) -> None:
    for tenant, group in _by_tenant(batches).items():  # one transaction per tenant
        async with deps.database.tenant(tenant) as conn:
            for batch in group:
                headers = batch.headers
                await batches_repo.record_batch(
                    conn,
                    headers.job_id,
                    headers.batch_id,
                    table_name=headers.table,
                    rows=headers.rows,
                )


async def _retry_or_give_up(batches: list[Batch], deps: WriterDeps, exc: Exception) -> None:
    reason = f"could not be stored: {exc!r}"
    for batch in batches:
        if deliveries(batch.raw) >= MAX_DELIVERIES:
            await _announce_failure(batch.tenant, batch.headers, deps, reason)
        await retry_or_dead_letter(deps.broker, batch.raw, reason, consumer=CONSUMER, delay_s=2.0)
    logger.warning("%d batches not stored (%r)", len(batches), exc)


async def _announce_failure(
    tenant: str, headers: EntryBatchHeaders, deps: WriterDeps, reason: str
) -> None:
    """``jobs.{tenant}.stored`` with the reason a batch will never be stored: its job fails."""
    failed = BatchStored(
        job_id=headers.job_id,
        tenant_id=headers.tenant_id,
        batch_id=headers.batch_id,
        table=headers.table,
        rows=0,
        error=f"batch {headers.batch_id} ({headers.table}): {reason}",
    )
    await publish(
        deps.broker,
        "jobs.stored",
        failed,
        tenant=tenant,
        msg_id=f"{headers.job_id}:stored:{headers.batch_id}:failed",
    )
