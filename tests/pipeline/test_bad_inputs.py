"""Bad inputs end as a failed job with a message a user can act on — or, where the log is
still a log, as a complete job whose report counts what was cut — and the services go on
working: a normal job submitted right after each of them completes."""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from remedyiq_arlog.lines import MAX_LINE
from remedyiq_arlog.sources import MAX_ZIP_RATIO
from remedyiq_platform.contracts.messages import JobComplete
from remedyiq_platform.stores.jobstatus import JobStatus

from .conftest import CliAnalyses
from .harness import MIB, Pipeline

pytestmark = pytest.mark.slow
SMALL_LOG = "sample2_legacy_oracle.log"
TRID_LOG = "sample1_trid_mssql.log"


@dataclass(frozen=True)
class BadInput:
    filename: str
    build: Callable[[Path], bytes]  # from the fixtures folder
    phrases: tuple[str, ...]  # what the job's error message must say


def _binary(_: Path) -> bytes:
    return random.Random(7).randbytes(300_000)


def _not_ar(_: Path) -> bytes:
    line = b"2024-05-01 10:42:17,123 INFO  [main] org.example.Service - request handled in 12 ms\n"
    return line * 5_000


def _truncated_gzip(fixtures: Path) -> bytes:
    whole = gzip.compress((fixtures / TRID_LOG).read_bytes() * 4)
    return whole[: len(whole) // 2]


def _zip_bomb(fixtures: Path) -> bytes:
    """A small zip whose member expands far beyond what a log compresses to."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("arapi.log", (fixtures / TRID_LOG).read_bytes()[:2000] + bytes(64 * MIB))
    return out.getvalue()


def _zip_of_notes(_: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "remember to rotate the logs\n" * 100)
    return out.getvalue()


FAILING = [
    BadInput("firmware.log", _binary, ("firmware.log", "binary content")),
    BadInput("empty.log", lambda _: b"", ("empty.log", "empty")),
    BadInput("app-server.log", _not_ar, ("app-server.log", "no AR System log records")),
    BadInput("arapi.log.gz", _truncated_gzip, ("arapi.log.gz", "truncated")),
    BadInput("logs.zip", _zip_bomb, ("logs.zip", "arapi.log", "zip bomb")),
    BadInput("notes.zip", _zip_of_notes, ("notes.zip!notes.txt", "no AR System log records")),
]


async def _assert_failed(
    pipeline: Pipeline, tenant: UUID, job_id: UUID, end: JobComplete, phrases: tuple[str, ...]
) -> None:
    """Failed everywhere a user or another service looks: the event, PostgreSQL, Redis."""
    platform = pipeline.platform
    assert end.status == "failed"
    message = end.error_message or ""
    for phrase in phrases:
        assert phrase in message, message
    assert "Traceback" not in message
    assert len(message) < 500
    job = await platform.job(tenant, job_id)
    assert job is not None
    assert job.status == JobStatus.FAILED
    assert job.error_message == message
    assert job.completed_at is not None
    cached = await platform.status.get_job_status(tenant, job_id)
    assert cached is not None
    assert (cached.status, cached.error_message) == (JobStatus.FAILED, message)
    assert await platform.report(tenant, job_id) is None
    assert end.results is None


async def _assert_still_working(
    pipeline: Pipeline, tenant: UUID, fixtures_dir: Path, cli: CliAnalyses
) -> None:
    path = fixtures_dir / SMALL_LOG
    job_id, end = await pipeline.run_job(tenant, path.name, path.read_bytes())
    assert end.status == "complete", end.error_message
    assert await pipeline.platform.report(tenant, job_id) == (await cli.analyse(path)).report


@pytest.mark.parametrize("bad", FAILING, ids=[b.filename for b in FAILING])
async def test_unusable_input_fails_the_job_clearly(
    *,
    bad: BadInput,
    fixtures_dir: Path,
    ensure_alive: Pipeline,
    tenant: UUID,
    cli: CliAnalyses,
    tmp_path: Path,
) -> None:
    """The job fails with the reason; ``remedyiq analyze`` refuses the same file likewise."""
    pipeline = ensure_alive
    data = bad.build(fixtures_dir)
    job_id, end = await pipeline.run_job(tenant, bad.filename, data)
    await _assert_failed(pipeline, tenant, job_id, end, bad.phrases)
    assert await pipeline.platform.count_rows("log_entries", tenant, job_id) == 0
    path = tmp_path / bad.filename
    path.write_bytes(data)
    refusal = await cli.refusal(path)
    assert bad.phrases[-1] in refusal
    await _assert_still_working(pipeline, tenant, fixtures_dir, cli)


def test_the_zip_bomb_is_small_and_expands_past_the_limit(fixtures_dir: Path) -> None:
    data = _zip_bomb(fixtures_dir)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (info,) = archive.infolist()
    assert len(data) < 1 * MIB
    assert info.file_size > MAX_ZIP_RATIO * info.compress_size


async def test_a_file_over_the_tenants_limit_fails(
    fixtures_dir: Path, ensure_alive: Pipeline, tenant: UUID, cli: CliAnalyses
) -> None:
    pipeline = ensure_alive
    data = (fixtures_dir / TRID_LOG).read_bytes()
    limit = len(data) - 1
    updated = await pipeline.platform.as_admin(
        "UPDATE tenants SET max_upload_bytes = $1 WHERE id = $2", limit, tenant
    )
    assert updated == "UPDATE 1"
    job_id, end = await pipeline.run_job(tenant, "huge.log", data)
    await _assert_failed(
        pipeline, tenant, job_id, end, ("huge.log", f"{len(data):,} bytes", f"limit of {limit:,}")
    )
    await _assert_still_working(pipeline, tenant, fixtures_dir, cli)


def _with_long_line(fixtures: Path) -> bytes:
    """A log with one 10 MB line in the middle (a runaway SQL literal, say)."""
    lines = (fixtures / TRID_LOG).read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    return b"".join([*lines[:middle], b"x" * (10 * MIB) + b"\n", *lines[middle:]])


def _with_invalid_utf8(fixtures: Path) -> bytes:
    """A log whose every 7th line carries bytes that are not UTF-8."""
    lines = (fixtures / TRID_LOG).read_bytes().splitlines(keepends=True)
    return b"".join(
        line[:-1] + b" \xff\xfe\xc3(" + line[-1:] if i % 7 == 3 else line
        for i, line in enumerate(lines)
    )


@pytest.mark.parametrize(
    ("filename", "build"), [("long-line.log", _with_long_line), ("latin.log", _with_invalid_utf8)]
)
async def test_damaged_lines_give_a_partial_result(
    *,
    filename: str,
    build: Callable[[Path], bytes],
    fixtures_dir: Path,
    ensure_alive: Pipeline,
    tenant: UUID,
    tmp_path: Path,
    cli: CliAnalyses,
) -> None:
    """Still a log: the job completes with exactly what ``remedyiq analyze`` reports for the
    same file, and the report counts the line it had to cut."""
    pipeline = ensure_alive
    data = build(fixtures_dir)
    job_id, end = await pipeline.run_job(tenant, filename, data)
    assert end.status == "complete", end.error_message
    path = tmp_path / filename
    path.write_bytes(data)
    expected = await cli.analyse(path)
    report = await pipeline.platform.report(tenant, job_id)
    assert report == expected.report
    entries = await pipeline.platform.count_rows("log_entries", tenant, job_id)
    assert entries == expected.entries > 0
    long_lines = sum(1 for line in data.splitlines() if len(line) > MAX_LINE)
    assert report.general.cut_lines == long_lines
    assert long_lines == (1 if filename == "long-line.log" else 0)
    await _assert_still_working(pipeline, tenant, fixtures_dir, cli)
