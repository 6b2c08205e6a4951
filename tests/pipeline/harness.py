"""The pipeline under test: real servers, the real services in this process, and a client.

* :class:`Platform` — the stores a test module's pipelines share: a migrated PostgreSQL
  database (owner role for the migrations, the services' non-owner app role), a bucket on the
  moto S3 server, Redis, and one ClickHouse database in the process's one chDB directory. Tests
  isolate themselves by **tenant**: each makes fresh tenants, so row-level security,
  tenant-prefixed object keys, tenant-bound ClickHouse queries, tenant-scoped Redis keys and
  ``jobs.{tenant}.*`` subjects keep every other test's data apart — the isolation production
  relies on, which ``test_tenant_isolation`` checks.
* :class:`Pipeline` — a fresh NATS JetStream server and the ingest, parser and writer services
  built by their ``create_service`` factories and run by ``remedyiq_platform.service.serve``
  (ingest and writer share the platform's ClickHouse client, as ``remedyiq up`` does) — and
  what a tenant or another system does from outside: upload a file and publish
  ``jobs.{tenant}.submit`` (as ``remedyiq submit`` does), publish anything raw, wait for
  ``jobs.{tenant}.complete``, read dead letters. :class:`Platform` reads the durable results
  and counts rows.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError as JsNotFoundError

from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.s3 import S3Endpoint
from remedyiq_ingest import app as ingest_app
from remedyiq_ingest.settings import IngestRuntime, IngestSettings
from remedyiq_parser import app as parser_app
from remedyiq_parser.settings import ParserRuntime, ParserSettings
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.contracts.messages import DeadLetter, FileRef, JobComplete, SubmitJob
from remedyiq_platform.contracts.subjects import subject
from remedyiq_platform.messaging import headers_for
from remedyiq_platform.service import Service, serve
from remedyiq_platform.stores import (
    coordination_repo,
    files_repo,
    jobs_repo,
    results_repo,
    tenants_repo,
)
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.settings import PostgresSettings, RedisSettings, S3Settings
from remedyiq_platform.stores.status import StatusCache
from remedyiq_writer import app as writer_app
from remedyiq_writer.settings import WriterRuntime, WriterSettings

MIB = 1024 * 1024
JOB_TIMEOUT_S = 90.0
CONSUMERS = (("JOBS", "ingest-submit"), ("JOBS_RANGES", "parser"), ("JOBS_ENTRIES", "writer"))


@dataclass
class Platform:
    """The stores shared by a test module's pipelines (see the module docstring)."""

    app_dsn: str  # the services' role: row-level security applies to it
    admin_dsn: str  # the superuser on the platform database: test set-up only
    s3: S3Endpoint
    bucket: str
    redis_url: str
    chdb_dsn: str
    clickhouse: ClickHouse  # connected, migrated; shared with the services (one chDB engine)
    db: Database  # app role, for the tests' own reads
    objects: ObjectStore
    status: StatusCache

    async def as_admin(self, sql: str, *args: object) -> str:
        """Run set-up SQL as an operator would (e.g. lower a tenant's upload limit)."""
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            return str(await conn.execute(sql, *args))
        finally:
            await conn.close()

    async def new_tenant(self, name: str = "t") -> UUID:
        """A fresh tenant, created the way the gateway does on first use."""
        async with self.db.system() as conn:
            org = f"org_{name}_{secrets.token_hex(6)}"
            return await tenants_repo.ensure_tenant(conn, org, f"Tenant {name}")

    async def count_rows(self, table: str, tenant: UUID, job_id: UUID) -> int:
        """Rows of one job in ``log_entries`` / ``log_gaps`` (through the tenant-bound scope)."""
        scope = self.clickhouse.scope(str(tenant), str(job_id))
        template = f"SELECT count() FROM {'$E' if table == 'log_entries' else '$G'} WHERE $JOB"
        rows = await self.clickhouse.run(scope.rows, template)
        return int(rows[0][0])

    async def job(self, tenant: UUID, job_id: UUID) -> Job | None:
        async with self.db.tenant(tenant) as conn:
            return await jobs_repo.get_job(conn, job_id)

    async def report(self, tenant: UUID, job_id: UUID) -> Report | None:
        """The durable result the ingest stored for the job (PostgreSQL ``analysis_results``)."""
        async with self.db.tenant(tenant) as conn:
            result = await results_repo.get_result(conn, job_id)
        return None if result is None else Report.model_validate(result.report)

    async def upload(self, tenant: UUID, filename: str, data: bytes) -> FileRef:
        """Register and upload a file as ``remedyiq submit`` does (row, stream, mark ready)."""
        file_id = uuid.uuid4()
        key = file_key(tenant, file_id, filename)
        async with self.db.tenant(tenant) as conn:
            await files_repo.create_file(
                conn, file_id=file_id, filename=filename, s3_bucket=self.bucket, s3_key=key
            )

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(data), 8 * MIB):
                yield data[start : start + 8 * MIB]

        uploaded = await self.objects.upload_stream(tenant, key, chunks())
        async with self.db.tenant(tenant) as conn:
            await files_repo.mark_file_ready(
                conn, file_id, size_bytes=uploaded.size, checksum_sha256=uploaded.sha256
            )
        return FileRef(
            bucket=self.bucket,
            key=key,
            filename=filename,
            file_id=file_id,
            size_bytes=uploaded.size,
            sha256=uploaded.sha256,
        )


def service_settings(
    platform: Platform, nats_url: str, work_dir: Path, *, range_bytes: int, batch_rows: int
) -> tuple[IngestSettings, ParserSettings, WriterSettings]:
    """Each service's settings, as ``remedyiq up`` would give them through the environment."""
    postgres = PostgresSettings(dsn=platform.app_dsn)
    s3 = S3Settings(
        bucket=platform.bucket,
        endpoint=platform.s3.endpoint_url,
        access_key=platform.s3.access_key,
        secret_key=platform.s3.secret_key,
        region=platform.s3.region,
    )
    redis = RedisSettings(url=platform.redis_url)
    common: dict[str, Any] = {"nats_url": nats_url, "drain_timeout_s": 5.0}
    clickhouse: dict[str, Any] = {
        "clickhouse_dsn": platform.chdb_dsn,
        "clickhouse_database": platform.clickhouse.database,
    }
    return (
        IngestSettings(
            IngestRuntime(
                **common,
                **clickhouse,
                ingest_range_bytes=range_bytes,
                ingest_batch_rows=batch_rows,
            ),
            postgres,
            s3,
            redis,
        ),
        ParserSettings(ParserRuntime(**common, parser_work_dir=str(work_dir)), s3),
        WriterSettings(WriterRuntime(**common, **clickhouse), postgres),
    )


@dataclass
class Running:
    """Services served by ``serve`` in a task of the test's event loop."""

    services: list[Service]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(
            serve(self.services, health_host="127.0.0.1", health_port=None, stop_event=self.stop)
        )

    def check_alive(self) -> None:
        """Raise what ended the services if they are no longer running."""
        if self.task is not None and self.task.done():
            self.task.result()
            raise AssertionError("the services stopped")

    async def shutdown(self) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 60)


@dataclass
class Pipeline:
    """A NATS server with the services on it, and a NATS client for the tests."""

    platform: Platform
    nats: NatsServer
    nc: NatsClient
    js: JetStreamContext
    running: list[Running]
    settings: tuple[IngestSettings, ParserSettings, WriterSettings]

    def check_alive(self) -> None:
        for group in self.running:
            group.check_alive()

    async def start_more(self, names: tuple[str, ...]) -> None:
        """Start more services (e.g. a writer that was not running) beside the others."""
        group = Running(build_services(self.platform, self.settings, names))
        self.running.append(group)
        group.start()
        wanted = tuple(c for c in CONSUMERS if _consumer_owner(c[1]) in names)
        await _until_ready(group, self.js, wanted)

    async def submit(
        self,
        tenant: UUID,
        filename: str,
        data: bytes,
        options: AnalysisOptions | None = None,
    ) -> UUID:
        """Upload ``data`` and publish ``jobs.{tenant}.submit``; returns the job id."""
        file = await self.platform.upload(tenant, filename, data)
        return await self.submit_ref(tenant, file, options)

    async def submit_ref(
        self, tenant: UUID, file: FileRef, options: AnalysisOptions | None = None
    ) -> UUID:
        """Publish ``jobs.{tenant}.submit`` for an object in storage; returns the job id."""
        job_id = uuid.uuid4()
        message = SubmitJob(
            job_id=job_id,
            tenant_id=tenant,
            file=file,
            options=options or AnalysisOptions(),
            requested_by="tests",
            requested_at=datetime.now(UTC),
        )
        await self.publish_raw(
            subject("jobs.submit", tenant),
            message.model_dump_json().encode(),
            headers={**headers_for("SubmitJob.v1", str(tenant)), "Nats-Msg-Id": str(job_id)},
        )
        return job_id

    async def publish_raw(self, name: str, body: bytes, headers: dict[str, str]) -> int:
        """Publish to a JetStream subject as any other system could; returns the sequence."""
        ack = await self.js.publish(name, body, headers=headers, timeout=10)
        return int(ack.seq)

    async def wait_end(
        self, tenant: UUID, job_id: UUID, within_s: float = JOB_TIMEOUT_S
    ) -> JobComplete:
        """The job's ``jobs.{tenant}.complete`` message (kept by the JOBS stream: no race)."""
        sub = await self.js.subscribe(subject("jobs.complete", tenant), ordered_consumer=True)
        try:
            async with asyncio.timeout(within_s):
                while True:
                    try:
                        msg = await sub.next_msg(timeout=1.0)
                    except nats.errors.TimeoutError:
                        self.check_alive()
                        continue
                    end = JobComplete.model_validate_json(msg.data)
                    if end.job_id == job_id:
                        return end
        finally:
            await sub.unsubscribe()

    async def run_job(
        self, tenant: UUID, filename: str, data: bytes, options: AnalysisOptions | None = None
    ) -> tuple[UUID, JobComplete]:
        job_id = await self.submit(tenant, filename, data, options)
        return job_id, await self.wait_end(tenant, job_id)

    async def dead_letters(
        self, tenant: str, count: int, *, about: object = None, within_s: float = 60.0
    ) -> list[DeadLetter]:
        """The first ``count`` dead letters of ``jobs.{tenant}.dlq`` (those whose message
        mentions ``about``, if given)."""
        sub = await self.js.subscribe(subject("jobs.dlq", tenant), ordered_consumer=True)
        letters: list[DeadLetter] = []
        try:
            async with asyncio.timeout(within_s):
                while len(letters) < count:
                    try:
                        msg = await sub.next_msg(timeout=1.0)
                    except nats.errors.TimeoutError:
                        self.check_alive()
                        continue
                    letter = DeadLetter.model_validate_json(msg.data)
                    if about is None or str(about).encode() in base64.b64decode(letter.body_b64):
                        letters.append(letter)
        finally:
            await sub.unsubscribe()
        return letters

    async def messages_on(self, stream: str, name: str) -> int:
        """How many messages ``stream`` holds on subject ``name``."""
        info = await self.js.stream_info(stream, subjects_filter=name)
        return int((info.state.subjects or {}).get(name, 0))

    async def consumer_idle(self, stream: str, durable: str, past_seq: int = 0) -> None:
        """Wait until ``durable`` has nothing pending or unacknowledged, and has acknowledged
        everything up to stream sequence ``past_seq``."""
        async with asyncio.timeout(30):
            while True:
                info = await self.js.consumer_info(stream, durable)
                floor = info.ack_floor.stream_seq if info.ack_floor else 0
                if (floor or 0) >= past_seq and not info.num_pending and not info.num_ack_pending:
                    return
                self.check_alive()
                await asyncio.sleep(0.05)


async def wait_for_consumers(js: JetStreamContext, wanted: tuple[tuple[str, str], ...]) -> None:
    """The services' durable consumers exist (the services are subscribed)."""
    async with asyncio.timeout(30):
        for stream, durable in wanted:
            while True:
                try:
                    await js.consumer_info(stream, durable)
                    break
                except JsNotFoundError:
                    await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def start_pipeline(
    platform: Platform,
    data_dir: Path,
    *,
    range_bytes: int = 32 * MIB,
    batch_rows: int = 20_000,
    services: tuple[str, ...] = ("ingest", "parser", "writer"),
) -> AsyncIterator[Pipeline]:
    """A fresh NATS server and ``services`` serving on it until the block ends."""
    work_dir = data_dir / "work"
    work_dir.mkdir(parents=True, exist_ok=True)
    server = NatsServer(data_dir / "nats")
    await server.astart()
    running: list[Running] = []
    nc: NatsClient | None = None
    try:
        settings = service_settings(
            platform, server.url, work_dir, range_bytes=range_bytes, batch_rows=batch_rows
        )
        group = Running(build_services(platform, settings, services))
        running.append(group)
        group.start()
        nc = await nats.connect(server.url, name="pipeline-tests")
        js = nc.jetstream()
        wanted = tuple(c for c in CONSUMERS if _consumer_owner(c[1]) in services)
        await _until_ready(group, js, wanted)
        yield Pipeline(platform, server, nc, js, running, settings)
    finally:
        for group in reversed(running):
            await group.shutdown()
        if nc is not None:
            await nc.close()
        await asyncio.to_thread(server.cleanup)


def _consumer_owner(durable: str) -> str:
    return durable.split("-", maxsplit=1)[0]


async def _until_ready(
    group: Running, js: JetStreamContext, wanted: tuple[tuple[str, str], ...]
) -> None:
    waiting = asyncio.ensure_future(wait_for_consumers(js, wanted))
    assert group.task is not None
    done, _ = await asyncio.wait({waiting, group.task}, return_when=asyncio.FIRST_COMPLETED)
    if group.task in done:
        waiting.cancel()
        group.check_alive()
    await waiting


def build_services(
    platform: Platform,
    settings: tuple[IngestSettings, ParserSettings, WriterSettings],
    names: tuple[str, ...],
) -> list[Service]:
    ingest, parser, writer = settings
    built = {
        "ingest": lambda: ingest_app.create_service(ingest, clickhouse=platform.clickhouse),
        "parser": lambda: parser_app.create_service(parser),
        "writer": lambda: writer_app.create_service(writer, clickhouse=platform.clickhouse),
    }
    return [built[name]() for name in names]


async def batches_published(platform: Platform, tenant: UUID, job_id: UUID) -> int:
    """Wait until the ingest has joined the job (every batch published); how many there are."""
    async with asyncio.timeout(60):
        while True:
            async with platform.db.tenant(tenant) as conn:
                expected = await coordination_repo.batches_expected(conn, job_id)
            if expected is not None:
                return expected
            await asyncio.sleep(0.05)
