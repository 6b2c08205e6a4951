"""Crash safety of the pipeline (design.md §8, issue 3 item 5): the services as separate
processes on real servers, a fault in the middle of a job, and still exactly the right result.

Each test submits the same generated log, injects its fault once the job is observably under
way, and then checks that the job completes; that ClickHouse holds exactly the rows the parser
library yields for the file — no line twice, each batch with the rows the writer's ledger
recorded — and its gap rows; and that the stored report equals ``remedyiq analyze``'s.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from remedyiq_platform.contracts.messages import JobComplete
from remedyiq_platform.stores.jobstatus import JobStatus

from .conftest import Expected
from .harness import Platform, ServiceProcess

pytestmark = pytest.mark.slow


async def assert_under_way(platform: Platform, job_id: UUID) -> None:
    """The fault comes in the middle of the job, not before or after it."""
    job = await platform.job_row(job_id)
    assert job.status in (JobStatus.PARSING, JobStatus.STORING), job.status


async def assert_exact(
    platform: Platform, owner: ServiceProcess, end: JobComplete, expected: Expected
) -> None:
    assert end.status == "complete", end.error_message
    job = await platform.job_row(end.job_id)
    assert job.status == JobStatus.COMPLETE
    report = await platform.stored_report(end.job_id)
    ledger = await platform.ledger(end.job_id)
    owner.stop()  # graceful; frees the chDB directory for reading
    counts = await platform.count_rows(end.job_id)
    assert counts.entries == expected.entries
    assert counts.distinct_entries == expected.entries, "a log line was stored twice"
    assert counts.gaps == expected.gaps
    assert counts.batches == ledger, "ClickHouse and the writer's batch ledger disagree"
    assert job.rows_stored == end.counts.rows_stored == expected.entries + expected.gaps
    assert report == expected.report


async def test_writer_killed_mid_job(
    platform: Platform, chaos_log: Path, expected: Expected
) -> None:
    """kill -9 of the process that owns ClickHouse (ingest + writer) right after the writer
    inserted a batch and before it recorded it in its ledger — the window in which a crash
    leaves rows behind that the batch's redelivery must neither double nor lose. The process
    is started again and finishes the job."""
    owner = platform.service("ingest-writer", "ingest,writer")
    parser = platform.service("parser", "parser")
    await platform.start_services(owner, parser)
    async with platform.job(chaos_log) as (watch, ended):
        await watch.wait("stored", 2)
        async with platform.ledger_locked() as writer_waits:
            await writer_waits()
            await assert_under_way(platform, watch.job_id)
            assert await platform.in_flight("JOBS_ENTRIES", "writer") > 0
            owner.kill()
        await platform.start_services(owner)
        end = await platform.wait_end(ended, watch.job_id)
        delivered, batches = await platform.deliveries("JOBS_ENTRIES", "writer")
    assert delivered > batches, "the batch the killed writer held was not delivered again"
    await assert_exact(platform, owner, end, expected)


async def test_parser_killed_mid_job(
    platform: Platform, chaos_log: Path, expected: Expected
) -> None:
    """kill -9 of one of two parser replicas while each parses a range and batches are being
    published: the other replica parses the dead one's range again."""
    owner = platform.service("ingest-writer", "ingest,writer")
    first = platform.service("parser-1", "parser")
    second = platform.service("parser-2", "parser")
    await platform.start_services(owner, first, second)
    async with platform.job(chaos_log) as (watch, ended):
        await watch.wait("entries", 1)
        await platform.wait_in_flight("JOBS_RANGES", "parser", at_least=2)  # one range each
        await assert_under_way(platform, watch.job_id)
        first.kill()
        end = await platform.wait_end(ended, watch.job_id)
        delivered, ranges = await platform.deliveries("JOBS_RANGES", "parser")
    assert delivered > ranges, "the killed replica's range was not delivered again"
    assert second.alive, "the surviving parser died"
    await assert_exact(platform, owner, end, expected)


async def test_nats_restarted_mid_job(
    platform: Platform, chaos_log: Path, expected: Expected
) -> None:
    """NATS stops while batches are being stored, stays down until every service has noticed
    (their readiness says so), and starts again on the same port with its file store: the
    services reconnect and the job completes."""
    owner = platform.service("ingest-writer", "ingest,writer")
    parser = platform.service("parser", "parser")
    await platform.start_services(owner, parser)
    async with platform.job(chaos_log) as (watch, ended):
        await watch.wait("stored", 2)
        await assert_under_way(platform, watch.job_id)
        await platform.nats_outage()
        end = await platform.wait_end(ended, watch.job_id)
    assert owner.alive, "the ingest + writer process died"
    assert parser.alive, "the parser died"
    await owner.wait_ready()  # ready again: connected to NATS
    await parser.wait_ready()
    await assert_exact(platform, owner, end, expected)
