"""Files, tenants, API tokens, saved searches, results and AI interactions repositories."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from uuid import UUID

import asyncpg
import pytest

from remedyiq_platform.stores import (
    ai_repo,
    files_repo,
    jobs_repo,
    results_repo,
    searches_repo,
    tenants_repo,
    tokens_repo,
)
from remedyiq_platform.stores.errors import ConflictError, NotFoundError
from remedyiq_platform.stores.files_repo import FileStatus
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.postgres import Database

SHA = hashlib.sha256(b"x").hexdigest()


@pytest.fixture
def db(session_db: Database) -> Database:
    """The session's database: tests here isolate themselves by tenant."""
    return session_db


async def test_ensure_tenant_creates_once_and_get(db: Database) -> None:
    org = f"org_{uuid.uuid4().hex}"
    async with db.system() as conn:
        first = await tenants_repo.ensure_tenant(conn, org, "Acme")
        assert await tenants_repo.ensure_tenant(conn, org, "Renamed") == first
        with pytest.raises(ValueError, match="empty"):
            await tenants_repo.ensure_tenant(conn, " ", "x")
    with pytest.raises(asyncpg.InvalidParameterValueError):  # the function checks too
        async with db.system() as conn:
            await conn.fetchval("SELECT ensure_tenant('', 'x')")

    async def concurrent(name: str) -> UUID:
        async with db.system() as conn:
            return await tenants_repo.ensure_tenant(conn, org + "_c", name)

    assert len(set(await asyncio.gather(*(concurrent(str(i)) for i in range(4))))) == 1
    async with db.tenant(first) as conn:
        tenant = await tenants_repo.get_tenant(conn, first)
    assert tenant is not None
    assert (tenant.clerk_org_id, tenant.name, tenant.plan) == (org, "Acme", "free")
    assert (tenant.storage_limit_gb, tenant.max_upload_bytes, tenant.retention_days) == (
        10,
        10 * 1024**3,
        90,
    )


async def test_file_lifecycle(db: Database, tenant_a: UUID) -> None:
    file_id = uuid.uuid4()
    key = file_key(tenant_a, file_id, "a.log")
    async with db.tenant(tenant_a) as conn:
        created = await files_repo.create_file(
            conn,
            file_id=file_id,
            filename="a.log",
            s3_bucket="bkt",
            s3_key=key,
            compression="gzip",
        )
        assert (created.status, created.size_bytes, created.tenant_id) == (
            FileStatus.UPLOADING,
            0,
            tenant_a,
        )
        ready = await files_repo.mark_file_ready(
            conn,
            file_id,
            size_bytes=123,
            checksum_sha256=SHA,
            detected_types=["API", "SQL"],
            ar_version="23.3.04",
        )
        assert (ready.status, ready.size_bytes, ready.detected_types) == (
            FileStatus.READY,
            123,
            ["API", "SQL"],
        )
        assert ready.ready_at is not None
        again = await files_repo.mark_file_ready(conn, file_id, size_bytes=123, checksum_sha256=SHA)
        assert again == ready
        with pytest.raises(ConflictError):
            await files_repo.mark_file_ready(conn, file_id, size_bytes=1, checksum_sha256="0" * 64)
        with pytest.raises(NotFoundError):
            await files_repo.mark_file_ready(conn, uuid.uuid4(), size_bytes=1, checksum_sha256=SHA)
        assert await files_repo.get_file(conn, file_id) == ready
        deleted = await files_repo.delete_file(conn, file_id)
        assert deleted.status == FileStatus.DELETED
        assert (await files_repo.delete_file(conn, file_id)).deleted_at == deleted.deleted_at
        with pytest.raises(NotFoundError):
            await files_repo.delete_file(conn, uuid.uuid4())
        with pytest.raises(ConflictError):
            await files_repo.mark_file_ready(conn, file_id, size_bytes=1, checksum_sha256=SHA)


async def test_list_files_pages_and_filters(db: Database, tenant_a: UUID) -> None:
    ids = [uuid.uuid4() for _ in range(5)]
    async with db.tenant(tenant_a) as conn:
        for file_id in ids:
            await files_repo.create_file(
                conn,
                file_id=file_id,
                filename="f",
                s3_bucket="b",
                s3_key=file_key(tenant_a, file_id, "f"),
            )
        await files_repo.delete_file(conn, ids[0])
        first = await files_repo.list_files(conn, limit=2)
        assert len(first.items) == 2
        assert first.next_cursor is not None
        second = await files_repo.list_files(conn, limit=2, cursor=first.next_cursor)
        assert second.next_cursor is None
        listed = [f.id for f in first.items + second.items]
        assert set(listed) == set(ids[1:])  # deleted files are hidden by default
        deleted = await files_repo.list_files(conn, status=FileStatus.DELETED)
        assert [f.id for f in deleted.items] == [ids[0]]


async def test_results_are_upserted_and_durable(db: Database, tenant_a: UUID) -> None:
    file_id, job_id = uuid.uuid4(), uuid.uuid4()
    async with db.tenant(tenant_a) as conn:
        await files_repo.create_file(
            conn,
            file_id=file_id,
            filename="f",
            s3_bucket="b",
            s3_key=file_key(tenant_a, file_id, "f"),
        )
        await jobs_repo.create_job(conn, job_id=job_id, file_id=file_id)
        assert await results_repo.get_result(conn, job_id) is None
        report = {"sections": {"top_api": [{"line": 1, "ms": 1.5, "text": "é"}]}}
        saved = await results_repo.save_result(conn, job_id, report=report, meta={"v": 1})
        assert (saved.report, saved.meta, saved.tenant_id) == (report, {"v": 1}, tenant_a)
        redone = await results_repo.save_result(conn, job_id, report={"n": 2}, meta={"v": 2})
        assert (redone.report, redone.created_at) == ({"n": 2}, saved.created_at)
    async with db.tenant(tenant_a, readonly=True) as conn:
        got = await results_repo.get_result(conn, job_id)
    assert got is not None
    assert got.meta == {"v": 2}
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.tenant(tenant_a) as conn:
            await results_repo.save_result(conn, uuid.uuid4(), report={}, meta={})


async def test_api_tokens(db: Database, tenant_a: UUID, tenant_b: UUID) -> None:
    async with db.tenant(tenant_a) as conn:
        token, plaintext = await tokens_repo.create_token(
            conn, name="ci", scopes=["jobs:write"], created_by="u1"
        )
    assert plaintext.startswith("riq_")
    assert len(plaintext) == 36
    assert token.token_prefix == plaintext[:12]
    assert token.last_used_at is None
    async with db.system() as conn:
        identity = await tokens_repo.verify_token(conn, plaintext)
        assert identity is not None
        assert (identity.tenant_id, identity.token_id, identity.scopes) == (
            tenant_a,
            token.id,
            ["jobs:write"],
        )
        tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
        assert await tokens_repo.verify_token(conn, tampered) is None
        assert await tokens_repo.verify_token(conn, "riq_" + "x" * 32) is None
        assert await tokens_repo.verify_token(conn, "not a token") is None
    async with db.tenant(tenant_a) as conn:
        # Stored only as its hash, and last use recorded.
        stored = await conn.fetchval("SELECT token_hash FROM api_tokens WHERE id = $1", token.id)
        assert stored == tokens_repo.hash_token(plaintext)
        assert plaintext not in str(await conn.fetch("SELECT * FROM api_tokens"))
        [listed] = await tokens_repo.list_tokens(conn)
        assert listed.last_used_at is not None
    async with db.tenant(tenant_b) as conn:
        assert await tokens_repo.revoke_token(conn, token.id) is False  # not B's
        assert await tokens_repo.list_tokens(conn) == []
    async with db.tenant(tenant_a) as conn:
        assert await tokens_repo.revoke_token(conn, token.id) is True
        assert await tokens_repo.revoke_token(conn, token.id) is False
        assert await tokens_repo.list_tokens(conn) == []
        assert len(await tokens_repo.list_tokens(conn, include_revoked=True)) == 1
    async with db.system() as conn:
        assert await tokens_repo.verify_token(conn, plaintext) is None


async def test_saved_searches(db: Database, tenant_a: UUID) -> None:
    async with db.tenant(tenant_a) as conn:
        one = await searches_repo.create_search(
            conn, user_id="u1", name="slow", kql_query="duration_ms > 1000"
        )
    async with db.tenant(tenant_a) as conn:  # a later transaction: a later created_at
        two = await searches_repo.create_search(
            conn, user_id="u1", name="errors", kql_query="success == false", filters={"t": "API"}
        )
        await searches_repo.create_search(conn, user_id="u2", name="other", kql_query="*")
        assert [s.id for s in await searches_repo.list_searches(conn, user_id="u1")] == [
            two.id,
            one.id,
        ]
        pinned = await searches_repo.set_pinned(conn, one.id, True)
        assert pinned.is_pinned
        assert [s.id for s in await searches_repo.list_searches(conn, user_id="u1")] == [
            one.id,
            two.id,
        ]
        assert len(await searches_repo.list_searches(conn)) == 3
        renamed = await searches_repo.update_search(conn, two.id, name="errs")
        assert (renamed.name, renamed.kql_query, renamed.filters) == (
            "errs",
            "success == false",
            {"t": "API"},
        )
        assert renamed.updated_at >= two.updated_at
        requery = await searches_repo.update_search(conn, two.id, kql_query="q", filters={})
        assert (requery.kql_query, requery.filters) == ("q", {})
        assert await searches_repo.get_search(conn, two.id) == requery
        assert await searches_repo.delete_search(conn, two.id) is True
        assert await searches_repo.delete_search(conn, two.id) is False
        assert await searches_repo.get_search(conn, two.id) is None
        with pytest.raises(NotFoundError):
            await searches_repo.update_search(conn, two.id, name="x")
        with pytest.raises(NotFoundError):
            await searches_repo.set_pinned(conn, two.id, True)


async def test_ai_interactions(db: Database, tenant_a: UUID) -> None:
    async with db.tenant(tenant_a) as conn:
        asked = await ai_repo.create_interaction(
            conn, user_id="u1", skill_name="explain_slow_call", input_text="why?"
        )
        assert (asked.status, asked.referenced_lines) == (ai_repo.AiStatus.PENDING, [])
        done = await ai_repo.finish_interaction(
            conn,
            asked.id,
            status=ai_repo.AiStatus.COMPLETE,
            output_text="because",
            referenced_lines=[{"line": 42}],
            tokens_used=120,
            latency_ms=900,
        )
        assert (done.output_text, done.referenced_lines, done.tokens_used) == (
            "because",
            [{"line": 42}],
            120,
        )
        with pytest.raises(ConflictError):
            await ai_repo.finish_interaction(conn, asked.id, status=ai_repo.AiStatus.FAILED)
        with pytest.raises(NotFoundError):
            await ai_repo.finish_interaction(conn, uuid.uuid4(), status=ai_repo.AiStatus.FAILED)
        assert [i.id for i in await ai_repo.list_interactions(conn)] == [asked.id]
        assert await ai_repo.list_interactions(conn, job_id=uuid.uuid4()) == []
