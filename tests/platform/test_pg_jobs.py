"""Jobs, ranges and batches: idempotent creation, the status lifecycle, pagination."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from remedyiq_platform.stores import batches_repo, files_repo, jobs_repo, ranges_repo
from remedyiq_platform.stores.errors import ConflictError, IllegalTransitionError, NotFoundError
from remedyiq_platform.stores.jobstatus import PIPELINE, JobStatus, can_transition
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.ranges_repo import RangePlan

S = JobStatus


@pytest.fixture
def db(session_db: Database) -> Database:
    """The session's database: tests here isolate themselves by tenant."""
    return session_db


async def new_job(db: Database, tenant: UUID, **kwargs: object) -> jobs_repo.Job:
    """A file and a queued job on it."""
    file_id = uuid.uuid4()
    async with db.tenant(tenant) as conn:
        await files_repo.create_file(
            conn,
            file_id=file_id,
            filename="x.log",
            s3_bucket="b",
            s3_key=file_key(tenant, file_id, "x.log"),
        )
        return await jobs_repo.create_job(conn, job_id=uuid.uuid4(), file_id=file_id, **kwargs)  # type: ignore[arg-type]


async def test_create_is_idempotent_on_id(db: Database, tenant_a: UUID, tenant_b: UUID) -> None:
    job = await new_job(
        db, tenant_a, jar_flags={"top_n": 50, "group_by": "user"}, created_by="u1", bytes_total=9
    )
    assert (job.status, job.progress_pct, job.jar_flags) == (
        S.QUEUED,
        0,
        {"top_n": 50, "group_by": "user"},
    )
    assert (job.tenant_id, job.created_by, job.bytes_total, job.started_at) == (
        tenant_a,
        "u1",
        9,
        None,
    )
    async with db.tenant(tenant_a) as conn:
        again = await jobs_repo.create_job(
            conn, job_id=job.id, file_id=job.file_id, jar_flags={"other": True}
        )
        assert again == job  # the existing row, unchanged
        assert await jobs_repo.get_job(conn, job.id) == job
        assert await jobs_repo.get_job(conn, uuid.uuid4()) is None
    other = await new_job(db, tenant_b)
    with pytest.raises(ConflictError, match="already in use"):
        async with db.tenant(tenant_b) as conn:
            await jobs_repo.create_job(conn, job_id=job.id, file_id=other.file_id)


async def test_happy_path_sets_timestamps_and_counts(db: Database, tenant_a: UUID) -> None:
    job = await new_job(db, tenant_a)
    async with db.tenant(tenant_a) as conn:
        parsing = await jobs_repo.update_job(conn, job.id, status=S.PARSING, progress_pct=5)
        assert parsing.started_at is not None
        assert parsing.completed_at is None
        same = await jobs_repo.update_job(
            conn, job.id, status=S.PARSING, progress_pct=30, bytes_parsed=100
        )
        assert (same.progress_pct, same.bytes_parsed) == (30, 100)
        older = await jobs_repo.update_job(conn, job.id, progress_pct=10)  # out of order
        assert older.progress_pct == 30
        await jobs_repo.update_job(conn, job.id, status=S.STORING, rows_stored=10)
        await jobs_repo.update_job(conn, job.id, status=S.ANALYZING)
        start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
        done = await jobs_repo.update_job(
            conn,
            job.id,
            status=S.COMPLETE,
            api_count=1,
            sql_count=2,
            filter_count=3,
            esc_count=4,
            total_lines=10,
            processed_lines=10,
            log_start=start,
            log_end=end,
        )
    assert done.status == S.COMPLETE
    assert done.progress_pct == 100
    assert (done.api_count, done.sql_count, done.filter_count, done.esc_count) == (1, 2, 3, 4)
    assert (done.log_start, done.log_end, done.rows_stored) == (start, end, 10)
    assert done.completed_at is not None
    assert done.started_at == parsing.started_at
    assert done.updated_at >= done.created_at


ALL = list(JobStatus)


def _legal(current: JobStatus, target: JobStatus) -> bool:
    if current.is_final:
        return False
    if target in (current, S.FAILED, S.CANCELLED):
        return True
    return PIPELINE.index(target) == PIPELINE.index(current) + 1


@pytest.mark.parametrize("current", ALL)
def test_transition_table(current: JobStatus) -> None:
    for target in ALL:
        assert can_transition(current, target) is _legal(current, target), (current, target)


async def _job_in(db: Database, tenant: UUID, status: JobStatus) -> jobs_repo.Job:
    job = await new_job(db, tenant)
    path = [*PIPELINE[1 : PIPELINE.index(status) + 1]] if status in PIPELINE else [status]
    async with db.tenant(tenant) as conn:
        for step in path:
            job = await jobs_repo.update_job(conn, job.id, status=step)
    assert job.status == status
    return job


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.QUEUED, S.STORING),
        (S.QUEUED, S.COMPLETE),
        (S.PARSING, S.QUEUED),
        (S.STORING, S.PARSING),
        (S.ANALYZING, S.STORING),
        (S.COMPLETE, S.FAILED),
        (S.COMPLETE, S.PARSING),
        (S.FAILED, S.QUEUED),
        (S.FAILED, S.COMPLETE),
        (S.CANCELLED, S.PARSING),
    ],
)
async def test_illegal_transitions_raise(
    db: Database, tenant_a: UUID, current: JobStatus, target: JobStatus
) -> None:
    job = await _job_in(db, tenant_a, current)
    with pytest.raises(IllegalTransitionError, match=f"{current} -> {target}") as info:
        async with db.tenant(tenant_a) as conn:
            await jobs_repo.update_job(conn, job.id, status=target)
    assert (info.value.current, info.value.target) == (current, target)
    async with db.tenant(tenant_a) as conn:
        unchanged = await jobs_repo.get_job(conn, job.id)
    assert unchanged == job


async def test_final_jobs_never_change(db: Database, tenant_a: UUID) -> None:
    job = await _job_in(db, tenant_a, S.COMPLETE)
    async with db.tenant(tenant_a) as conn:
        # A redelivered completion is a no-op...
        assert await jobs_repo.update_job(conn, job.id, status=S.COMPLETE, api_count=99) == job
        # ...but progress on a final job, or cancelling it, is refused.
        with pytest.raises(IllegalTransitionError):
            await jobs_repo.update_job(conn, job.id, progress_pct=50)
        with pytest.raises(IllegalTransitionError):
            await jobs_repo.cancel_job(conn, job.id)


async def test_database_trigger_is_a_backstop(db: Database, tenant_a: UUID) -> None:
    job = await _job_in(db, tenant_a, S.FAILED)
    with pytest.raises(asyncpg.CheckViolationError, match="is final"):
        async with db.tenant(tenant_a) as conn:
            await conn.execute("UPDATE analysis_jobs SET status = 'parsing' WHERE id = $1", job.id)
    queued = await new_job(db, tenant_a)
    with pytest.raises(asyncpg.CheckViolationError, match="illegal status transition"):
        async with db.tenant(tenant_a) as conn:
            await conn.execute(
                "UPDATE analysis_jobs SET status = 'analyzing' WHERE id = $1", queued.id
            )


async def test_cancel_and_fail(db: Database, tenant_a: UUID) -> None:
    job = await _job_in(db, tenant_a, S.STORING)
    async with db.tenant(tenant_a) as conn:
        cancelled = await jobs_repo.cancel_job(conn, job.id, reason="user asked")
        assert (cancelled.status, cancelled.error_message) == (S.CANCELLED, "user asked")
        assert cancelled.completed_at is not None
        assert await jobs_repo.cancel_job(conn, job.id) == cancelled  # idempotent
        with pytest.raises(NotFoundError):
            await jobs_repo.cancel_job(conn, uuid.uuid4())
    other = await _job_in(db, tenant_a, S.QUEUED)
    async with db.tenant(tenant_a) as conn:
        failed = await jobs_repo.update_job(conn, other.id, status=S.FAILED, error_message="bad")
    assert (failed.status, failed.error_message) == (S.FAILED, "bad")
    assert failed.started_at is None  # it failed in the queue: it never started
    assert failed.completed_at is not None
    with pytest.raises(ValueError, match="progress_pct"):
        async with db.tenant(tenant_a) as conn:
            await jobs_repo.update_job(conn, other.id, progress_pct=101)


async def test_concurrent_updates_serialise(db: Database, tenant_a: UUID) -> None:
    job = await _job_in(db, tenant_a, S.PARSING)

    async def move(target: JobStatus) -> str:
        try:
            async with db.tenant(tenant_a) as conn:
                return str((await jobs_repo.update_job(conn, job.id, status=target)).status)
        except IllegalTransitionError:
            return "refused"

    results = await asyncio.gather(move(S.COMPLETE), move(S.FAILED), move(S.CANCELLED))
    # complete is illegal from parsing; whichever of failed/cancelled locks the row first wins,
    # and the other then finds a final job.
    assert results[0] == "refused"
    assert sorted(results[1:]) in (["cancelled", "refused"], ["failed", "refused"])


async def test_list_with_status_filter_and_keyset_pages(db: Database, tenant_a: UUID) -> None:
    jobs = [await new_job(db, tenant_a) for _ in range(7)]
    async with db.tenant(tenant_a) as conn:
        for job in jobs[:3]:
            await jobs_repo.update_job(conn, job.id, status=S.PARSING)
        seen: list[UUID] = []
        cursor: str | None = None
        while True:
            page = await jobs_repo.list_jobs(conn, limit=3, cursor=cursor)
            seen += [j.id for j in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        expected = sorted(jobs, key=lambda j: (j.created_at, j.id), reverse=True)
        assert seen == [j.id for j in expected]
        parsing = await jobs_repo.list_jobs(conn, status=S.PARSING)
        assert {j.id for j in parsing.items} == {j.id for j in jobs[:3]}
        assert parsing.next_cursor is None
        assert (await jobs_repo.list_jobs(conn, status=S.COMPLETE)).items == []
        with pytest.raises(ValueError, match="cursor"):
            await jobs_repo.list_jobs(conn, cursor="garbage!")
        with pytest.raises(ValueError, match="page size"):
            await jobs_repo.list_jobs(conn, limit=0)


async def test_ranges_are_planned_and_marked_idempotently(db: Database, tenant_a: UUID) -> None:
    job = await new_job(db, tenant_a)
    plan = [RangePlan(1, 100, 250), RangePlan(0, 0, 100, first_line=1), RangePlan(2, 0, 50, 2)]
    async with db.tenant(tenant_a) as conn:
        stored = await ranges_repo.plan_ranges(conn, job.id, plan)
        assert [r.range_index for r in stored] == [0, 1, 2]
        assert await ranges_repo.plan_ranges(conn, job.id, plan) == stored  # replanned: same
        with pytest.raises(ConflictError, match="different range plan"):
            await ranges_repo.plan_ranges(conn, job.id, [RangePlan(0, 0, 99)])
        with pytest.raises(ValueError, match="indexed"):
            await ranges_repo.plan_ranges(conn, job.id, [RangePlan(1, 0, 1)])
        counts = await ranges_repo.range_counts(conn, job.id)
        assert (counts.total, counts.parsed, counts.all_parsed) == (3, 0, False)

        first, new = await ranges_repo.mark_range_parsed(
            conn, job.id, 1, batches=3, rows=300, summary_key=f"tenants/{tenant_a}/artefacts/r1"
        )
        assert new
        assert (first.status, first.batches, first.rows) == ("parsed", 3, 300)
        again, new = await ranges_repo.mark_range_parsed(conn, job.id, 1, batches=9, rows=9)
        assert not new
        assert again == first  # the first figures stay
        for index in (0, 2):
            await ranges_repo.mark_range_parsed(conn, job.id, index, batches=1, rows=10)
        counts = await ranges_repo.range_counts(conn, job.id)
        assert (counts.parsed, counts.batches, counts.rows, counts.all_parsed) == (3, 5, 320, True)
        with pytest.raises(NotFoundError):
            await ranges_repo.mark_range_parsed(conn, job.id, 7, batches=0, rows=0)
        listed = await ranges_repo.list_ranges(conn, job.id)
        assert [r.plan() for r in listed] == sorted(plan, key=lambda r: r.range_index)


async def test_batches_are_recorded_once(db: Database, tenant_a: UUID) -> None:
    job = await new_job(db, tenant_a)
    async with db.tenant(tenant_a) as conn:
        assert await batches_repo.record_batch(conn, job.id, "r0-b0", table_name="t", rows=100)
        assert not await batches_repo.record_batch(conn, job.id, "r0-b0", table_name="t", rows=100)
        assert await batches_repo.record_batch(conn, job.id, "r0-b1", table_name="t", rows=50)
        assert await batches_repo.is_batch_recorded(conn, job.id, "r0-b1")
        assert not await batches_repo.is_batch_recorded(conn, job.id, "r9-b9")
        totals = await batches_repo.batch_totals(conn, job.id)
        assert (totals.batches, totals.rows) == (2, 150)
        with pytest.raises(ValueError, match="batch"):
            await batches_repo.record_batch(conn, job.id, "", table_name="t", rows=1)

    async def redeliver() -> bool:
        async with db.tenant(tenant_a) as conn:
            return await batches_repo.record_batch(conn, job.id, "r1-b0", table_name="t", rows=7)

    # Concurrent redeliveries of one batch: recorded once.
    assert sorted(await asyncio.gather(*(redeliver() for _ in range(3)))) == [False, False, True]
