"""Entry-batch bodies: what producers encode is what the writer checks, joins and inserts —
rows and keys arrive in ClickHouse exactly, and a body that is not what its headers say is
refused with the reason before any insert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import clickhouse_connect
import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client

from remedyiq_analysis.batchbody import TABLES, BadBody, check, encode, join, with_keys
from remedyiq_analysis.columnar import ENTRY_SCHEMA, GAP_SCHEMA, gaps_batch, to_ipc
from remedyiq_analysis.load import insert_bodies
from remedyiq_analysis.migrate import migrate_up

KEYS: dict[str, Any] = {
    "tenant_id": "t-1",
    "job_id": "j-1",
    "batch_id": "r0.b0",
    "retention_days": 30,
}


def _entries(rows: int, first_line: int = 1) -> pa.RecordBatch:
    """``rows`` API calls on consecutive lines, each with a distinct raw line."""
    columns = {
        "line_number": pa.array(range(first_line, first_line + rows), pa.uint32()),
        "log_type": pa.array([1] * rows, pa.int8()),
        "kind": pa.array([2] * rows, pa.int8()),
        "duration_ms": pa.array(range(rows), pa.int64()),
        "raw_lines": pa.array([f"<API > line {first_line + i}" for i in range(rows)]),
    }
    arrays = [columns.get(f.name, pa.nulls(rows, f.type)) for f in ENTRY_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=ENTRY_SCHEMA)


def _body(rows: int, first_line: int = 1, **keys: str | int) -> bytes:
    return encode(_entries(rows, first_line), **{**KEYS, **keys})


def test_keys_are_appended_in_the_order_the_writer_expects() -> None:
    keyed = with_keys(_entries(3), **KEYS)
    assert keyed.schema.equals(TABLES["log_entries"])
    assert keyed.column("job_id").to_pylist() == ["j-1"] * 3
    assert keyed.column("retention_days").type == pa.uint16()
    gaps = pa.Table.from_batches([gaps_batch([])])
    table = with_keys(gaps, tenant_id="t", job_id="j", batch_id="gaps.0")
    assert table.schema.equals(TABLES["log_gaps"])
    assert table.num_rows == 0
    loaded = with_keys(gaps, tenant_id="t", job_id="j")  # `remedyiq analyze`: no batch column
    assert loaded.schema.names == [*GAP_SCHEMA.names, "tenant_id", "job_id", "retention_days"]


def test_check_counts_rows_of_a_body_that_matches_its_headers() -> None:
    assert check(_body(7), "log_entries", **KEYS) == 7
    assert check(_body(0), "log_entries", **KEYS) == 0


@pytest.mark.parametrize(
    ("body", "table", "reason"),
    [
        (b"not arrow", "log_entries", "not an Arrow IPC stream"),
        (b"", "log_entries", "not an Arrow IPC stream"),
        (
            to_ipc(_entries(2)),
            "log_entries",
            f"column {len(ENTRY_SCHEMA) + 1} is missing, expected tenant_id",
        ),
        (_body(2), "log_gaps", "not those of log_gaps: column 1 is file_number: uint16"),
        (_body(2, tenant_id="t-2"), "log_entries", "carry tenant_id 't-2', not 't-1'"),
        (_body(2, batch_id="r0.b1"), "log_entries", "carry batch_id 'r0.b1', not 'r0.b0'"),
        (_body(2, retention_days=90), "log_entries", "carry retention_days 90, not 30"),
    ],
)
def test_check_refuses_a_body_with_the_reason(body: bytes, table: str, reason: str) -> None:
    with pytest.raises(BadBody, match=reason.replace("(", r"\(")):
        check(body, table, **KEYS)


def test_check_refuses_rows_keyed_for_two_tenants() -> None:
    mixed = pa.concat_tables(
        [
            pa.Table.from_batches([with_keys(_entries(2), **KEYS)]),
            pa.Table.from_batches([with_keys(_entries(1), **{**KEYS, "tenant_id": "t-2"})]),
        ]
    )
    body = to_ipc(mixed.combine_chunks().to_batches()[0], compression="zstd")
    with pytest.raises(BadBody, match="carry tenant_id 't-1', 't-2', not 't-1'"):
        check(body, "log_entries", **KEYS)
    nulls = with_keys(_entries(2), **KEYS).set_column(
        len(ENTRY_SCHEMA), TABLES["log_entries"].field("tenant_id"), pa.nulls(2, pa.string())
    )
    with pytest.raises(BadBody, match="carry tenant_id None"):
        check(to_ipc(nulls), "log_entries", **KEYS)


def test_join_keeps_every_record_batch_without_decoding() -> None:
    bodies = [_body(3, 1), _body(0, 4), _body(5, 4, batch_id="r0.b1")]
    joined = join(bodies)
    with pa.ipc.open_stream(pa.py_buffer(joined)) as reader:
        table = reader.read_all()
    assert table.schema.equals(TABLES["log_entries"])
    assert table.column("line_number").to_pylist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert table.column("batch_id").to_pylist() == ["r0.b0"] * 3 + ["r0.b1"] * 5
    assert len(joined) < sum(len(b) for b in bodies)  # one schema message for all


@pytest.fixture
def client(chdb_dir: Path) -> Client:
    client = clickhouse_connect.get_client(dsn=f"chdb://{chdb_dir}")
    migrate_up(client, "bodies")
    return client


def test_joined_bodies_are_one_insert_of_exact_rows_and_keys(client: Client) -> None:
    bodies = [_body(3, 1), _body(4, 4, batch_id="r0.b1", job_id="j-2")]
    insert_bodies(client, "bodies", "log_entries", bodies, {})
    rows = client.query(
        "SELECT tenant_id, job_id, batch_id, retention_days, line_number, log_type, duration_ms,"
        " raw_text FROM bodies.log_entries ORDER BY line_number"
    ).result_rows
    assert [r[:5] for r in rows] == [("t-1", "j-1", "r0.b0", 30, n) for n in (1, 2, 3)] + [
        ("t-1", "j-2", "r0.b1", 30, n) for n in (4, 5, 6, 7)
    ]
    assert rows[0][5:] == ("API", 0, "<API > line 1")
    assert rows[6][5:] == ("API", 3, "<API > line 7")
    gaps = encode(gaps_batch([]), **KEYS)
    insert_bodies(client, "bodies", "log_gaps", [gaps], {})
    assert client.command("SELECT count() FROM bodies.log_gaps") == 0
