"""Redis: job status cache (TTL once final, ordered writes), caches, the rate limiter, keys."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from remedyiq_platform.stores.errors import InvalidTenantError
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.redis_keys import RedisKeys
from remedyiq_platform.stores.status import JobStatusSnapshot, StatusCache, snapshot_of

TENANT = uuid.UUID("0b7f6a4e-8d0c-4f39-9a8e-6a1f6f0c2b11")
OTHER = uuid.UUID("5d2c1e0f-3b4a-4c8d-9e7f-1a2b3c4d5e6f")
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def cache(redis_url: str) -> AsyncIterator[StatusCache]:
    """A StatusCache on this test's own (empty) Redis database."""
    opened = StatusCache.from_url(redis_url, socket_timeout=2, connect_timeout=2)
    yield opened
    await opened.close()


def snap(job_id: uuid.UUID, status: JobStatus, pct: int, at: datetime) -> JobStatusSnapshot:
    """A status snapshot."""
    return JobStatusSnapshot(
        job_id=job_id, status=status, progress_pct=pct, counts={"rows": pct}, updated_at=at
    )


def test_keys() -> None:
    keys = RedisKeys()
    job = uuid.uuid4()
    assert keys.job_status(TENANT, job) == f"cache:{TENANT}:job:{job}:status"
    assert keys.cache(str(TENANT), "dashboard", str(job)) == f"cache:{TENANT}:dashboard:{job}"
    assert keys.rate(TENANT, "ai", "user_2abc") == f"rate:{TENANT}:ai:user_2abc"
    assert RedisKeys("staging:").rate(TENANT, "upload") == f"staging:rate:{TENANT}:upload"
    for bad in ("a:b", "*", "a?", "[ab]", "a b", "", "x" * 200):
        with pytest.raises(ValueError, match="segment"):
            keys.cache(TENANT, bad)
    for tenant in ("*", f"{TENANT}:x", "tenant-a", ""):
        with pytest.raises(InvalidTenantError):
            keys.cache(tenant, "x")
    with pytest.raises(ValueError, match="name"):
        keys.cache(TENANT)
    with pytest.raises(ValueError, match="namespace"):
        RedisKeys("no-colon")


async def test_running_status_has_no_ttl_final_has_one_hour(cache: StatusCache) -> None:
    job = uuid.uuid4()
    key = cache.keys.job_status(TENANT, job)
    assert await cache.get_job_status(TENANT, job) is None
    running = snap(job, JobStatus.PARSING, 10, T0)
    assert await cache.set_job_status(TENANT, running)
    assert await cache.get_job_status(TENANT, job) == running
    assert await cache.redis.ttl(key) == -1  # kept while the job runs
    assert await cache.get_job_status(OTHER, job) is None  # tenant-scoped

    done = snap(job, JobStatus.COMPLETE, 100, T0 + timedelta(seconds=5))
    assert await cache.set_job_status(TENANT, done)
    assert 3590 <= await cache.redis.ttl(key) <= 3600
    assert await cache.get_job_status(TENANT, job) == done


async def test_status_writes_are_ordered_and_final_is_final(cache: StatusCache) -> None:
    job = uuid.uuid4()
    assert await cache.set_job_status(TENANT, snap(job, JobStatus.STORING, 50, T0))
    # An older progress message arriving late is ignored; an equal timestamp is accepted.
    assert not await cache.set_job_status(
        TENANT, snap(job, JobStatus.PARSING, 40, T0 - timedelta(seconds=1))
    )
    assert await cache.set_job_status(TENANT, snap(job, JobStatus.STORING, 55, T0))
    assert await cache.set_job_status(
        TENANT, snap(job, JobStatus.FAILED, 55, T0 + timedelta(seconds=1))
    )
    # After a final status nothing changes, not even a newer one.
    assert not await cache.set_job_status(
        TENANT, snap(job, JobStatus.ANALYZING, 90, T0 + timedelta(seconds=9))
    )
    cached = await cache.get_job_status(TENANT, job)
    assert cached is not None
    assert (cached.status, cached.progress_pct) == (JobStatus.FAILED, 55)


async def test_final_status_expires(redis_url: str) -> None:
    short = StatusCache.from_url(redis_url, final_ttl_s=1)
    try:
        job = uuid.uuid4()
        await short.set_job_status(TENANT, snap(job, JobStatus.CANCELLED, 20, T0))
        assert await short.get_job_status(TENANT, job) is not None
        await asyncio.sleep(1.1)
        assert await short.get_job_status(TENANT, job) is None
    finally:
        await short.close()


def test_snapshot_of_a_job_row() -> None:
    now = datetime.now(UTC)
    job = Job(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        file_id=uuid.uuid4(),
        status=JobStatus.STORING,
        jar_flags={},
        progress_pct=40,
        total_lines=None,
        processed_lines=10,
        api_count=None,
        sql_count=None,
        filter_count=None,
        esc_count=None,
        log_start=None,
        log_end=None,
        bytes_total=100,
        bytes_parsed=40,
        rows_stored=7,
        error_message=None,
        started_at=now,
        completed_at=None,
        created_by=None,
        created_at=now,
        updated_at=now,
    )
    snapshot = snapshot_of(job)
    assert (snapshot.job_id, snapshot.status, snapshot.progress_pct) == (
        job.id,
        JobStatus.STORING,
        40,
    )
    assert snapshot.counts == {
        "processed_lines": 10,
        "bytes_total": 100,
        "bytes_parsed": 40,
        "rows_stored": 7,
    }
    assert snapshot.updated_at == now


async def test_cache_get_set_with_ttl(cache: StatusCache) -> None:
    name = ["dashboard", str(uuid.uuid4())]
    assert await cache.cache_get(TENANT, name) is None
    await cache.cache_set(TENANT, name, b'{"sections": []}', ttl_s=0.3)
    assert await cache.cache_get(TENANT, name) == b'{"sections": []}'
    assert await cache.cache_get(OTHER, name) is None
    assert 0 < await cache.redis.pttl(cache.keys.cache(TENANT, *name)) <= 300
    await asyncio.sleep(0.4)
    assert await cache.cache_get(TENANT, name) is None
    await cache.cache_set(TENANT, name, b"x", ttl_s=60)
    await cache.cache_delete(TENANT, name)
    assert await cache.cache_get(TENANT, name) is None
    with pytest.raises(ValueError, match="TTL"):
        await cache.cache_set(TENANT, name, b"x", ttl_s=0)


async def test_rate_limit_then_retry_after(cache: StatusCache) -> None:
    name = ["ai", "user_1"]
    results = [await cache.rate_limit(TENANT, name, limit=3, window_s=2) for _ in range(5)]
    assert [r.allowed for r in results] == [True, True, True, False, False]
    assert [r.remaining for r in results] == [2, 1, 0, 0, 0]
    assert results[0].retry_after_s == 0
    assert results[3].retry_after_s == 2
    assert 0 < results[4].reset_after_s <= 2
    # Other users and other tenants have their own windows.
    assert (await cache.rate_limit(TENANT, ["ai", "user_2"], limit=3, window_s=2)).allowed
    assert (await cache.rate_limit(OTHER, name, limit=3, window_s=2)).allowed
    with pytest.raises(ValueError, match="limit"):
        await cache.rate_limit(TENANT, name, limit=0, window_s=1)


async def test_rate_limit_window_resets_and_is_atomic(cache: StatusCache) -> None:
    name = ["upload"]
    outcomes = await asyncio.gather(
        *(cache.rate_limit(TENANT, name, limit=5, window_s=0.3) for _ in range(20))
    )
    assert sum(r.allowed for r in outcomes) == 5
    denied = [r for r in outcomes if not r.allowed]
    assert all(r.retry_after_s == 1 for r in denied)  # rounded up to whole seconds
    await asyncio.sleep(0.35)
    assert (await cache.rate_limit(TENANT, name, limit=5, window_s=0.3)).allowed


async def test_namespace_separates_users_of_one_database(
    redis_url: str, redis_key_prefix: str
) -> None:
    spaced = StatusCache.from_url(redis_url, namespace=redis_key_prefix)
    plain = StatusCache.from_url(redis_url)
    try:
        job = uuid.uuid4()
        await spaced.set_job_status(TENANT, snap(job, JobStatus.QUEUED, 0, T0))
        assert await plain.get_job_status(TENANT, job) is None
        assert await spaced.redis.exists(f"{redis_key_prefix}cache:{TENANT}:job:{job}:status")
    finally:
        await spaced.close()
        await plain.close()
