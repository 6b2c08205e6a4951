"""Delivery is at-least-once; the effect must be exactly-once: a batch delivered twice adds no
rows — whether JetStream drops the copy (same message id, inside the duplicate window), the
writer's ledger recognises it (a new message after the window), or a writer died between its
insert and its acknowledgement (the same message delivered again)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path
from uuid import UUID

import pytest
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig

from remedyiq_analysis.load import insert_bodies
from remedyiq_platform.contracts.subjects import subject, wildcard
from remedyiq_platform.stores import batches_repo
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_writer import entries

from .conftest import CliAnalyses
from .harness import Pipeline, Platform, batches_published, start_pipeline

pytestmark = pytest.mark.slow
SMALL_LOG = "sample1_trid_mssql.log"


async def _row_counts(platform: Platform, tenant: UUID, job_id: UUID) -> tuple[int, int]:
    return (
        await platform.count_rows("log_entries", tenant, job_id),
        await platform.count_rows("log_gaps", tenant, job_id),
    )


async def test_a_batch_published_again_adds_no_rows(
    fixtures_dir: Path, pipeline: Pipeline, cli: CliAnalyses
) -> None:
    path = fixtures_dir / SMALL_LOG
    platform = pipeline.platform
    tenant = await platform.new_tenant()
    captured: list[Msg] = []

    async def capture(msg: Msg) -> None:
        captured.append(msg)

    # a plain NATS subscriber sees every batch published to the tenant's entries subject
    tap = await pipeline.nc.subscribe(subject("jobs.entries", tenant), cb=capture)
    try:
        job_id, end = await pipeline.run_job(tenant, path.name, path.read_bytes())
    finally:
        await tap.unsubscribe()
    assert end.status == "complete", end.error_message
    expected = await cli.analyse(path)
    counts = await _row_counts(platform, tenant, job_id)
    assert counts == (expected.entries, expected.gaps)
    tables = {msg.headers["table"] for msg in captured if msg.headers}
    assert tables == {"log_entries", "log_gaps"}
    before = await pipeline.js.stream_info("JOBS_ENTRIES")

    # 1. the same message id again, inside the duplicate window: JetStream drops the copy
    for msg in captured:
        assert msg.headers is not None
        assert msg.headers["Nats-Msg-Id"]
        ack = await pipeline.js.publish(msg.subject, msg.data, headers=msg.headers)
        assert ack.duplicate
    after = await pipeline.js.stream_info("JOBS_ENTRIES")
    assert after.state.last_seq == before.state.last_seq

    # 2. a copy JetStream cannot recognise (a redelivery after the window): every batch again
    last = 0
    for msg in captured:
        assert msg.headers is not None
        headers = {k: v for k, v in msg.headers.items() if k != "Nats-Msg-Id"}
        last = await pipeline.publish_raw(msg.subject, msg.data, headers)
    await pipeline.consumer_idle("JOBS_ENTRIES", "writer", last)
    await pipeline.consumer_idle("JOBS", "ingest-stored")

    assert await _row_counts(platform, tenant, job_id) == counts
    job = await platform.job(tenant, job_id)
    assert job is not None
    assert job.status == JobStatus.COMPLETE
    assert job.rows_stored == sum(counts)
    async with platform.db.tenant(tenant) as conn:
        totals = await batches_repo.batch_totals(conn, job_id)
    assert (totals.batches, totals.rows) == (len(captured), sum(counts))
    report = await platform.report(tenant, job_id)
    assert report == expected.report


async def test_redelivery_after_a_writer_died_between_insert_and_ack(
    fixtures_dir: Path, platform: Platform, tmp_path: Path, cli: CliAnalyses
) -> None:
    """A writer pulled a job's batches, inserted them (one grouped insert, as it does), recorded
    some in its ledger, and died before acknowledging any. JetStream delivers them again to
    the next writer: the job completes with exactly the rows ``remedyiq analyze`` loads."""
    path = fixtures_dir / SMALL_LOG
    async with start_pipeline(
        platform, tmp_path, batch_rows=100, services=("ingest", "parser")
    ) as pipeline:
        tenant = await platform.new_tenant()
        # the writers' durable consumer (the writer service binds to it when it starts)
        await pipeline.js.add_consumer(
            "JOBS_ENTRIES",
            ConsumerConfig(
                durable_name=entries.CONSUMER,
                filter_subject=wildcard("jobs.entries"),
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=30.0,
                max_ack_pending=64,
            ),
        )
        dying = await pipeline.js.pull_subscribe_bind(entries.CONSUMER, stream="JOBS_ENTRIES")
        job_id = await pipeline.submit(tenant, path.name, path.read_bytes())
        expected_batches = await batches_published(platform, tenant, job_id)
        assert expected_batches >= 4  # several parser batches plus the ingest's join batches
        pulled: list[Msg] = []
        async with asyncio.timeout(30):
            while len(pulled) < expected_batches:
                pulled.extend(await dying.fetch(expected_batches - len(pulled), timeout=5))
        assert len(pulled) == expected_batches

        # the dying writer's work: one insert per table of everything it pulled...
        decoded = [entries.decode(msg) for msg in pulled]
        by_table: dict[str, list[entries.Batch]] = defaultdict(list)
        for batch in decoded:
            by_table[batch.headers.table].append(batch)
        clickhouse = platform.clickhouse
        for table, group in by_table.items():
            await clickhouse.run(
                insert_bodies,
                clickhouse.client,
                clickhouse.database,
                table,
                [b.raw.data for b in group],
                {"insert_deduplication_token": entries.insert_token(group)},
            )
        # ...half of them recorded in the ledger, then it died: nothing acknowledged
        async with platform.db.tenant(tenant) as conn:
            for batch in decoded[::2]:
                await batches_repo.record_batch(
                    conn,
                    job_id,
                    batch.headers.batch_id,
                    table_name=batch.headers.table,
                    rows=batch.headers.rows,
                )
        for msg in pulled:
            await msg.nak()
        await dying.unsubscribe()

        await pipeline.start_more(("writer",))
        end = await pipeline.wait_end(tenant, job_id, within_s=60)

        assert end.status == "complete", end.error_message
        expected = await cli.analyse(path)
        assert await _row_counts(platform, tenant, job_id) == (expected.entries, expected.gaps)
        assert await platform.report(tenant, job_id) == expected.report
        job = await platform.job(tenant, job_id)
        assert job is not None
        assert job.rows_stored == expected.entries + expected.gaps
