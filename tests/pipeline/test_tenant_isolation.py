"""Tenant B can read none of tenant A's data after A's job ran through the pipeline: not in
PostgreSQL (row-level security, the services' non-owner role), not in ClickHouse (through the
query layer, which always binds the tenant), not in S3 (tenant-prefixed keys), not in Redis —
and a job B submits for A's object is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from remedyiq_analysis.explore import TenantScope
from remedyiq_analysis.scope import JobScope
from remedyiq_platform.contracts.messages import FileRef
from remedyiq_platform.stores import files_repo, jobs_repo, results_repo, tenants_repo
from remedyiq_platform.stores.errors import TenantKeyError
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.objects_keys import artefact_key, tenant_prefix

from .harness import Pipeline, Platform

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class TenantJob:
    tenant: UUID
    job_id: UUID
    file: FileRef


@dataclass(frozen=True)
class TwoTenants:
    a: TenantJob
    b: TenantJob


@pytest.fixture(scope="module")
async def two_tenants(pipeline: Pipeline, fixtures_dir: Path) -> TwoTenants:
    """Tenants A and B, each with a complete job of its own."""
    jobs = []
    for name, log in (("a", "sample1_trid_mssql.log"), ("b", "sample2_legacy_oracle.log")):
        tenant = await pipeline.platform.new_tenant(name)
        job_id, end = await pipeline.run_job(tenant, log, (fixtures_dir / log).read_bytes())
        assert end.status == "complete", end.error_message
        job = await pipeline.platform.job(tenant, job_id)
        assert job is not None
        async with pipeline.platform.db.tenant(tenant) as conn:
            file = await files_repo.get_file(conn, job.file_id)
        assert file is not None
        ref = FileRef(bucket=file.s3_bucket, key=file.s3_key, filename=file.filename)
        jobs.append(TenantJob(tenant, job_id, ref))
    return TwoTenants(*jobs)


async def _tenant_tables(platform: Platform) -> list[str]:
    async with platform.db.system() as conn:
        rows = await conn.fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name"
        )
    return [row["table_name"] for row in rows]


async def test_postgresql_row_level_security(two_tenants: TwoTenants, platform: Platform) -> None:
    a, b = two_tenants.a, two_tenants.b
    tables = await _tenant_tables(platform)
    assert {"analysis_jobs", "log_files", "analysis_results", "job_batches"} <= set(tables)

    async with platform.db.tenant(a.tenant) as conn:  # A sees its own rows (the control)
        job_a = await jobs_repo.get_job(conn, a.job_id)
        assert job_a is not None
        assert job_a.status == JobStatus.COMPLETE
        assert await results_repo.get_result(conn, a.job_id) is not None
        for table in ("analysis_jobs", "log_files", "analysis_results", "job_batches"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") > 0, table

    async with platform.db.tenant(b.tenant) as conn:
        assert await jobs_repo.get_job(conn, a.job_id) is None
        assert await results_repo.get_result(conn, a.job_id) is None
        assert await files_repo.get_file(conn, job_a.file_id) is None
        assert await tenants_repo.get_tenant(conn, a.tenant) is None
        listed = (await jobs_repo.list_jobs(conn, limit=100)).items
        assert [job.id for job in listed] == [b.job_id]
        for table in tables:  # every tenant-owned table, however it is read
            others = await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE tenant_id IS DISTINCT FROM $1", b.tenant
            )
            assert others == 0, table
        status = await conn.execute(
            "UPDATE analysis_jobs SET error_message = 'taken over' WHERE id = $1", a.job_id
        )
        assert status == "UPDATE 0"

    with pytest.raises(asyncpg.PostgresError, match="row-level security"):  # nor write A's
        async with platform.db.tenant(b.tenant) as conn:
            await conn.execute(
                "INSERT INTO job_batches (tenant_id, job_id, batch_id, table_name, rows) "
                "VALUES ($1, $2, 'forged', 'log_entries', 1)",
                a.tenant,
                a.job_id,
            )

    async with platform.db.system() as conn:  # no tenant set: nothing at all
        assert await conn.fetchval("SELECT count(*) FROM analysis_jobs") == 0

    async with platform.db.tenant(a.tenant) as conn:  # A's rows are unchanged
        after = await jobs_repo.get_job(conn, a.job_id)
        assert after == job_a
        assert await results_repo.get_result(conn, a.job_id) is not None


async def test_clickhouse_query_layer_binds_the_tenant(
    two_tenants: TwoTenants, platform: Platform
) -> None:
    a, b = two_tenants.a, two_tenants.b
    clickhouse = platform.clickhouse
    count = "SELECT count() FROM $E WHERE $JOB"
    gaps = "SELECT count() FROM $G WHERE $JOB"

    def scope(tenant: UUID, job_id: UUID) -> JobScope:
        return clickhouse.scope(str(tenant), str(job_id))

    assert (await clickhouse.run(scope(a.tenant, a.job_id).one, count))[0] > 0
    assert (await clickhouse.run(scope(a.tenant, a.job_id).one, gaps))[0] > 0
    assert (await clickhouse.run(scope(b.tenant, a.job_id).one, count))[0] == 0
    assert (await clickhouse.run(scope(b.tenant, a.job_id).one, gaps))[0] == 0

    both = TenantScope(
        clickhouse.client, clickhouse.database, str(b.tenant), (str(a.job_id), str(b.job_id))
    )
    seen = await clickhouse.run(both.rows, "SELECT DISTINCT tenant_id, job_id FROM $E WHERE $JOB")
    assert [tuple(row) for row in seen] == [(str(b.tenant), str(b.job_id))]

    for unscoped in ("SELECT count() FROM $E", "SELECT count() FROM $E WHERE job_id != ''"):
        with pytest.raises(ValueError, match=r"\$JOB"):
            scope(b.tenant, a.job_id).sql(unscoped)
        with pytest.raises(ValueError, match=r"\$JOB"):
            both.sql(unscoped)
    with pytest.raises(ValueError, match="a job scope needs a tenant"):
        JobScope(clickhouse.client, clickhouse.database, "", str(a.job_id))


async def test_object_store_refuses_other_tenants_keys(
    two_tenants: TwoTenants, platform: Platform
) -> None:
    a, b = two_tenants.a, two_tenants.b
    objects = platform.objects
    assert a.file.key.startswith(tenant_prefix(a.tenant))
    assert b.file.key.startswith(tenant_prefix(b.tenant))
    meta = artefact_key(a.tenant, a.job_id, "meta.json")
    original = await objects.get_bytes(a.tenant, a.file.key)
    assert await objects.head(a.tenant, meta) is not None

    for key in (a.file.key, meta):
        with pytest.raises(TenantKeyError):
            await objects.head(b.tenant, key)
        with pytest.raises(TenantKeyError):
            await objects.get_bytes(b.tenant, key)
        with pytest.raises(TenantKeyError):
            await _drain(objects.read_range(b.tenant, key, 0, 100))
        with pytest.raises(TenantKeyError):
            await objects.put_bytes(b.tenant, key, b"overwritten")
        with pytest.raises(TenantKeyError):
            await objects.delete(b.tenant, key)
    with pytest.raises(TenantKeyError):
        await objects.delete_prefix(b.tenant, tenant_prefix(a.tenant))
    sneaky = f"{tenant_prefix(b.tenant)}../{a.file.key.removeprefix('tenants/')}"
    with pytest.raises(TenantKeyError):
        await objects.head(b.tenant, sneaky)

    assert await objects.get_bytes(a.tenant, a.file.key) == original


async def test_status_cache_is_per_tenant(two_tenants: TwoTenants, platform: Platform) -> None:
    a, b = two_tenants.a, two_tenants.b
    mine = await platform.status.get_job_status(a.tenant, a.job_id)
    assert mine is not None
    assert mine.status == JobStatus.COMPLETE
    assert await platform.status.get_job_status(b.tenant, a.job_id) is None


async def test_a_job_for_another_tenants_object_is_refused(
    two_tenants: TwoTenants, pipeline: Pipeline
) -> None:
    """B names A's object in its own submit: the ingest refuses it before reading or storing
    anything, and dead-letters the message with the reason."""
    a, b = two_tenants.a, two_tenants.b
    for file in (a.file, b.file.model_copy(update={"key": a.file.key})):
        job_id = await pipeline.submit_ref(b.tenant, file)
        (letter,) = await pipeline.dead_letters(str(b.tenant), 1, about=job_id)
        assert letter.consumer == "ingest-submit"
        assert f"key {a.file.key!r} is not an object of tenant {b.tenant}" in letter.reason
        assert await pipeline.platform.job(b.tenant, job_id) is None
        assert await pipeline.platform.count_rows("log_entries", b.tenant, job_id) == 0
    async with pipeline.platform.db.tenant(b.tenant) as conn:
        assert [job.id for job in (await jobs_repo.list_jobs(conn)).items] == [b.job_id]
    assert await pipeline.platform.objects.head(a.tenant, a.file.key) is not None


async def _drain(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])
