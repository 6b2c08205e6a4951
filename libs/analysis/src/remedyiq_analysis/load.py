"""Writing parsed rows of a job into ClickHouse (columnar, one insert per batch)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.batchbody import TABLES, join, with_keys
from remedyiq_analysis.columnar import REPORT_ENTRY_SCHEMA
from remedyiq_analysis.migrate import check_identifier


def insert_table(
    client: Client, database: str, table_name: str, table: pa.Table, settings: dict[str, object]
) -> int:
    """Insert a table that already carries every key column (tenant_id, job_id…)."""
    if table_name not in ("log_entries", "log_gaps"):
        raise ValueError(f"unknown table {table_name}")
    if table.num_rows:
        client.insert_arrow(
            table_name, table, database=check_identifier(database), settings=settings or None
        )
    return int(table.num_rows)


def insert_bodies(
    client: Client,
    database: str,
    table_name: str,
    bodies: Sequence[bytes],
    settings: dict[str, object],
) -> None:
    """One insert of entry-batch message bodies (``batchbody``, already checked) into
    ``table_name``: the engine decodes their Arrow buffers, Python only joins the streams."""
    schema = TABLES[table_name]  # KeyError: not a table of batches
    client.raw_insert(
        f"{check_identifier(database)}.{table_name}",
        schema.names,
        join(bodies),
        settings=settings or None,
        fmt="ArrowStream",
    )


def insert_entry_files(
    client: Client,
    database: str,
    paths: list[str],
    *,
    tenant_id: str,
    job_id: str,
    retention_days: int = 90,
) -> None:
    """Load Arrow IPC stream files of ``report_entries_batch`` rows into a report's ``log_entries``.

    The engine reads the files itself — no conversion in Python — which is what an embedded
    engine on the same machine as the parser can do (``remedyiq analyze``); one insert (one
    part) for all of them. The files must be in one folder, named without ``,{}*?``.
    """
    folders = {os.path.dirname(path) for path in paths}
    names = [os.path.basename(path) for path in paths]
    if len(folders) != 1 or any(set(name) & set(",{}*?") for name in names):
        raise ValueError("entry files must share one folder and have plain names")
    pattern = os.path.join(folders.pop(), "{" + ",".join(names) + "}")
    columns = ", ".join(REPORT_ENTRY_SCHEMA.names)
    client.command(
        f"INSERT INTO {check_identifier(database)}.log_entries "
        f"({columns}, tenant_id, job_id, retention_days) "
        f"SELECT {columns}, {{t:String}}, {{j:String}}, {{r:UInt16}} "
        "FROM file({path:String}, 'ArrowStream')",
        parameters={"t": tenant_id, "j": job_id, "r": retention_days, "path": pattern},
    )


def delete_batches(
    client: Client,
    database: str,
    table_name: str,
    *,
    tenant_id: str,
    job_id: str,
    batch_ids: list[str],
) -> None:
    """Remove the rows a batch may have left before a crash (lightweight delete)."""
    if table_name not in ("log_entries", "log_gaps"):
        raise ValueError(f"unknown table {table_name}")
    client.command(
        f"DELETE FROM {check_identifier(database)}.{table_name} WHERE tenant_id = {{t:String}} "
        "AND job_id = {j:String} AND batch_id IN {b:Array(String)}",
        parameters={"t": tenant_id, "j": job_id, "b": batch_ids},
    )


def insert_batch(
    client: Client,
    database: str,
    table_name: str,
    batch: pa.RecordBatch | pa.Table,
    *,
    tenant_id: str,
    job_id: str,
    retention_days: int = 90,
) -> int:
    """Insert one batch of ``log_entries`` or ``log_gaps`` rows of one job; returns the row
    count."""
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    keyed = with_keys(table, tenant_id=tenant_id, job_id=job_id, retention_days=retention_days)
    return insert_table(client, database, table_name, keyed, {})
