"""Fixtures of the crash-safety tests: one generated log, its expected result, a platform.

The log is big enough to be cut into several byte ranges and many entry batches (so a fault lands
in the middle of a job) and small enough that a job takes a few seconds. Its expected report is
what ``remedyiq analyze`` prints for it; its expected rows are what the parser library yields.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from remedyiq_analysis.options import parse_options
from remedyiq_analysis.report import AnalysisOptions, Report
from remedyiq_arlog.runner import parse_tasks, plan_file
from remedyiq_devstack.postgres_server import PostgresServer
from remedyiq_devstack.s3_moto import MotoS3Server

from .harness import REMEDYIQ, Platform

LOG_SIZE = "4MB"
SETTINGS = {
    "REMEDYIQ_INGEST_RANGE_BYTES": str(1024 * 1024),  # the smallest allowed: 4 ranges
    "REMEDYIQ_INGEST_BATCH_ROWS": "250",  # about 25 entry batches
    # one batch per insert: a redelivery repeats one exactly
    "REMEDYIQ_WRITER_PULL_BATCH": "1",
    "REMEDYIQ_WRITER_FLUSH_ROWS": "1",
    "REMEDYIQ_WRITER_FLUSH_S": "1",
    "REMEDYIQ_DRAIN_TIMEOUT_S": "5",
    # how long the messages a killed process held wait to be delivered again (the services
    # tell JetStream they are still working every third of it)
    "REMEDYIQ_NATS_ACK_WAIT_S": "3",
}


@dataclass(frozen=True)
class Expected:
    report: Report
    entries: int  # log_entries rows of the job
    gaps: int  # log_gaps rows of the job


@pytest.fixture(scope="session")
def chaos_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chaos-log") / "chaos-arapi.log"
    generator = [sys.executable, "-m", "remedyiq_arlog.generator", "-q"]
    subprocess.run(
        [*generator, "-o", str(path), "--size", LOG_SIZE, "--seed", "11"], check=True, timeout=60
    )
    return path


@pytest.fixture(scope="session")
def expected(chaos_log: Path, tmp_path_factory: pytest.TempPathFactory) -> Expected:
    """``remedyiq analyze``'s report of the log, and the rows the parser library yields."""
    out = tmp_path_factory.mktemp("chaos-expected") / "report.json"
    analyze = [str(REMEDYIQ), "analyze", "-q", "--workers", "1", "--format", "json"]
    subprocess.run([*analyze, "-o", str(out), str(chaos_log)], check=True, timeout=120)
    rows, joined = parse_tasks(plan_file(chaos_log, parts=1), parse_options(AnalysisOptions()))
    return Expected(
        report=Report.model_validate_json(out.read_text(encoding="utf-8")),
        entries=len(rows),
        gaps=len(joined.line_gaps) + len(joined.thread_gaps),
    )


@pytest.fixture
async def platform(
    tmp_path: Path,
    postgres_server: PostgresServer,
    redis_url: str,
    s3_server: MotoS3Server,
    s3_bucket: str,
) -> AsyncIterator[Platform]:
    """Private NATS, database, Redis db, bucket and chDB directory; migrated; no services yet."""
    endpoint = s3_server.endpoint
    platform = Platform(
        tmp_path,
        postgres=postgres_server,
        redis_url=redis_url,
        s3={
            "REMEDYIQ_S3_BUCKET": s3_bucket,
            "REMEDYIQ_S3_ENDPOINT": endpoint.endpoint_url,
            "REMEDYIQ_S3_ACCESS_KEY": endpoint.access_key,
            "REMEDYIQ_S3_SECRET_KEY": endpoint.secret_key,
            "REMEDYIQ_S3_REGION": endpoint.region,
        },
        settings=SETTINGS,
    )
    try:
        await platform.start()
        yield platform
    finally:
        await platform.close()
