"""``jobs.{tenant}.parsed`` and ``jobs.{tenant}.stored``: from parsed ranges to the stored report.

* When every range is parsed, the ranges are joined (their summaries, in order): the rows that
  cross range boundaries, the exceptions at the end of the log and the gap tables become the
  job's last batches; the job moves to ``storing`` and knows how many batches to wait for.
* When every batch is stored, every analyzer section is computed in ClickHouse, the report is
  saved durably (PostgreSQL), and the job completes.

Status transitions are the locks: only the handler that moves a job from ``parsing`` to
``storing`` joins it, only the one moving it to ``analyzing`` analyses it. A handler that dies in
between leaves its message unacknowledged; its redelivery (delivered more than once) redoes the
step — every step is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import UTC, datetime
from uuid import UUID

from nats.aio.msg import Msg

from remedyiq_analysis.analyze import analyze
from remedyiq_analysis.batchbody import encode
from remedyiq_analysis.columnar import entries_batch, gaps_batch
from remedyiq_analysis.meta import INPUT_FILES_ARTEFACT, FileMeta, JobMeta, input_files
from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_arlog import summary_codec
from remedyiq_arlog.join import Joiner
from remedyiq_arlog.rows import Row
from remedyiq_ingest.jobstate import IngestDeps, announce_end, change, fail, is_final, try_advance
from remedyiq_platform.contracts.messages import BatchStored, EntryBatchHeaders, RangeParsed
from remedyiq_platform.messaging import (
    MAX_DELIVERIES,
    PoisonMessage,
    dead_letter,
    deliveries,
    open_envelope,
    publish_bytes,
    retry_or_dead_letter,
)
from remedyiq_platform.stores import (
    batches_repo,
    coordination_repo,
    files_repo,
    jobs_repo,
    ranges_repo,
    results_repo,
    tenants_repo,
)
from remedyiq_platform.stores.errors import NotFoundError
from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.objects_keys import artefact_key

logger = logging.getLogger(__name__)


async def on_parsed(raw: Msg, deps: IngestDeps) -> None:
    try:
        tenant, message = open_envelope(raw, RangeParsed)
    except PoisonMessage as exc:
        await dead_letter(deps.broker, raw, str(exc), consumer="ingest-parsed")
        return
    await _guarded(raw, deps, tenant, message.job_id, _range_parsed(raw, deps, tenant, message))


async def on_stored(raw: Msg, deps: IngestDeps) -> None:
    try:
        tenant, message = open_envelope(raw, BatchStored)
    except PoisonMessage as exc:
        await dead_letter(deps.broker, raw, str(exc), consumer="ingest-stored")
        return
    await _guarded(raw, deps, tenant, message.job_id, _batch_stored(raw, deps, tenant, message))


async def _guarded(
    raw: Msg, deps: IngestDeps, tenant: str, job_id: UUID, step: Awaitable[None]
) -> None:
    try:
        await step
        await raw.ack()
    except Exception as exc:
        if deliveries(raw) >= MAX_DELIVERIES:
            logger.exception("job %s: giving up", job_id)
            await fail(deps, tenant, job_id, f"the job could not be completed: {exc}")
        else:
            logger.warning("job %s: step failed (%r); retrying", job_id, exc)
        await retry_or_dead_letter(deps.broker, raw, repr(exc), consumer="ingest", delay_s=3.0)


async def _job(deps: IngestDeps, tenant: str, job_id: UUID) -> Job | None:
    async with deps.database.tenant(tenant) as conn:
        return await jobs_repo.get_job(conn, job_id)


async def _range_parsed(raw: Msg, deps: IngestDeps, tenant: str, message: RangeParsed) -> None:
    job = await _job(deps, tenant, message.job_id)
    if job is None or is_final(job):
        return
    if message.error:
        await fail(deps, tenant, job.id, message.error)
        return
    async with deps.database.tenant(tenant) as conn:
        await ranges_repo.mark_range_parsed(
            conn,
            job.id,
            message.range_index,
            batches=message.batches,
            rows=message.rows,
            summary_key=message.summary_key,
        )
        counts = await ranges_repo.range_counts(conn, job.id)
        parsed_bytes = sum(
            r.end_offset - r.start_offset
            for r in await ranges_repo.list_ranges(conn, job.id)
            if r.status == "parsed"
        )
    if not counts.all_parsed:
        await change(
            deps,
            tenant,
            job.id,
            stage=f"parsed {counts.parsed} of {counts.total} ranges",
            progress_pct=5 + 65 * counts.parsed // counts.total,
            bytes_parsed=parsed_bytes,
        )
        return
    won = await try_advance(deps, tenant, job.id, JobStatus.STORING)
    if won or (deliveries(raw) > 1 and job.status == JobStatus.STORING):
        await _join(deps, tenant, job.id, job.jar_flags)


async def _join(deps: IngestDeps, tenant: str, job_id: UUID, flags: dict[str, object]) -> None:
    """Join the ranges in order; publish the rows that cross them and the gap tables."""
    options = AnalysisOptions.model_validate(flags)
    async with deps.database.tenant(tenant) as conn:
        ranges = await ranges_repo.list_ranges(conn, job_id)
        job = await jobs_repo.get_job(conn, job_id)
        tenant_row = await tenants_repo.get_tenant(conn, UUID(tenant))
        file = await files_repo.get_file(conn, job.file_id) if job else None
    joiner = Joiner(max(1000, options.top_n))
    boundary: list[Row] = []
    for byte_range in sorted(ranges, key=lambda r: r.range_index):
        if byte_range.summary_key is None:
            raise RuntimeError(f"range {byte_range.range_index} has no summary")
        data = await deps.store.get_bytes(tenant, byte_range.summary_key)
        boundary.extend(joiner.add(summary_codec.loads(data)))
    tail, result = joiner.finish()
    boundary.extend(tail)
    files = await _input_files(deps, tenant, job_id)
    if not files and file:  # a plain log (or one .gz) is the job's one file
        files = [FileMeta(number=1, name=file.filename, bytes=file.size_bytes)]
    meta = JobMeta.from_join(result, files)
    await deps.store.put_bytes(
        tenant, artefact_key(tenant, job_id, "meta.json"), meta.model_dump_json().encode()
    )
    retention = tenant_row.retention_days if tenant_row else 90
    chunks = [boundary[i : i + deps.batch_rows] for i in range(0, len(boundary), deps.batch_rows)]
    batches = [
        ("log_entries", f"join.{i}", entries_batch(chunk)) for i, chunk in enumerate(chunks or [[]])
    ]
    batches.append(("log_gaps", "gaps.0", gaps_batch(result.line_gaps + result.thread_gaps)))
    for number, (table, batch_id, batch) in enumerate(batches, 1):
        headers = EntryBatchHeaders(
            job_id=job_id,
            tenant_id=UUID(tenant),
            batch_id=batch_id,
            table=table,
            rows=batch.num_rows,
            retention_days=retention,
            final=number == len(batches),
        )
        body = encode(
            batch,
            tenant_id=tenant,
            job_id=str(job_id),
            batch_id=batch_id,
            retention_days=retention,
        )
        await publish_bytes(
            deps.broker,
            "jobs.entries",
            body,
            tenant=tenant,
            headers={k: str(v) for k, v in headers.model_dump().items()},
            msg_id=f"{job_id}:{batch_id}",
        )
    async with deps.database.tenant(tenant) as conn:
        total = sum(r.batches or 0 for r in ranges) + len(batches)
        await coordination_repo.set_batches_expected(conn, job_id, total)
    await change(deps, tenant, job_id, stage="storing", progress_pct=70)
    await _maybe_finish(deps, tenant, job_id, redelivered=False)


async def _input_files(deps: IngestDeps, tenant: str, job_id: UUID) -> list[FileMeta]:
    """The logs of a compressed input as the parser listed them; none for a plain file."""
    key = artefact_key(tenant, job_id, INPUT_FILES_ARTEFACT)
    try:
        return input_files.validate_json(await deps.store.get_bytes(tenant, key))
    except NotFoundError:
        return []


async def _batch_stored(raw: Msg, deps: IngestDeps, tenant: str, message: BatchStored) -> None:
    job = await _job(deps, tenant, message.job_id)
    if job is None or is_final(job):
        return
    if message.error:
        await fail(deps, tenant, job.id, f"the parsed entries could not be stored: {message.error}")
        return
    await _maybe_finish(deps, tenant, job.id, redelivered=deliveries(raw) > 1)


async def _maybe_finish(deps: IngestDeps, tenant: str, job_id: UUID, *, redelivered: bool) -> None:
    async with deps.database.tenant(tenant) as conn:
        job = await jobs_repo.get_job(conn, job_id)
        expected = await coordination_repo.batches_expected(conn, job_id)
        totals = await batches_repo.batch_totals(conn, job_id)
    if job is None or expected is None or is_final(job):
        return
    if totals.batches < expected:
        await change(
            deps,
            tenant,
            job_id,
            stage=f"stored {totals.batches} of {expected} batches",
            progress_pct=70 + 25 * totals.batches // max(expected, 1),
            rows_stored=totals.rows,
        )
        return
    won = await try_advance(deps, tenant, job_id, JobStatus.ANALYZING)
    if won or (redelivered and job.status == JobStatus.ANALYZING):
        await _analyse(deps, tenant, job, totals.rows)


async def _analyse(deps: IngestDeps, tenant: str, job: Job, rows: int) -> None:
    """Every analyzer section, in ClickHouse; the report saved durably; the job complete."""
    meta = JobMeta.model_validate_json(
        await deps.store.get_bytes(tenant, artefact_key(tenant, job.id, "meta.json"))
    )
    options = AnalysisOptions.model_validate(job.jar_flags)
    scope = deps.clickhouse.scope(tenant, str(job.id))
    report: Report = await deps.clickhouse.run(analyze, scope, options, meta)
    async with deps.database.tenant(tenant) as conn:
        await results_repo.save_result(
            conn, job.id, report=report.model_dump(mode="json"), meta=meta.model_dump(mode="json")
        )
    general = report.general
    done = await change(
        deps,
        tenant,
        job.id,
        stage="complete",
        status=JobStatus.COMPLETE,
        total_lines=general.total_lines,
        processed_lines=general.total_lines,
        api_count=general.lines["API"],
        sql_count=general.lines["SQL"],
        filter_count=general.lines["FLTR"],
        esc_count=general.lines["ESCL"],
        log_start=_time(general.start_time),
        log_end=_time(general.end_time),
        rows_stored=rows,
        bytes_parsed=job.bytes_total or 0,
    )
    await announce_end(deps, tenant, done)


def _time(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC) if iso else None
