"""The platform as separate processes on real servers, for crash-safety tests.

* :class:`ServiceProcess` — one ``remedyiq serve --service …`` child in its own process group
  (so ``kill -9`` takes all of it), its log in a file, readiness from its ``/readyz``;
* :class:`Platform` — a test's private NATS JetStream (file storage, so it can stop and start
  again on the same port with its streams), database (owner and app roles), Redis database, S3
  bucket and chDB directory; it uploads and submits a job, watches the job's messages to time
  a fault, can hold the writer between its ClickHouse insert and its ledger record, and reads
  the results;
* :func:`count_rows` — ClickHouse counts of a job, read in a child process once the process that
  owned the chDB directory has stopped (chDB opens one directory per process, and this test
  process must not open one of its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import secrets
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import asyncpg
import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_devstack._http import http_get
from remedyiq_devstack._process import ManagedProcess, format_tail
from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.ports import free_port
from remedyiq_devstack.postgres_server import (
    PostgresServer,
    provision_platform_database,
    quote_ident,
)
from remedyiq_platform.contracts.messages import (
    BatchStored,
    FileRef,
    JobComplete,
    RangeParsed,
    SubmitJob,
)
from remedyiq_platform.contracts.subjects import subject
from remedyiq_platform.messaging import create_broker, publish
from remedyiq_platform.stores import files_repo, jobs_repo, results_repo, tenants_repo
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.pgmigrate import migrate_up as pg_migrate_up
from remedyiq_platform.stores.postgres import Database

REMEDYIQ = Path(sys.executable).with_name("remedyiq")
DATABASE = "remedyiq"
READY_TIMEOUT_S = 60.0
JOB_TIMEOUT_S = 90.0
FAULT_TIMEOUT_S = 60.0  # until the job is far enough along for the fault
CHILD_TIMEOUT_S = 60.0  # the chDB migration and row counts


def nats_down(readiness: tuple[int, bytes] | None) -> bool:
    """Whether a ``/readyz`` answer says NATS is unreachable (checks are ``service.nats``)."""
    if readiness is None or readiness[0] != 503:
        return False
    checks: dict[str, str] = json.loads(readiness[1]).get("checks", {})
    return any(name.endswith(".nats") and value != "ok" for name, value in checks.items())


async def probe(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Until ``check()`` holds, for states that announce themselves with no event (a lock wait,
    a consumer's pending count, readiness); fails after :data:`FAULT_TIMEOUT_S`."""
    try:
        async with asyncio.timeout(FAULT_TIMEOUT_S):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError(f"never saw {what} within {FAULT_TIMEOUT_S:.0f} s") from None


class ServiceProcess:
    """``remedyiq serve --service NAMES`` as a child process group."""

    def __init__(self, label: str, names: str, env: dict[str, str], log_dir: Path) -> None:
        self.label = label
        self.names = names
        self.health_port = free_port()
        self.env = {**env, "REMEDYIQ_HEALTH_PORT": str(self.health_port)}
        self.log_path = log_dir / f"{label}.log"
        self._proc: ManagedProcess | None = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.alive()

    def start(self) -> None:
        if self._proc is not None:
            raise RuntimeError(f"{self.label} is already running")
        proc = ManagedProcess(
            [str(REMEDYIQ), "serve", "--service", self.names],
            log_path=self.log_path,
            env=self.env,
        )
        proc.start()
        self._proc = proc

    async def readiness(self) -> tuple[int, bytes] | None:
        """``/readyz``: status and body, or None if nothing answers."""
        return await asyncio.to_thread(http_get, f"http://127.0.0.1:{self.health_port}/readyz", 3.0)

    async def wait_ready(self) -> None:
        """Until ``/readyz`` answers 200 (every dependency checked); fails if the process dies."""
        answer: tuple[int, bytes] | None = None
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                while answer is None or answer[0] != 200:
                    if not self.alive:
                        raise AssertionError(f"{self.label} exited while starting{self.log_tail()}")
                    await asyncio.sleep(0.1)  # readiness has no event to wait for: probe it
                    answer = await self.readiness()
        except TimeoutError:
            raise AssertionError(f"{self.label} not ready: {answer!r}{self.log_tail()}") from None

    def kill(self) -> None:
        """``kill -9`` of the whole process group, then reap it."""
        proc, self._proc = self._proc, None
        if proc is None or proc.pid is None:
            raise RuntimeError(f"{self.label} is not running")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.stop(timeout=5.0)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (the services drain), escalating to SIGKILL after ``timeout``; idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stop(timeout=timeout)

    def log_tail(self) -> str:
        return format_tail(self.log_path)


@dataclass
class JobWatch:
    """What one job has done so far, from its messages on core NATS subscriptions: the entry
    batches published, the batches stored and the ranges parsed (distinct ids: a message
    published again after a fault counts once)."""

    job_id: UUID
    seen: dict[str, set[str]] = field(
        default_factory=lambda: {"entries": set(), "stored": set(), "parsed": set()}
    )
    _waiters: list[tuple[str, int, asyncio.Event]] = field(default_factory=list)

    def note(self, kind: str, job_id: str | None, item: str) -> None:
        if job_id == str(self.job_id):
            self.seen[kind].add(item)
            for wanted, count, event in self._waiters:
                if wanted == kind and len(self.seen[kind]) >= count:
                    event.set()

    async def wait(self, kind: str, count: int) -> None:
        """Until ``count`` distinct ``kind`` messages of the job were seen."""
        event = asyncio.Event()
        self._waiters.append((kind, count, event))
        if len(self.seen[kind]) >= count:
            event.set()
        try:
            await asyncio.wait_for(event.wait(), FAULT_TIMEOUT_S)
        except TimeoutError:
            raise AssertionError(
                f"saw {len(self.seen[kind])} of {count} {kind} in {FAULT_TIMEOUT_S:.0f} s"
            ) from None


@dataclass
class RowCounts:
    entries: int
    distinct_entries: int  # distinct (file_number, line_number): an entry's identity
    gaps: int
    batches: dict[str, int]  # "table:batch_id" -> rows


class Platform:
    """A test's private servers and the platform's processes on them."""

    def __init__(
        self,
        work: Path,
        *,
        postgres: PostgresServer,
        redis_url: str,
        s3: dict[str, str],
        settings: dict[str, str],
    ) -> None:
        self.work = work
        self.postgres = postgres
        self.nats = NatsServer(work / "nats")
        self.tag = secrets.token_hex(5)
        self.database = f"chaos_{self.tag}"
        self.owner = f"chaos_owner_{self.tag}"
        self.app_role = f"chaos_app_{self.tag}"
        self.chdb_dir = work / "chdb"
        self.redis_url = redis_url
        self.s3 = s3
        self.settings = settings
        self.processes: list[ServiceProcess] = []
        self.env: dict[str, str] = {}
        self.db: Database | None = None
        self.objects: ObjectStore | None = None
        self.nc: NatsClient | None = None
        self.tenant: UUID | None = None
        self._database_created = False

    # -- servers -------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.nats.start)
        owner_password, app_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        database = await asyncio.to_thread(
            provision_platform_database,
            self.postgres,
            self.database,
            owner=self.owner,
            owner_password=owner_password,
            app_role=self.app_role,
            app_password=app_password,
        )
        self._database_created = True
        (self.work / "parser").mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("REMEDYIQ_")}
        self.env = {
            **inherited,
            "REMEDYIQ_NATS_URL": self.nats.url,
            "REMEDYIQ_POSTGRES_DSN": database.app_dsn,
            "REMEDYIQ_REDIS_URL": self.redis_url,
            "REMEDYIQ_CLICKHOUSE_DSN": f"chdb://{self.chdb_dir}",
            "REMEDYIQ_CLICKHOUSE_DATABASE": DATABASE,
            "REMEDYIQ_PARSER_WORK_DIR": str(self.work / "parser"),
            "REMEDYIQ_HEALTH_HOST": "127.0.0.1",
            "REMEDYIQ_LOG_LEVEL": "INFO",
            **self.s3,
            **self.settings,
        }
        await self._migrate(database.owner_dsn, app_password)
        self.db = await Database.connect(database.app_dsn, min_size=1, max_size=4)
        s3 = self.s3
        self.objects = await ObjectStore.open(
            bucket=s3["REMEDYIQ_S3_BUCKET"],
            endpoint_url=s3["REMEDYIQ_S3_ENDPOINT"],
            region=s3["REMEDYIQ_S3_REGION"],
            access_key_id=s3["REMEDYIQ_S3_ACCESS_KEY"],
            secret_access_key=s3["REMEDYIQ_S3_SECRET_KEY"],
        )
        async with self.db.system() as conn:
            self.tenant = await tenants_repo.ensure_tenant(conn, f"org_{self.tag}", "Chaos")

    async def _migrate(self, owner_dsn: str, app_password: str) -> None:
        """What ``remedyiq migrate`` does, without its start-up cost: PostgreSQL here and chDB
        in a child process (this process must not open a chDB directory), at the same time."""
        await asyncio.gather(
            run_child(_MIGRATE_SCRIPT, str(self.chdb_dir), DATABASE),
            pg_migrate_up(owner_dsn, app_role=self.app_role, app_password=app_password),
        )

    def service(self, label: str, names: str) -> ServiceProcess:
        process = ServiceProcess(label, names, self.env, self.work)
        self.processes.append(process)
        return process

    async def start_services(self, *processes: ServiceProcess) -> None:
        for process in processes:
            process.start()
        await asyncio.gather(*(process.wait_ready() for process in processes))

    async def close(self) -> None:
        """Stop everything this platform started, whatever state the test left it in."""
        steps: list[Callable[[], Awaitable[object]]] = [
            functools.partial(asyncio.to_thread, process.stop, 10.0) for process in self.processes
        ]
        if self.nc is not None:
            steps.append(self.nc.close)
        if self.objects is not None:
            steps.append(self.objects.close)
        if self.db is not None:
            steps.append(self.db.close)
        steps.append(functools.partial(asyncio.to_thread, self.nats.cleanup))
        if self._database_created:
            steps.append(functools.partial(asyncio.to_thread, self._drop_database))
        errors: list[Exception] = []
        for step in steps:
            try:
                await step()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    def _drop_database(self) -> None:
        self.postgres.drop_database(self.database)
        self.postgres.psql(
            f"DROP ROLE IF EXISTS {quote_ident(self.app_role)}",
            f"DROP ROLE IF EXISTS {quote_ident(self.owner)}",
        )

    # -- faults --------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def ledger_locked(self) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """Hold the writer's batch ledger (``job_batches``) locked against writes.

        A writer that has inserted a batch into ClickHouse then waits to record it: the crash
        window between the two is held open. Yields a function that returns once a writer
        waits there. Reads (the ingest's, the writer's ledger check) go on.
        """
        conn = await asyncpg.connect(self.postgres.dsn_for(self.database))
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE job_batches IN EXCLUSIVE MODE")

                async def waiting() -> bool:
                    return bool(await conn.fetchval(_WAITING_FOR_LEDGER))

                async def writer_waits() -> None:
                    await probe(waiting, "a writer waiting to record a batch")

                yield writer_waits
        finally:
            await conn.close()

    async def nats_outage(self) -> None:
        """Stop NATS (SIGTERM: it syncs its file store), wait until every running service
        reports NATS unreachable on ``/readyz``, and start NATS again on the same port."""
        await asyncio.to_thread(self.nats.stop)
        running = [p for p in self.processes if p.alive]

        async def all_noticed() -> bool:
            answers = await asyncio.gather(*(p.readiness() for p in running))
            return all(nats_down(answer) for answer in answers)

        await probe(all_noticed, "every service reporting NATS down")
        await asyncio.to_thread(self.nats.start)

    # -- a job ---------------------------------------------------------------------------

    @property
    def tenant_id(self) -> UUID:
        if self.tenant is None:
            raise RuntimeError("the platform is not started")
        return self.tenant

    @property
    def database_pool(self) -> Database:
        if self.db is None:
            raise RuntimeError("the platform is not started")
        return self.db

    @property
    def watcher(self) -> NatsClient:
        if self.nc is None:
            raise RuntimeError("no job is being watched")
        return self.nc

    async def upload(self, path: Path) -> FileRef:
        """Upload ``path`` and register it, as ``remedyiq submit`` and the gateway do."""
        if self.objects is None:
            raise RuntimeError("the platform is not started")
        tenant = self.tenant_id
        file_id = uuid.uuid4()
        key = file_key(tenant, file_id, path.name)
        async with self.database_pool.tenant(tenant) as conn:
            await files_repo.create_file(
                conn, file_id=file_id, filename=path.name, s3_bucket=self.objects.bucket, s3_key=key
            )

        async def chunks() -> AsyncIterator[bytes]:
            yield await asyncio.to_thread(path.read_bytes)

        uploaded = await self.objects.upload_stream(tenant, key, chunks())
        async with self.database_pool.tenant(tenant) as conn:
            await files_repo.mark_file_ready(
                conn, file_id, size_bytes=uploaded.size, checksum_sha256=uploaded.sha256
            )
        return FileRef(
            bucket=self.objects.bucket,
            key=key,
            filename=path.name,
            file_id=file_id,
            size_bytes=uploaded.size,
            sha256=uploaded.sha256,
        )

    @contextlib.asynccontextmanager
    async def job(self, path: Path) -> AsyncIterator[tuple[JobWatch, asyncio.Future[JobComplete]]]:
        """Upload and submit ``path``; yields a :class:`JobWatch` and the future of the job's
        ``complete`` message (from a core subscription, and from an ordered JetStream consumer
        that replays what this client missed while NATS was down)."""
        file = await self.upload(path)
        tenant = str(self.tenant_id)
        job_id = uuid.uuid4()
        watch = JobWatch(job_id)
        ended: asyncio.Future[JobComplete] = asyncio.get_running_loop().create_future()

        async def quiet(_error: Exception) -> None:  # NATS going away is what these tests do
            return

        nc = await nats.connect(
            self.nats.url,
            name="chaos-watch",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.2,
            error_cb=quiet,
        )
        self.nc = nc

        async def on_entries(msg: Msg) -> None:  # an Arrow body; its metadata in headers
            headers = msg.headers or {}
            watch.note("entries", headers.get("job_id"), headers.get("batch_id", ""))

        async def on_stored(msg: Msg) -> None:
            stored = BatchStored.model_validate_json(msg.data)
            watch.note("stored", str(stored.job_id), stored.batch_id)

        async def on_parsed(msg: Msg) -> None:
            parsed = RangeParsed.model_validate_json(msg.data)
            watch.note("parsed", str(parsed.job_id), str(parsed.range_index))

        async def on_complete(msg: Msg) -> None:
            end = JobComplete.model_validate_json(msg.data)
            if end.job_id == job_id and not ended.done():
                ended.set_result(end)

        try:
            for key, cb in (
                ("jobs.entries", on_entries),
                ("jobs.stored", on_stored),
                ("jobs.parsed", on_parsed),
                ("jobs.complete", on_complete),
            ):
                await nc.subscribe(subject(key, tenant), cb=cb)
            await nc.jetstream().subscribe(
                subject("jobs.complete", tenant),
                cb=on_complete,
                ordered_consumer=True,
                idle_heartbeat=0.5,
            )
            await nc.flush()
            await self._submit(tenant, job_id, file)
            yield watch, ended
        finally:
            self.nc = None
            with contextlib.suppress(Exception):  # a watcher that cannot close cleanly is moot
                await nc.close()

    async def _submit(self, tenant: str, job_id: UUID, file: FileRef) -> None:
        broker = create_broker(self.nats.url, name="chaos-submit")
        await broker.connect()
        try:
            message = SubmitJob(
                job_id=job_id,
                tenant_id=self.tenant_id,
                file=file,
                options=AnalysisOptions(),
                requested_by="chaos",
                requested_at=datetime.now(UTC),
            )
            await publish(broker, "jobs.submit", message, tenant=tenant, msg_id=str(job_id))
        finally:
            await broker.stop()

    async def wait_end(self, ended: asyncio.Future[JobComplete], job_id: UUID) -> JobComplete:
        """The job's ``complete`` message; on a time-out, what the job and services were doing."""
        try:
            return await asyncio.wait_for(asyncio.shield(ended), JOB_TIMEOUT_S)
        except TimeoutError:
            job = await self.job_row(job_id)
            logs = "".join(f"\n--- {p.label}{p.log_tail()}" for p in self.processes)
            raise AssertionError(
                f"job {job_id} did not end within {JOB_TIMEOUT_S:.0f} s: {job.status}, "
                f"{job.progress_pct}%, {job.rows_stored} rows stored{logs}"
            ) from None

    async def in_flight(self, stream: str, durable: str) -> int:
        """Messages a consumer has been given and not yet acknowledged."""
        info = await self.watcher.jetstream().consumer_info(stream, durable, timeout=2.0)
        return info.num_ack_pending or 0

    async def wait_in_flight(self, stream: str, durable: str, at_least: int = 1) -> None:
        """Until the consumer holds ``at_least`` unacknowledged messages."""

        async def holds() -> bool:
            return await self.in_flight(stream, durable) >= at_least

        await probe(holds, f"{durable} holding {at_least} unacknowledged messages")

    async def deliveries(self, stream: str, durable: str) -> tuple[int, int]:
        """(deliveries a consumer made, last stream sequence it delivered): more deliveries
        than messages means some were delivered again."""
        info = await self.watcher.jetstream().consumer_info(stream, durable, timeout=2.0)
        if info.delivered is None:
            return 0, 0
        return info.delivered.consumer_seq or 0, info.delivered.stream_seq or 0

    # -- results -------------------------------------------------------------------------

    async def job_row(self, job_id: UUID) -> Job:
        async with self.database_pool.tenant(self.tenant_id) as conn:
            job = await jobs_repo.get_job(conn, job_id)
        if job is None:
            raise AssertionError(f"job {job_id} is not in PostgreSQL")
        return job

    async def stored_report(self, job_id: UUID) -> Report:
        async with self.database_pool.tenant(self.tenant_id) as conn:
            result = await results_repo.get_result(conn, job_id)
        if result is None:
            raise AssertionError(f"job {job_id} has no stored result")
        return Report.model_validate(result.report)

    async def ledger(self, job_id: UUID) -> dict[str, int]:
        """The writer's batch ledger of the job: ``"table:batch_id"`` -> rows."""
        async with self.database_pool.tenant(self.tenant_id) as conn:
            rows = await conn.fetch(
                "SELECT batch_id, table_name, rows FROM job_batches WHERE job_id = $1", job_id
            )
        return {f"{r['table_name']}:{r['batch_id']}": int(r["rows"]) for r in rows}

    async def count_rows(self, job_id: UUID) -> RowCounts:
        """ClickHouse counts of the job; the process owning the chDB directory must be stopped."""
        if any(p.alive and "writer" in p.names for p in self.processes):
            raise RuntimeError("stop the process that owns the chDB directory first")
        out = await run_child(
            _COUNT_SCRIPT, str(self.chdb_dir), DATABASE, str(self.tenant_id), str(job_id)
        )
        data = json.loads(out)
        return RowCounts(
            entries=int(data["entries"]),
            distinct_entries=int(data["distinct_entries"]),
            gaps=int(data["gaps"]),
            batches={str(k): int(v) for k, v in data["batches"].items()},
        )


async def run_child(script: str, *args: str) -> bytes:
    """Run a Python ``script`` in a child process; its stdout, or AssertionError on failure."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CHILD_TIMEOUT_S)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        raise AssertionError(f"child process failed: {err.decode(errors='replace')[-3000:]}")
    return out


_WAITING_FOR_LEDGER = """
SELECT count(*) > 0 FROM pg_locks WHERE relation = 'job_batches'::regclass AND NOT granted
"""

_MIGRATE_SCRIPT = """
import sys
import clickhouse_connect
from remedyiq_analysis.migrate import migrate_up
client = clickhouse_connect.get_client(dsn="chdb://" + sys.argv[1])
migrate_up(client, sys.argv[2])
client.close()
"""

_COUNT_SCRIPT = """
import json, sys
import clickhouse_connect
path, database, tenant, job = sys.argv[1:5]
client = clickhouse_connect.get_client(dsn="chdb://" + path)

def rows(select, table, tail=""):
    sql = (f"SELECT {select} FROM {database}.{table} "
           "WHERE tenant_id = {t:String} AND job_id = {j:String} " + tail)
    return client.query(sql, parameters={"t": tenant, "j": job}).result_rows

entries, distinct = rows("count(), uniqExact(file_number, line_number)", "log_entries")[0]
gaps = rows("count()", "log_gaps")[0][0]
batches = {
    f"{table}:{batch}": count
    for table in ("log_entries", "log_gaps")
    for batch, count in rows("batch_id, count()", table, "GROUP BY batch_id")
}
client.close()
print(json.dumps({"entries": entries, "distinct_entries": distinct, "gaps": gaps,
                  "batches": batches}))
"""
