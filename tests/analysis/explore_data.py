"""Test data of the explorer tests: reference fixtures in the process's one chDB directory.

Loaded once per test process (whichever test module asks first), into database ``explore``
(all migrations, so the search indexes exist too):

* tenant ``tenant-a``: ``sample1`` (with Trace IDs, tiny), ``medium`` (20k lines, Trace IDs),
  ``trid23`` (AR 23.x), ``legacy`` (no Trace IDs) and ``sample1-copy`` (sample1 again);
* tenant ``tenant-b``: ``sample1`` — the same job id as tenant A's, to prove that nothing but
  the tenant keeps them apart;
* tenant ``tenant-a``, job ``escalations``: a generated log (20k lines) whose one anomaly is a
  failing escalation run (no reference fixture has one).

Test modules import this as ``explore_data`` (pytest puts this folder on ``sys.path``; mypy
sees ``tests.analysis.explore_data``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.columnar import entries_batch
from remedyiq_analysis.explore import TenantScope
from remedyiq_analysis.load import insert_batch
from remedyiq_analysis.migrate import migrate_up
from remedyiq_analysis.scope import JobScope
from remedyiq_arlog.generator import AnomalyKind, EsclTruth, GeneratorConfig, generate
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.runner import parse_tasks, plan_file

DATABASE: Final = "explore"
TENANT: Final = "tenant-a"
OTHER_TENANT: Final = "tenant-b"
FILES: Final = {
    "sample1": "sample1_trid_mssql.log",
    "medium": "medium_20k.log",
    "trid23": "trid_23x_15k.log",
    "legacy": "legacy_oracle_15k.log",
}
SAMPLE1_TRACE: Final = "X7XXlqRPSBudivX2K6Xxsg:0002826"
"""The one completed API call of sample1: ``+CE`` on line 14 (HPD:WorkLog), 115 ms."""

ESCALATION_LOG: Final = GeneratorConfig(
    seed=3, target_lines=20_000, anomalies=frozenset({AnomalyKind.FAILING_ESCALATIONS})
)
ESCALATION_TRUTH: list[EsclTruth] = []
"""The generated ``escalations`` job's escalation figures (filled when it is loaded)."""

_clients: dict[str, Client] = {}


def _load(client: Client, tenant: str, job: str, path: Path) -> int:
    rows, _result = parse_tasks(plan_file(path), ParseOptions())
    batch = entries_batch(rows)
    return insert_batch(client, DATABASE, "log_entries", batch, tenant_id=tenant, job_id=job)


def explore_client(chdb_dir: Path, fixtures_dir: Path) -> Client:
    """A client of the shared chDB with every test job loaded (the first call loads them)."""
    key = str(chdb_dir)
    if key not in _clients:
        client = clickhouse_connect.get_client(dsn=f"chdb://{chdb_dir}")
        migrate_up(client, DATABASE)
        for job, name in FILES.items():
            _load(client, TENANT, job, fixtures_dir / name)
        _load(client, TENANT, "sample1-copy", fixtures_dir / FILES["sample1"])
        _load(client, OTHER_TENANT, "sample1", fixtures_dir / FILES["sample1"])
        generated = chdb_dir.parent / "explore-escalations.log"
        with generated.open("wb") as out:
            ESCALATION_TRUTH.append(generate(ESCALATION_LOG, out).escl)
        _load(client, TENANT, "escalations", generated)
        _clients[key] = client
    return _clients[key]


def job(client: Client, name: str, tenant: str = TENANT) -> JobScope:
    return JobScope(client, DATABASE, tenant, name)


def jobs(client: Client, *names: str, tenant: str = TENANT) -> TenantScope:
    return TenantScope(client, DATABASE, tenant, tuple(names))


def fixture_lines(fixtures_dir: Path, name: str) -> list[str]:
    """The physical lines of a fixture (line N is ``lines[N - 1]``)."""
    return (fixtures_dir / FILES[name]).read_bytes().decode("utf-8", "replace").split("\n")
