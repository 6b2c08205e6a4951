"""``remedyiq submit`` and ``remedyiq report``: using a running platform from a terminal.

They read the platform's endpoints from the environment (``REMEDYIQ_*``), or from the file
``remedyiq up`` writes (``.cache/stack/stack.env``). ``submit`` uploads each file to the
platform's object store, registers it, publishes ``jobs.{tenant}.submit`` and, with ``--wait``,
follows ``jobs.{tenant}.progress`` until ``jobs.{tenant}.complete``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import nats
from nats.aio.msg import Msg
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from remedyiq_analysis.render import render_html, render_json, render_text
from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_cli.stack import DEFAULT_DIR
from remedyiq_platform.contracts.messages import FileRef, JobComplete, JobProgress, SubmitJob
from remedyiq_platform.contracts.subjects import subject
from remedyiq_platform.messaging import create_broker, publish
from remedyiq_platform.stores import files_repo, jobs_repo, results_repo, tenants_repo
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.settings import PostgresSettings, S3Settings

CHUNK = 8 * 1024 * 1024


def load_environment(env_file: Path | None) -> None:
    """Settings from ``env_file`` (or the local stack's), without overriding the environment."""
    path = env_file or DEFAULT_DIR / "stack.env"
    if "REMEDYIQ_NATS_URL" in os.environ or not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name and not line.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", default="local", help="organisation id of the tenant")
    parser.add_argument(
        "--env-file", type=Path, help="platform settings (default: the local stack's)"
    )


def add_submit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="FILE", help="logs (.log, .gz or .zip)")
    add_common(parser)
    parser.add_argument("--wait", action="store_true", help="follow the jobs until they end")
    parser.add_argument("-n", "--top", type=int, default=50, help="size of every top-N list")


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", type=UUID, help="the job id submit printed")
    add_common(parser)
    parser.add_argument("--format", choices=("text", "json", "html"), default="text")
    parser.add_argument("-o", "--output", help="write the report here instead of stdout")


async def _database() -> Database:
    settings = PostgresSettings()
    return await Database.connect(settings.dsn.get_secret_value(), min_size=0, max_size=2)


async def _tenant(db: Database, org: str) -> UUID:
    async with db.system() as conn:
        return await tenants_repo.ensure_tenant(conn, org, org)


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk


async def _upload(db: Database, objects: ObjectStore, tenant: UUID, path: Path) -> FileRef:
    file_id = uuid.uuid4()
    key = file_key(tenant, file_id, path.name)
    async with db.tenant(tenant) as conn:
        await files_repo.create_file(
            conn, file_id=file_id, filename=path.name, s3_bucket=objects.bucket, s3_key=key
        )
    uploaded = await objects.upload_stream(tenant, key, _chunks(path))
    async with db.tenant(tenant) as conn:
        await files_repo.mark_file_ready(
            conn, file_id, size_bytes=uploaded.size, checksum_sha256=uploaded.sha256
        )
    return FileRef(
        bucket=objects.bucket,
        key=key,
        filename=path.name,
        file_id=file_id,
        size_bytes=uploaded.size,
        sha256=uploaded.sha256,
    )


async def submit(args: argparse.Namespace) -> int:
    load_environment(args.env_file)
    options = AnalysisOptions(top_n=args.top)
    db = await _database()
    objects = await ObjectStore.from_settings(S3Settings())
    broker = create_broker(os.environ["REMEDYIQ_NATS_URL"], name="remedyiq-cli")
    await broker.connect()
    try:
        tenant = await _tenant(db, args.tenant)
        jobs: list[UUID] = []
        for path in args.files:
            file = await _upload(db, objects, tenant, path)
            job_id = uuid.uuid4()
            message = SubmitJob(
                job_id=job_id,
                tenant_id=tenant,
                file=file,
                options=options,
                requested_by="cli",
                requested_at=datetime.now(UTC),
            )
            await publish(broker, "jobs.submit", message, tenant=str(tenant), msg_id=str(job_id))
            jobs.append(job_id)
            print(f"job {job_id}  {path.name} ({file.size_bytes:,} bytes)")
        if not args.wait:
            return 0
        ends = await _follow(str(tenant), set(jobs))
    finally:
        await broker.stop()
        await objects.close()
        await db.close()
    for end in ends:
        counts = end.counts
        print(
            f"{end.job_id}: {end.status} in {end.duration_s:.1f} s — {counts.total_lines:,} lines,"
            f" {counts.api_count:,} API, {counts.sql_count:,} SQL, {counts.filter_count:,} FLTR,"
            f" {counts.esc_count:,} ESCL lines; {counts.rows_stored:,} rows stored"
            + (f"; error: {end.error_message}" if end.error_message else "")
        )
        if end.status == "complete":
            print(f"  report: remedyiq report {end.job_id} --tenant {args.tenant} [--format html]")
    return 0 if all(end.status == "complete" for end in ends) else 1


async def _follow(tenant: str, jobs: set[UUID]) -> list[JobComplete]:
    """Progress bars until every job has its ``complete`` message."""
    connection = await nats.connect(os.environ["REMEDYIQ_NATS_URL"])
    ended: dict[UUID, JobComplete] = {}
    done = asyncio.Event()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bars:
        tasks = {job: bars.add_task(str(job)[:8], total=100, stage="queued") for job in jobs}

        async def on_progress(msg: Msg) -> None:
            update = JobProgress.model_validate_json(msg.data)
            if update.job_id in tasks:
                bars.update(tasks[update.job_id], completed=update.progress_pct, stage=update.stage)

        async def on_complete(msg: Msg) -> None:
            end = JobComplete.model_validate_json(msg.data)
            if end.job_id in tasks:
                ended[end.job_id] = end
                bars.update(tasks[end.job_id], completed=100, stage=end.status)
                if len(ended) == len(jobs):
                    done.set()

        await connection.subscribe(subject("jobs.progress", tenant), cb=on_progress)
        await connection.subscribe(subject("jobs.complete", tenant), cb=on_complete)
        await done.wait()
    await connection.close()
    return [ended[job] for job in jobs]


def submit_command(args: argparse.Namespace) -> int:
    args.files = [Path(name) for name in args.paths]
    for path in args.files:
        if not path.is_file():
            print(f"remedyiq: {path}: no such file", file=sys.stderr)
            return 1
    return asyncio.run(submit(args))


async def report(args: argparse.Namespace) -> int:
    load_environment(args.env_file)
    db = await _database()
    try:
        tenant = await _tenant(db, args.tenant)
        async with db.tenant(tenant) as conn:
            result = await results_repo.get_result(conn, args.job)
            job = await jobs_repo.get_job(conn, args.job)
    finally:
        await db.close()
    if result is None:
        print(f"remedyiq: no results for job {args.job} (tenant {args.tenant})", file=sys.stderr)
        return 1
    analysis = Report.model_validate(result.report)
    if args.format == "text":  # its last line is the job's processing time
        args.rendered = render_text(analysis, duration_s=job.processing_s if job else None)
    else:
        args.rendered = {"json": render_json, "html": render_html}[args.format](analysis)
    return 0


def report_command(args: argparse.Namespace) -> int:
    status = asyncio.run(report(args))
    if status == 0:
        if args.output:
            Path(args.output).write_text(args.rendered, encoding="utf-8")
        else:
            sys.stdout.write(args.rendered)
    return status
