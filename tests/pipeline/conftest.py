"""Fixtures of the end-to-end pipeline tests: see ``harness.py`` for what runs where.

Servers: PostgreSQL, Redis and moto S3 are the session's (devstack plugin); chDB runs in this
process (the session's one data directory). Each test module gets its own ``platform`` (a fresh
migrated PostgreSQL database, bucket and ClickHouse database) and its own pipelines on fresh NATS
servers: ``pipeline`` with the default range size (every fixture log is one range) and, where
asked for, ``split_pipeline`` cutting files into 1 MiB ranges. Tests inside a module isolate
themselves by tenant.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_arlog.sources import InputError
from remedyiq_cli.analyze_cmd import DATABASE as CLI_DATABASE
from remedyiq_cli.analyze_cmd import LOCAL_TENANT, run_analysis
from remedyiq_devstack.postgres_server import (
    PostgresServer,
    provision_platform_database,
    quote_ident,
)
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_devstack.redis_server import RedisServer
from remedyiq_devstack.s3_moto import MotoS3Server
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.pgmigrate import migrate_up
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.status import StatusCache

from .harness import MIB, Pipeline, Platform, start_pipeline


@pytest.fixture(scope="module")
async def platform(
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    s3_server: MotoS3Server,
    chdb_dir: Path,
) -> AsyncIterator[Platform]:
    name = unique_name("pipe")
    owner, app_role = unique_name("owner_"), unique_name("app_")
    database = provision_platform_database(
        postgres_server,
        name,
        owner=owner,
        owner_password=secrets.token_urlsafe(24),
        app_role=app_role,
        app_password=secrets.token_urlsafe(24),
    )
    await migrate_up(
        database.owner_dsn, app_role=database.app_role, app_password=database.app_password
    )
    bucket = s3_server.create_bucket(unique_name("pipe-"))
    chdb_dsn = f"chdb://{chdb_dir}"
    clickhouse = ClickHouse(chdb_dsn, unique_name("pipe_"))
    await clickhouse.connect()
    await clickhouse.migrate()
    db = await Database.connect(database.app_dsn, min_size=1, max_size=4)
    endpoint = s3_server.endpoint
    objects = await ObjectStore.open(
        bucket=bucket,
        endpoint_url=endpoint.endpoint_url,
        region=endpoint.region,
        access_key_id=endpoint.access_key,
        secret_access_key=endpoint.secret_key,
    )
    redis_url = redis_server.url_for_db(0)  # keys carry unique tenant ids: no collisions
    status = StatusCache.from_url(redis_url)
    try:
        yield Platform(
            app_dsn=database.app_dsn,
            admin_dsn=postgres_server.dsn_for(name),
            s3=endpoint,
            bucket=bucket,
            redis_url=redis_url,
            chdb_dsn=chdb_dsn,
            clickhouse=clickhouse,
            db=db,
            objects=objects,
            status=status,
        )
    finally:
        await status.close()
        await objects.close()
        await db.close()
        await clickhouse.run(clickhouse.client.command, f"DROP DATABASE {clickhouse.database}")
        await clickhouse.close()
        s3_server.delete_bucket(bucket)
        postgres_server.drop_database(name)
        postgres_server.psql(
            f"DROP ROLE IF EXISTS {quote_ident(app_role)}",
            f"DROP ROLE IF EXISTS {quote_ident(owner)}",
        )


@pytest.fixture(scope="module")
async def pipeline(
    platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pipeline]:
    """Ingest, parser and writer with the default range size (32 MiB)."""
    async with start_pipeline(platform, tmp_path_factory.mktemp("pipeline")) as running:
        yield running


@pytest.fixture(scope="module")
async def split_pipeline(
    platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pipeline]:
    """The same services cutting files into ranges of 1 MiB (the smallest allowed)."""
    async with start_pipeline(
        platform, tmp_path_factory.mktemp("split"), range_bytes=1 * MIB
    ) as running:
        yield running


@pytest.fixture
async def tenant(platform: Platform) -> UUID:
    """A fresh tenant of this test."""
    return await platform.new_tenant()


@pytest.fixture
def ensure_alive(pipeline: Pipeline) -> Pipeline:
    """``pipeline``, checked to be running before the test."""
    pipeline.check_alive()
    return pipeline


@dataclass(frozen=True)
class CliResult:
    """What ``remedyiq analyze`` gives for a file: its report and the rows it loaded."""

    report: Report
    entries: int
    gaps: int


class CliAnalyses:
    """``remedyiq analyze``'s library function, in this process (its chDB directory is the
    session's, so it loads into database ``remedyiq``, tenant ``local``); cached per file."""

    def __init__(self, clickhouse: ClickHouse, chdb_dir: Path) -> None:
        self._clickhouse = clickhouse
        self._chdb_dir = chdb_dir
        self._done: dict[tuple[Path, str], CliResult] = {}
        self._lock = asyncio.Lock()

    async def analyse(self, path: Path, options: AnalysisOptions | None = None) -> CliResult:
        options = options or AnalysisOptions()
        key = (path, options.model_dump_json())
        async with self._lock:
            if key not in self._done:
                self._done[key] = await self._run(path, options)
            return self._done[key]

    async def refusal(self, path: Path) -> str:
        """Why ``remedyiq analyze`` refuses ``path`` (its InputError message)."""
        async with self._lock:
            try:
                await asyncio.to_thread(
                    run_analysis,
                    [str(path)],
                    AnalysisOptions(),
                    db_dir=str(self._chdb_dir),
                    workers=1,
                )
            except InputError as exc:
                return str(exc)
        raise AssertionError(f"remedyiq analyze accepted {path}")

    async def _run(self, path: Path, options: AnalysisOptions) -> CliResult:
        before = await self._jobs()
        report = await asyncio.to_thread(
            run_analysis, [str(path)], options, db_dir=str(self._chdb_dir), workers=1
        )
        (job,) = set(await self._jobs()) - set(before)
        return CliResult(report, *(await self._jobs())[job])

    async def _jobs(self) -> dict[str, tuple[int, int]]:
        """Rows per job of the CLI's database: ``{job_id: (entries, gaps)}``."""
        client = self._clickhouse.client

        def counts() -> dict[str, tuple[int, int]]:
            tables = client.query(
                "SELECT count() FROM system.tables WHERE database = {d:String}",
                parameters={"d": CLI_DATABASE},
            ).result_rows
            if not tables[0][0]:  # no analysis ran in this process yet
                return {}
            found: dict[str, list[int]] = {}
            for index, table in enumerate(("log_entries", "log_gaps")):
                rows = client.query(
                    f"SELECT job_id, count() FROM {CLI_DATABASE}.{table} "
                    "WHERE tenant_id = {t:String} GROUP BY job_id",
                    parameters={"t": LOCAL_TENANT},
                ).result_rows
                for job, count in rows:
                    found.setdefault(job, [0, 0])[index] = int(count)
            return {job: (pair[0], pair[1]) for job, pair in found.items()}

        return await self._clickhouse.run(counts)


@pytest.fixture(scope="session")
async def cli(chdb_dir: Path) -> AsyncIterator[CliAnalyses]:
    clickhouse = ClickHouse(f"chdb://{chdb_dir}", CLI_DATABASE)  # only reads the CLI's rows
    await clickhouse.connect()
    yield CliAnalyses(clickhouse, chdb_dir)
    await clickhouse.close()
