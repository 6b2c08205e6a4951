"""A finished job's state, made directly in the stores (what the pipeline leaves behind).

The file is uploaded through the API and the job created through the API; then rows go into
ClickHouse (parsed with ``remedyiq_arlog``), the report is computed with ``analyze`` and saved in
PostgreSQL, and the job row is moved to ``complete`` — as the ingest service does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from remedyiq_analysis.analyze import analyze
from remedyiq_analysis.columnar import entries_batch, gaps_batch
from remedyiq_analysis.load import insert_batch
from remedyiq_analysis.meta import FileMeta, JobMeta
from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.rows import Row
from remedyiq_arlog.runner import parse_tasks, plan_file
from remedyiq_gateway.deps import Resources
from remedyiq_platform.stores import jobs_repo, results_repo
from remedyiq_platform.stores.jobstatus import JobStatus

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "arlogs"
SAMPLE = FIXTURES / "sample1_trid_mssql.log"  # has Trace IDs, every log type, 120 KB


@dataclass(frozen=True)
class Parsed:
    rows: list[Row]
    gaps: list[Any]
    meta: JobMeta


@functools.cache
def parse_fixture(path: Path) -> Parsed:
    rows, result = parse_tasks(plan_file(path), ParseOptions(gap_candidates=1000))
    meta = JobMeta.from_join(
        result, [FileMeta(number=1, name=path.name, bytes=path.stat().st_size)]
    )
    return Parsed(rows, result.line_gaps + result.thread_gaps, meta)


async def upload(client: httpx.AsyncClient, path: Path = SAMPLE) -> dict[str, Any]:
    with path.open("rb") as handle:
        response = await client.post(
            "/files/upload", files={"file": (path.name, handle, "text/plain")}
        )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def complete_job(
    resources: Resources,
    tenant_id: UUID,
    job_id: UUID,
    path: Path = SAMPLE,
    options: AnalysisOptions | None = None,
) -> Report:
    """Rows, report and a complete job row, as the pipeline would leave them (the job starts
    before its rows are parsed and ends after, so it has a processing time)."""
    async with resources.db.tenant(tenant_id) as conn:
        await jobs_repo.update_job(conn, job_id, status=JobStatus.PARSING)
    parsed = parse_fixture(path)
    options = options or AnalysisOptions()
    tenant, job = str(tenant_id), str(job_id)
    clickhouse = resources.clickhouse
    for table, batch in (
        ("log_entries", entries_batch(parsed.rows)),
        ("log_gaps", gaps_batch(parsed.gaps)),
    ):
        await clickhouse.run(
            insert_batch,
            clickhouse.client,
            clickhouse.database,
            table,
            batch,
            tenant_id=tenant,
            job_id=job,
        )
    report: Report = await clickhouse.run(
        analyze, clickhouse.scope(tenant, job), options, parsed.meta
    )
    general = report.general
    async with resources.db.tenant(tenant_id) as conn:
        for status in (JobStatus.STORING, JobStatus.ANALYZING):
            await jobs_repo.update_job(conn, job_id, status=status)
        await results_repo.save_result(
            conn,
            job_id,
            report=report.model_dump(mode="json"),
            meta=parsed.meta.model_dump(mode="json"),
        )
        await jobs_repo.update_job(
            conn,
            job_id,
            status=JobStatus.COMPLETE,
            total_lines=general.total_lines,
            processed_lines=general.total_lines,
            api_count=general.lines["API"],
            sql_count=general.lines["SQL"],
            filter_count=general.lines["FLTR"],
            esc_count=general.lines["ESCL"],
            log_start=_time(general.start_time),
            log_end=_time(general.end_time),
            rows_stored=len(parsed.rows),
        )
    await resources.status.cache_delete(tenant_id, ("job", job, "status"))
    return report


def _time(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC) if iso else None


async def seeded_job(
    client: httpx.AsyncClient, resources: Resources, tenant_id: UUID, path: Path = SAMPLE
) -> tuple[UUID, Report]:
    """Upload ``path``, create its job through the API, and complete it in the stores."""
    file = await upload(client, path)
    created = await client.post("/analysis", json={"file_id": file["id"]})
    assert created.status_code == 202, created.text
    job_id = UUID(created.json()["id"])
    return job_id, await complete_job(resources, tenant_id, job_id, path)
