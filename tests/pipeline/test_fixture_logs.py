"""Every reference fixture log, submitted end to end, gives exactly what ``remedyiq analyze``
gives for the same file: the same report (every section, every figure) stored durably in
PostgreSQL, and the same number of rows in ClickHouse. Likewise for a .gz of a log and a .zip
of several (merged in time order)."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from remedyiq_analysis.render import render_json, render_text
from remedyiq_platform.stores.jobstatus import JobStatus

from .conftest import CliAnalyses
from .harness import Pipeline

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "arlogs"
FIXTURE_LOGS = sorted(path.relative_to(FIXTURES) for path in FIXTURES.rglob("*.log"))


def test_every_fixture_log_is_covered(fixtures_dir: Path) -> None:
    """The list above is every log of the fixtures folder (and the folder is not empty)."""
    found = sorted(p.relative_to(fixtures_dir) for p in fixtures_dir.rglob("*.log"))
    assert found == FIXTURE_LOGS
    assert len(found) >= 6


@pytest.mark.parametrize("name", [str(p) for p in FIXTURE_LOGS])
async def test_fixture_log_end_to_end(
    name: str, fixtures_dir: Path, pipeline: Pipeline, cli: CliAnalyses
) -> None:
    path = fixtures_dir / name
    tenant = await pipeline.platform.new_tenant()
    job_id, end = await pipeline.run_job(tenant, path.name, path.read_bytes())

    assert end.status == "complete", end.error_message
    expected = await cli.analyse(path)
    report = await pipeline.platform.report(tenant, job_id)
    assert report is not None
    assert report.model_dump(mode="json") == expected.report.model_dump(mode="json")
    assert render_text(report) == render_text(expected.report)
    assert render_json(report) == render_json(expected.report)

    entries = await pipeline.platform.count_rows("log_entries", tenant, job_id)
    gaps = await pipeline.platform.count_rows("log_gaps", tenant, job_id)
    assert (entries, gaps) == (expected.entries, expected.gaps)
    assert entries > 0

    job = await pipeline.platform.job(tenant, job_id)
    assert job is not None
    assert job.status == JobStatus.COMPLETE
    assert job.progress_pct == 100
    assert job.rows_stored == end.counts.rows_stored == entries + gaps
    general = expected.report.general
    assert job.total_lines == end.counts.total_lines == general.total_lines
    assert (job.api_count, job.sql_count, job.filter_count, job.esc_count) == (
        general.lines["API"],
        general.lines["SQL"],
        general.lines["FLTR"],
        general.lines["ESCL"],
    )
    assert job.bytes_total == job.bytes_parsed == path.stat().st_size
    assert end.results == "postgres:analysis_results"


def _gzip_of(fixtures: Path, tmp: Path) -> Path:
    path = tmp / "sample1_trid_mssql.log.gz"
    path.write_bytes(gzip.compress((fixtures / "sample1_trid_mssql.log").read_bytes()))
    return path


def _zip_of_split_logs(fixtures: Path, tmp: Path) -> Path:
    """The four per-type logs of ``sample3_split`` in one zip: merged in time order."""
    path = tmp / "sample3_split.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("arapi.log", "arsql.log", "arfilter.log", "aresc.log"):
            archive.write(fixtures / "sample3_split" / name, name)
    return path


@pytest.mark.parametrize("build", [_gzip_of, _zip_of_split_logs], ids=["gzip", "zip"])
async def test_compressed_fixture_end_to_end(
    *,
    build: Callable[[Path, Path], Path],
    fixtures_dir: Path,
    tmp_path: Path,
    pipeline: Pipeline,
    cli: CliAnalyses,
) -> None:
    """A .gz and a .zip of several logs are parsed as one stream, as ``remedyiq analyze`` does."""
    path = build(fixtures_dir, tmp_path)
    tenant = await pipeline.platform.new_tenant()
    job_id, end = await pipeline.run_job(tenant, path.name, path.read_bytes())

    assert end.status == "complete", end.error_message
    expected = await cli.analyse(path)
    report = await pipeline.platform.report(tenant, job_id)
    assert report is not None
    assert report.model_dump(mode="json") == expected.report.model_dump(mode="json")
    entries = await pipeline.platform.count_rows("log_entries", tenant, job_id)
    gaps = await pipeline.platform.count_rows("log_gaps", tenant, job_id)
    assert (entries, gaps) == (expected.entries, expected.gaps)
