"""Row-level security really applies to the services' role, in every tenant table."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
import pytest

from remedyiq_platform.stores import (
    ai_repo,
    batches_repo,
    files_repo,
    jobs_repo,
    ranges_repo,
    results_repo,
    searches_repo,
    tenants_repo,
    tokens_repo,
)
from remedyiq_platform.stores.errors import InvalidTenantError
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.postgres import Database

if TYPE_CHECKING:
    from tests.platform.conftest import PgRoles

TENANT_TABLES = (
    "log_files",
    "analysis_jobs",
    "job_ranges",
    "job_batches",
    "analysis_results",
    "ai_interactions",
    "saved_searches",
    "api_tokens",
)


async def seed_every_table(db: Database, tenant: UUID) -> dict[str, UUID]:
    """One row per tenant table for ``tenant``; returns the ids of the main ones."""
    file_id, job_id = uuid.uuid4(), uuid.uuid4()
    async with db.tenant(tenant) as conn:
        await files_repo.create_file(
            conn,
            file_id=file_id,
            filename="a.log",
            s3_bucket="b",
            s3_key=file_key(tenant, file_id, "a.log"),
        )
        await jobs_repo.create_job(conn, job_id=job_id, file_id=file_id)
        await ranges_repo.plan_ranges(conn, job_id, [ranges_repo.RangePlan(0, 0, 10)])
        await batches_repo.record_batch(conn, job_id, "b0", table_name="log_entries", rows=5)
        await results_repo.save_result(conn, job_id, report={"a": 1}, meta={})
        ai = await ai_repo.create_interaction(
            conn, user_id="u", skill_name="s", input_text="?", job_id=job_id
        )
        search = await searches_repo.create_search(conn, user_id="u", name="n", kql_query="x")
        token, _ = await tokens_repo.create_token(conn, name="t")
    return {"file": file_id, "job": job_id, "ai": ai.id, "search": search.id, "token": token.id}


async def _counts(conn: Any) -> dict[str, int]:
    return {
        table: await conn.fetchval(f"SELECT count(*) FROM {table}")
        for table in (*TENANT_TABLES, "tenants")
    }


async def test_each_tenant_sees_only_its_rows(db: Database, tenant_a: UUID, tenant_b: UUID) -> None:
    await seed_every_table(db, tenant_a)
    await seed_every_table(db, tenant_a)
    await seed_every_table(db, tenant_b)
    async with db.tenant(tenant_a) as conn:
        assert await _counts(conn) == {**dict.fromkeys(TENANT_TABLES, 2), "tenants": 1}
    async with db.tenant(tenant_b) as conn:
        assert await _counts(conn) == {**dict.fromkeys(TENANT_TABLES, 1), "tenants": 1}
        # The rows B sees are all B's.
        for table in TENANT_TABLES:
            owners = await conn.fetch(f"SELECT DISTINCT tenant_id FROM {table}")
            assert [row["tenant_id"] for row in owners] == [tenant_b]


async def test_no_tenant_set_sees_nothing(db: Database, migrated: PgRoles, tenant_a: UUID) -> None:
    await seed_every_table(db, tenant_a)
    async with db.system() as conn:
        assert set((await _counts(conn)).values()) == {0}
    raw = await asyncpg.connect(migrated.app_dsn)  # no set_config at all
    try:
        assert set((await _counts(raw)).values()) == {0}
    finally:
        await raw.close()


async def test_other_tenants_ids_are_invisible_to_every_repository(
    db: Database, tenant_a: UUID, tenant_b: UUID
) -> None:
    a = await seed_every_table(db, tenant_a)
    async with db.tenant(tenant_b) as conn:
        assert await files_repo.get_file(conn, a["file"]) is None
        assert await jobs_repo.get_job(conn, a["job"]) is None
        assert await ranges_repo.list_ranges(conn, a["job"]) == []
        assert (await batches_repo.batch_totals(conn, a["job"])).batches == 0
        assert await results_repo.get_result(conn, a["job"]) is None
        assert await searches_repo.get_search(conn, a["search"]) is None
        assert await searches_repo.delete_search(conn, a["search"]) is False
        assert await tokens_repo.revoke_token(conn, a["token"]) is False
        assert await tenants_repo.get_tenant(conn, tenant_a) is None
        assert (await ai_repo.list_interactions(conn)) == []
        # Writes aimed at A's rows change nothing.
        assert await conn.execute("UPDATE analysis_jobs SET progress_pct = 50") == "UPDATE 0"
    async with db.tenant(tenant_a) as conn:
        job = await jobs_repo.get_job(conn, a["job"])
        assert job is not None
        assert job.progress_pct == 0
        assert (await searches_repo.get_search(conn, a["search"])) is not None


# For each table, an INSERT of a row that belongs to tenant B ($1 = B, $2 = B's file or job).
_FOREIGN_INSERTS = {
    "log_files": "INSERT INTO log_files (tenant_id, filename, s3_bucket, s3_key) "
    "VALUES ($1, 'x', 'b', 'tenants/' || $1::uuid || '/files/' || gen_random_uuid())",
    "analysis_jobs": "INSERT INTO analysis_jobs (tenant_id, file_id) VALUES ($1, $2)",
    "job_ranges": "INSERT INTO job_ranges (tenant_id, job_id, range_index, start_offset, "
    "end_offset) VALUES ($1, $2, 9, 0, 1)",
    "job_batches": "INSERT INTO job_batches (tenant_id, job_id, batch_id, table_name, rows) "
    "VALUES ($1, $2, 'x', 't', 1)",
    "analysis_results": "INSERT INTO analysis_results (tenant_id, job_id, report, meta) "
    "VALUES ($1, $2, '{}', '{}')",
    "ai_interactions": "INSERT INTO ai_interactions (tenant_id, user_id, skill_name, "
    "input_text) VALUES ($1, 'u', 's', 'i')",
    "saved_searches": "INSERT INTO saved_searches (tenant_id, user_id, name, kql_query) "
    "VALUES ($1, 'u', 'n', 'q')",
    "api_tokens": "INSERT INTO api_tokens (tenant_id, name, token_prefix, token_hash) "
    "VALUES ($1, 'n', 'riq_', repeat('a', 64))",
    "tenants": "INSERT INTO tenants (id, clerk_org_id, name) VALUES ($1, 'org_x', 'x')",
}


async def new_tenant(db: Database) -> UUID:
    """A fresh tenant: enough isolation on the session's shared database."""
    async with db.system() as conn:
        return await tenants_repo.ensure_tenant(conn, f"org_{uuid.uuid4().hex}", "T")


@pytest.mark.parametrize("table", sorted(_FOREIGN_INSERTS))
async def test_writing_a_row_for_another_tenant_is_rejected(
    session_db: Database, table: str
) -> None:
    db = session_db
    tenant_a, tenant_b = await new_tenant(db), await new_tenant(db)
    b = await seed_every_table(db, tenant_b)
    sql = _FOREIGN_INSERTS[table]
    args: list[Any] = [tenant_b]
    if "$2" in sql:
        args.append(b["file"] if table == "analysis_jobs" else b["job"])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.tenant(tenant_a) as conn:
            await conn.execute(sql, *args)
    async with db.tenant(tenant_b) as conn:  # the same row is fine for its own tenant...
        if table not in ("tenants", "job_ranges", "job_batches", "analysis_results"):
            await conn.execute(sql, *args)  # (...where it is not a duplicate)


async def test_moving_a_row_to_another_tenant_is_rejected(
    db: Database, tenant_a: UUID, tenant_b: UUID
) -> None:
    a = await seed_every_table(db, tenant_a)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with db.tenant(tenant_a) as conn:
            await conn.execute(
                "UPDATE saved_searches SET tenant_id = $1 WHERE id = $2", tenant_b, a["search"]
            )


async def test_rows_cannot_name_another_tenants_objects(
    db: Database, tenant_a: UUID, tenant_b: UUID
) -> None:
    file_id = uuid.uuid4()
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.tenant(tenant_a) as conn:
            await files_repo.create_file(
                conn,
                file_id=file_id,
                filename="a.log",
                s3_bucket="b",
                s3_key=file_key(tenant_b, file_id, "a.log"),
            )
    a = await seed_every_table(db, tenant_a)
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.tenant(tenant_a) as conn:
            await ranges_repo.mark_range_parsed(
                conn, a["job"], 0, batches=1, rows=1, summary_key=f"tenants/{tenant_b}/x"
            )


async def test_a_job_cannot_point_at_another_tenants_file(
    db: Database, tenant_a: UUID, tenant_b: UUID
) -> None:
    b = await seed_every_table(db, tenant_b)
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.tenant(tenant_a) as conn:
            await jobs_repo.create_job(conn, job_id=uuid.uuid4(), file_id=b["file"])


async def test_tenant_setting_does_not_leak_between_transactions(
    migrated: PgRoles, tenant_a: UUID
) -> None:
    single = await Database.connect(migrated.app_dsn, min_size=1, max_size=1)
    try:
        async with single.tenant(tenant_a) as conn:
            assert await conn.fetchval("SELECT count(*) FROM tenants") == 1
        async with single.system() as conn:
            assert await conn.fetchval("SELECT count(*) FROM tenants") == 0
        # Even after a session-level set_config, the next transaction starts clean.
        async with single.tenant(tenant_a) as conn:
            await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a))
        async with single.system() as conn:
            assert await conn.fetchval("SELECT count(*) FROM tenants") == 0
    finally:
        await single.close()


@pytest.mark.parametrize(
    "bad", ["", " ", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "*", "a:b"]
)
async def test_invalid_tenant_ids_are_refused(session_db: Database, bad: str) -> None:
    with pytest.raises(InvalidTenantError):
        async with session_db.tenant(bad):
            pass
