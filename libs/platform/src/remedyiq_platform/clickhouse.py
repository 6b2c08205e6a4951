"""The services' ClickHouse access: one client per process, calls off the event loop.

clickhouse-connect's client is synchronous (and chDB, the local engine, has no async client), so
every call runs in a worker thread; up to ``max_concurrent`` at once, so one slow query does not
hold up the others (the HTTP client is thread-safe without a session, so it opens none; the
embedded engine runs concurrent queries). Reads of job data go through
:class:`~remedyiq_analysis.scope.JobScope`, which always binds the tenant; the writer's inserts
(``remedyiq_analysis.load``) carry the tenant in every row, checked against the message's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.embedded import SCHEME, open_embedded
from remedyiq_analysis.migrate import migrate_up
from remedyiq_analysis.scope import JobScope

T = TypeVar("T")


class ClickHouse:
    def __init__(self, dsn: str, database: str, *, max_concurrent: int = 8) -> None:
        self.dsn = dsn
        self.database = database
        self._client: Client | None = None
        self._slots = asyncio.Semaphore(max_concurrent)

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RuntimeError("ClickHouse is not connected")
        return self._client

    async def connect(self) -> None:
        if self.dsn.startswith(SCHEME):  # the embedded engine has no connection to time out
            self._client = await asyncio.to_thread(open_embedded, self.dsn)
        else:
            self._client = await asyncio.to_thread(
                clickhouse_connect.get_client,
                dsn=self.dsn,
                connect_timeout=10,
                send_receive_timeout=300,
                autogenerate_session_id=False,
            )

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await asyncio.to_thread(client.close)

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run a blocking client call in a worker thread (at most ``max_concurrent`` at once)."""
        async with self._slots:
            return await asyncio.to_thread(fn, *args, **kwargs)

    async def ping(self) -> None:
        await self.run(self.client.command, "SELECT 1")

    async def migrate(self) -> list[int]:
        return await self.run(migrate_up, self.client, self.database)

    def scope(self, tenant_id: str, job_id: str) -> JobScope:
        return JobScope(self.client, self.database, tenant_id, job_id)
