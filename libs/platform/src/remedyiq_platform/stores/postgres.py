"""The services' PostgreSQL access: an asyncpg pool whose every transaction is tenant-scoped.

Row-level security only protects data if the services connect as a role that is neither a
superuser, nor BYPASSRLS, nor the tables' owner (infra.md §2), and if each transaction sets
``app.tenant_id`` with ``set_config(..., true)`` (local to the transaction, so it cannot leak
to the next user of a pooled connection). :class:`Database` enforces both:

* ``Database.connect`` refuses a privileged role (unless told it is a test of exactly that);
* ``async with db.tenant(tenant_id) as conn:`` is a transaction that sets the tenant first;
* ``async with db.system() as conn:`` is a transaction with no tenant, for the two SECURITY
  DEFINER functions (``ensure_tenant``, ``tenant_for_token``): with no tenant set, every table
  read through RLS is empty, so nothing else can be done with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg

from remedyiq_platform.stores.errors import PrivilegedRoleError
from remedyiq_platform.stores.settings import PostgresSettings
from remedyiq_platform.stores.tenant_ids import parse_tenant_id

logger = logging.getLogger(__name__)

SET_TENANT_SQL = "SELECT set_config('app.tenant_id', $1, true)"

# What makes a role unfit for the services: it would see every tenant's rows.
_ROLE_CHECK_SQL = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       (SELECT count(*) FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND pg_has_role(r.oid, c.relowner, 'USAGE')) AS owned_tables
FROM pg_roles AS r WHERE r.rolname = current_user
"""


async def _init_connection(conn: Any) -> None:
    # json/jsonb as Python objects (repositories pass dicts/lists, never pre-encoded text).
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog", format="text"
        )


async def check_unprivileged(conn: Any) -> None:
    """Raise :class:`PrivilegedRoleError` if ``conn``'s role would bypass row-level security."""
    row = await conn.fetchrow(_ROLE_CHECK_SQL)
    reasons = []
    if row["rolsuper"]:
        reasons.append("is a superuser")
    if row["rolbypassrls"]:
        reasons.append("has BYPASSRLS")
    if row["owned_tables"]:
        reasons.append(f"owns (or is a member of the owner of) {row['owned_tables']} tables")
    if reasons:
        raise PrivilegedRoleError(
            f"database role {row['rolname']!r} {' and '.join(reasons)}: row-level security would "
            "not apply to it; connect the services as the app role created by pgmigrate"
        )


class Database:
    """An asyncpg pool for the services' (unprivileged) role, handing out tenant transactions."""

    def __init__(self, pool: Any, *, acquire_timeout: float) -> None:
        """Wrap an open pool; use :meth:`connect` instead."""
        self._pool = pool
        self._acquire_timeout = acquire_timeout

    @classmethod
    async def from_settings(cls, settings: PostgresSettings, *, application_name: str) -> Database:
        """The pool a service configures with ``REMEDYIQ_POSTGRES_*``."""
        return await cls.connect(
            settings.dsn.get_secret_value(),
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            command_timeout=settings.command_timeout_s,
            connect_timeout=settings.connect_timeout_s,
            application_name=application_name,
        )

    async def ping(self) -> None:
        """A round trip (readiness checks)."""
        async with self.system() as conn:
            await conn.execute("SELECT 1")

    @classmethod
    async def connect(
        cls,
        dsn: str,
        min_size: int = 1,
        max_size: int = 10,
        command_timeout: float = 10.0,
        *,
        connect_timeout: float = 10.0,
        acquire_timeout: float = 10.0,
        statement_timeout_ms: int | None = None,
        application_name: str = "remedyiq",
        allow_privileged: bool = False,
    ) -> Database:
        """Open the pool and check the role.

        ``command_timeout`` bounds each statement on the client; ``statement_timeout_ms``
        (default: the same) bounds it on the server too, and an idle transaction is ended
        by the server after 60 s. ``allow_privileged`` exists only for tests and tools that
        must connect as an owner; services never set it.
        """
        timeout_ms = statement_timeout_ms or int(command_timeout * 1000)
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            command_timeout=command_timeout,
            timeout=connect_timeout,
            init=_init_connection,
            server_settings={
                "application_name": application_name,
                "statement_timeout": str(timeout_ms),
                "idle_in_transaction_session_timeout": "60000",
            },
        )
        db = cls(pool, acquire_timeout=acquire_timeout)
        if not allow_privileged:
            try:
                async with pool.acquire(timeout=acquire_timeout) as conn:
                    await check_unprivileged(conn)
            except BaseException:
                await pool.close()
                raise
        return db

    async def close(self, grace_s: float = 10.0) -> None:
        """Close the pool, waiting up to ``grace_s`` seconds for connections in use."""
        try:
            async with asyncio.timeout(grace_s):
                await self._pool.close()
        except TimeoutError:
            logger.warning("PostgreSQL pool did not close within %.1f s; terminating", grace_s)
            self._pool.terminate()

    @asynccontextmanager
    async def tenant(self, tenant_id: UUID | str, *, readonly: bool = False) -> AsyncIterator[Any]:
        """A transaction scoped to ``tenant_id`` (committed on success, rolled back on error).

        Raises :class:`~remedyiq_platform.stores.errors.InvalidTenantError` for an empty or
        malformed id before touching the database. Do not catch a database error inside the
        block and carry on: PostgreSQL has aborted the transaction, and leaving the block
        then silently rolls everything back. Catch outside, or use ``conn.transaction()``
        (a savepoint) around the statement that may fail.
        """
        tenant = parse_tenant_id(tenant_id)
        async with (
            self._pool.acquire(timeout=self._acquire_timeout) as conn,
            conn.transaction(readonly=readonly),
        ):
            await conn.execute(SET_TENANT_SQL, str(tenant))
            yield conn

    @asynccontextmanager
    async def system(self) -> AsyncIterator[Any]:
        """A transaction with no tenant, for ``tenants_repo.ensure_tenant`` and
        ``tokens_repo.verify_token`` (the SECURITY DEFINER functions) only."""
        async with (
            self._pool.acquire(timeout=self._acquire_timeout) as conn,
            conn.transaction(),
        ):
            # Explicitly empty, whatever a previous session-level set_config left behind.
            await conn.execute(SET_TENANT_SQL, "")
            yield conn
