"""Numbered, reversible ClickHouse migrations (``migrations/NNNN_name.{up,down}.sql``).

Applied by one command (``remedyiq migrate`` / the Kubernetes migration Job), never at service
start. The applied versions are recorded in ``schema_migrations`` of the target database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from clickhouse_connect.driver.client import Client

REPORT_TABLES = 2
"""Migrations a one-off analysis needs (log_entries, log_gaps); later ones serve the platform."""

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    up: str
    down: str


def available() -> list[Migration]:
    """All migrations shipped with this package, in order."""
    folder = resources.files("remedyiq_analysis") / "migrations"
    found: dict[int, dict[str, str]] = {}
    for item in folder.iterdir():
        match = _NAME.match(item.name)
        if match:
            found.setdefault(int(match.group(1)), {"name": match.group(2)})[match.group(3)] = (
                item.read_text(encoding="utf-8")
            )
    return [
        Migration(version, parts["name"], parts["up"], parts.get("down", ""))
        for version, parts in sorted(found.items())
    ]


def check_identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid ClickHouse database name: {name!r}")
    return name


def applied(client: Client, database: str) -> list[int]:
    db = check_identifier(database)
    client.command(f"CREATE DATABASE IF NOT EXISTS {db}")
    client.command(
        f"CREATE TABLE IF NOT EXISTS {db}.schema_migrations "
        "(version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) "
        "ENGINE = ReplacingMergeTree ORDER BY version"
    )
    result = client.query(f"SELECT version FROM {db}.schema_migrations FINAL ORDER BY version")
    return [int(row[0]) for row in result.result_rows]


def migrate_up(client: Client, database: str, target: int | None = None) -> list[int]:
    """Apply pending migrations up to ``target`` (all by default); returns the versions applied."""
    db = check_identifier(database)
    done = set(applied(client, db))
    ran: list[int] = []
    for migration in available():
        if migration.version in done or (target is not None and migration.version > target):
            continue
        _run(client, db, migration.up)
        client.command(
            f"INSERT INTO {db}.schema_migrations (version, name) VALUES "
            f"({migration.version}, '{migration.name}')"
        )
        ran.append(migration.version)
    return ran


def migrate_down(client: Client, database: str, target: int) -> list[int]:
    """Revert applied migrations above ``target``, newest first."""
    db = check_identifier(database)
    done = set(applied(client, db))
    reverted: list[int] = []
    for migration in reversed(available()):
        if migration.version in done and migration.version > target:
            _run(client, db, migration.down)
            client.command(
                f"DELETE FROM {db}.schema_migrations WHERE version = {migration.version}"
            )
            reverted.append(migration.version)
    return reverted


def _run(client: Client, database: str, script: str) -> None:
    tables = _tables()
    for statement in _statements(script):
        client.command(_qualify(statement, database, tables))


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


_CREATED = re.compile(r"\bCREATE TABLE(?: IF NOT EXISTS)?\s+([a-z_]+)\b")


def _tables() -> frozenset[str]:
    """The tables the migrations create (their names are unlike any column's)."""
    return frozenset(name for m in available() for name in _CREATED.findall(m.up))


def _qualify(statement: str, database: str, tables: frozenset[str]) -> str:
    """Prefix every table of ours a statement names with the target database."""
    pattern = r"(?<![.\w`])(" + "|".join(sorted(tables)) + r")\b"
    return re.sub(pattern, lambda m: f"{database}.{m.group(1)}", statement)
