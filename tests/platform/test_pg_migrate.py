"""PostgreSQL migrations: up/down/up, idempotency, the app role and its privileges."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import secrets
from typing import TYPE_CHECKING

import asyncpg
import pytest

from remedyiq_devstack.postgres_server import PostgresServer, quote_ident
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_platform.stores import pgmigrate
from remedyiq_platform.stores.errors import MigrationError, PrivilegedRoleError
from remedyiq_platform.stores.pgmigrate import (
    applied_versions,
    available,
    migrate_down,
    migrate_up,
    scram_sha256_verifier,
)
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
ALL_VERSIONS = [m.version for m in available()]


async def _tables(dsn: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row["tablename"] for row in rows}
    finally:
        await conn.close()


async def up(roles: PgRoles, target: int | None = None) -> list[int]:
    """migrate_up as the owner, for the test's app role."""
    return await migrate_up(
        roles.owner_dsn, app_role=roles.app_role, app_password=roles.app_password, target=target
    )


async def test_up_down_up_and_idempotent(pg_roles: PgRoles) -> None:
    assert ALL_VERSIONS == [1, 2, 3, 4, 5]
    assert await up(pg_roles) == ALL_VERSIONS
    assert await up(pg_roles) == []  # second run: nothing to do
    assert await applied_versions(pg_roles.owner_dsn) == ALL_VERSIONS
    assert {*TENANT_TABLES, "tenants", "schema_migrations"} <= await _tables(pg_roles.owner_dsn)

    assert await migrate_down(pg_roles.owner_dsn, 1) == [5, 4, 3, 2]
    assert await applied_versions(pg_roles.owner_dsn) == [1]
    assert "analysis_jobs" not in await _tables(pg_roles.owner_dsn)
    assert await migrate_down(pg_roles.owner_dsn, 0) == [1]
    assert await _tables(pg_roles.owner_dsn) == {"schema_migrations"}

    assert await up(pg_roles, target=2) == [1, 2]
    assert await up(pg_roles) == [3, 4, 5]
    db = await Database.connect(pg_roles.app_dsn)  # the app role works after a re-up
    try:
        async with db.system() as conn:
            assert await conn.fetchval("SELECT ensure_tenant('org_x', 'X')") is not None
    finally:
        await db.close()


async def test_concurrent_runs_apply_each_migration_once(pg_roles: PgRoles) -> None:
    runs = await asyncio.gather(*(up(pg_roles) for _ in range(3)))
    assert sorted(v for run in runs for v in run) == ALL_VERSIONS


async def test_app_role_is_unprivileged_and_owns_nothing(migrated: PgRoles) -> None:
    conn = await asyncpg.connect(migrated.superuser_dsn)
    try:
        role = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb "
            "FROM pg_roles WHERE rolname = $1",
            migrated.app_role,
        )
        assert dict(role) == {
            "rolsuper": False,
            "rolbypassrls": False,
            "rolcanlogin": True,
            "rolcreaterole": False,
            "rolcreatedb": False,
        }
        owners = await conn.fetch(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        )
        assert [row["tableowner"] for row in owners] == [migrated.owner]
        forced = await conn.fetch(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY($1::text[])",
            [*TENANT_TABLES, "tenants"],
        )
        assert len(forced) == len(TENANT_TABLES) + 1
        assert all(row["relrowsecurity"] and row["relforcerowsecurity"] for row in forced)
        definers = await conn.fetch(
            "SELECT proname, prosecdef, proconfig, pg_get_userbyid(proowner) AS owner "
            "FROM pg_proc WHERE proname IN ('ensure_tenant', 'tenant_for_token')"
        )
        assert {row["proname"] for row in definers} == {"ensure_tenant", "tenant_for_token"}
        for row in definers:
            assert row["prosecdef"]
            assert row["owner"] == migrated.owner
            assert row["proconfig"] == ["search_path=pg_catalog, pg_temp"]
    finally:
        await conn.close()

    app = await asyncpg.connect(migrated.app_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("CREATE TABLE sneaky (x int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.fetch("SELECT * FROM schema_migrations")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("DELETE FROM analysis_jobs")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("UPDATE api_tokens SET token_hash = 'x'")
    finally:
        await app.close()


async def test_services_refuse_owner_and_superuser(migrated: PgRoles) -> None:
    for dsn, reason in ((migrated.owner_dsn, "owns"), (migrated.superuser_dsn, "superuser")):
        with pytest.raises(PrivilegedRoleError, match=reason):
            await Database.connect(dsn)
    db = await Database.connect(migrated.app_dsn)
    await db.close()


async def test_superuser_as_owner_also_works(postgres_server: PostgresServer, pg_dsn: str) -> None:
    app_role = unique_name("app_")
    try:
        assert await migrate_up(pg_dsn, app_role=app_role, app_password="p" * 20) == ALL_VERSIONS
        assert await migrate_down(pg_dsn, 0) == ALL_VERSIONS[::-1]
        assert await migrate_up(pg_dsn, app_role=app_role, app_password="p" * 20) == ALL_VERSIONS
    finally:
        postgres_server.drop_database(pg_dsn.rsplit("/", 1)[1])
        postgres_server.psql(f"DROP ROLE IF EXISTS {quote_ident(app_role)}")


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("App", "x" * 20, "identifier"),
        ('a"; drop', "x" * 20, "identifier"),
        ("app", "short", "printable ASCII"),
        ("app", "é" * 20, "printable ASCII"),
        ("app", "x" * 19 + "\n", "printable ASCII"),
    ],
)
async def test_role_arguments_are_validated(role: str, password: str, message: str) -> None:
    with pytest.raises(MigrationError, match=message):
        await migrate_up("postgresql://unused", app_role=role, app_password=password)


async def test_refuses_a_privileged_or_owner_app_role(
    postgres_server: PostgresServer, pg_roles: PgRoles
) -> None:
    with pytest.raises(MigrationError, match="must not be the owner"):
        await migrate_up(pg_roles.owner_dsn, app_role=pg_roles.owner, app_password="p" * 20)
    bypass = unique_name("bypass_")
    postgres_server.create_role(bypass, bypassrls=True)
    try:
        with pytest.raises(MigrationError, match="bypasses row-level security"):
            await migrate_up(pg_roles.owner_dsn, app_role=bypass, app_password="p" * 20)
    finally:
        postgres_server.psql(f"DROP ROLE {quote_ident(bypass)}")


async def test_edited_migration_and_other_role_are_refused(
    pg_roles: PgRoles, monkeypatch: pytest.MonkeyPatch
) -> None:
    await up(pg_roles)
    with pytest.raises(MigrationError, match="applied for app role"):
        await migrate_up(pg_roles.owner_dsn, app_role=unique_name("other_"), app_password="p" * 20)
    edited = [dataclasses.replace(m, up=m.up + "\n-- edited") for m in available()]
    monkeypatch.setattr(pgmigrate, "available", lambda: edited)
    with pytest.raises(MigrationError, match="edited after it was applied"):
        await up(pg_roles)


async def test_scram_verifier_matches_postgres(
    postgres_server: PostgresServer, pg_dsn: str
) -> None:
    role, password = unique_name("scram_"), secrets.token_urlsafe(24)
    postgres_server.create_role(role, password=password)
    try:
        conn = await asyncpg.connect(pg_dsn)
        try:
            stored = await conn.fetchval(
                "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role
            )
        finally:
            await conn.close()
        assert stored.startswith("SCRAM-SHA-256$")
        iterations, salt = stored.split("$")[1].split(":")
        ours = scram_sha256_verifier(
            password, salt=base64.b64decode(salt), iterations=int(iterations)
        )
        assert ours == stored
    finally:
        postgres_server.psql(f"DROP ROLE {quote_ident(role)}")


async def test_password_is_stored_as_scram_and_rotated(migrated: PgRoles) -> None:
    conn = await asyncpg.connect(migrated.superuser_dsn)
    try:
        query = "SELECT rolpassword FROM pg_authid WHERE rolname = $1"
        first = await conn.fetchval(query, migrated.app_role)
        await migrate_up(migrated.owner_dsn, app_role=migrated.app_role, app_password="n" * 24)
        second = await conn.fetchval(query, migrated.app_role)
    finally:
        await conn.close()
    assert first.startswith("SCRAM-SHA-256$4096:")
    assert second != first
    iterations, salt = second.split("$")[1].split(":")
    assert second == scram_sha256_verifier(
        "n" * 24, salt=base64.b64decode(salt), iterations=int(iterations)
    )
