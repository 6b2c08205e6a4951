"""Fixtures for the stores tests: a migrated database with an owner role and an app role.

The owner is a plain CREATEROLE role (not the superuser), as on a managed PostgreSQL, so the
tests exercise the real privilege split: the owner runs the migrations, the services' role
owns nothing and is subject to row-level security.

``db`` is a fresh migrated database per test (migration and RLS tests). Repository tests
override ``db`` with ``session_db``, one migrated database for the session, and isolate
themselves by tenant: each test creates its own tenants (``tenant_a``, ``tenant_b``), and
row-level security keeps every other test's rows out of sight. A fresh database costs
~0.4 s; the tenant fixtures cost a few milliseconds.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest

from remedyiq_devstack.postgres_server import PostgresServer, quote_ident
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_platform.stores import tenants_repo
from remedyiq_platform.stores.pgmigrate import migrate_up
from remedyiq_platform.stores.postgres import Database


@dataclass(frozen=True)
class PgRoles:
    """DSNs and role names of one test database."""

    superuser_dsn: str
    owner_dsn: str
    owner: str
    app_dsn: str
    app_role: str
    app_password: str


def _make_roles(postgres_server: PostgresServer, pg_dsn: str) -> PgRoles:
    database = pg_dsn.rsplit("/", 1)[1]
    owner, app_role = unique_name("owner_"), unique_name("app_")
    owner_password, app_password = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    postgres_server.psql(
        f"CREATE ROLE {quote_ident(owner)} LOGIN CREATEROLE PASSWORD '{owner_password}'",
        f"ALTER DATABASE {quote_ident(database)} OWNER TO {quote_ident(owner)}",
    )
    return PgRoles(
        superuser_dsn=pg_dsn,
        owner_dsn=postgres_server.dsn_for(database, owner, owner_password),
        owner=owner,
        app_dsn=postgres_server.dsn_for(database, app_role, app_password),
        app_role=app_role,
        app_password=app_password,
    )


def _drop(postgres_server: PostgresServer, roles: PgRoles) -> None:
    postgres_server.drop_database(roles.superuser_dsn.rsplit("/", 1)[1])
    postgres_server.psql(
        f"DROP ROLE IF EXISTS {quote_ident(roles.app_role)}",
        f"DROP ROLE IF EXISTS {quote_ident(roles.owner)}",
    )


@pytest.fixture
def pg_roles(postgres_server: PostgresServer, pg_dsn: str) -> Iterator[PgRoles]:
    """A fresh database owned by a fresh non-superuser owner, and a fresh app role name."""
    roles = _make_roles(postgres_server, pg_dsn)
    yield roles
    _drop(postgres_server, roles)


@pytest.fixture
async def migrated(pg_roles: PgRoles) -> PgRoles:
    """``pg_roles`` with every migration applied."""
    await migrate_up(
        pg_roles.owner_dsn, app_role=pg_roles.app_role, app_password=pg_roles.app_password
    )
    return pg_roles


@pytest.fixture
async def db(migrated: PgRoles) -> AsyncIterator[Database]:
    """The services' view: a pool connected as the app role."""
    database = await Database.connect(migrated.app_dsn, min_size=1, max_size=4, command_timeout=5)
    yield database
    await database.close()


@pytest.fixture(scope="session")
async def session_db(postgres_server: PostgresServer) -> AsyncIterator[Database]:
    """One migrated database for the session, seen through the app role."""
    roles = _make_roles(postgres_server, postgres_server.create_database(unique_name()))
    await migrate_up(roles.owner_dsn, app_role=roles.app_role, app_password=roles.app_password)
    database = await Database.connect(roles.app_dsn, min_size=1, max_size=4, command_timeout=5)
    yield database
    await database.close()
    _drop(postgres_server, roles)


@pytest.fixture
async def tenant_a(db: Database) -> UUID:
    """A tenant created the way the gateway does it."""
    async with db.system() as conn:
        return await tenants_repo.ensure_tenant(conn, "org_a_" + secrets.token_hex(4), "Tenant A")


@pytest.fixture
async def tenant_b(db: Database) -> UUID:
    """A second tenant."""
    async with db.system() as conn:
        return await tenants_repo.ensure_tenant(conn, "org_b_" + secrets.token_hex(4), "Tenant B")
