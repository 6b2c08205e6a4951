"""Bodies of entry-batch messages: keyed Arrow IPC streams that go to ClickHouse undecoded.

A producer (a parser, ingest) encodes a batch of ``log_entries`` or ``log_gaps`` rows with the
key columns every stored row carries — ``tenant_id, job_id, batch_id, retention_days``, constant
within a batch — as one Arrow IPC stream with ZSTD-compressed buffers (:func:`encode`). The writer
checks a body without decompressing its data (:func:`check`: the schema, then only the key
columns, which are a few bytes compressed), joins the bodies of many batches into one stream at
the message level (:func:`join`) and hands that to ClickHouse as one ``ArrowStream`` insert: no
row is decoded, copied or re-encoded in Python on the way, and the same insert works against
the embedded engine and a server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from remedyiq_analysis.columnar import ENTRY_SCHEMA, GAP_SCHEMA, to_ipc

KEY_FIELDS: Final = (
    pa.field("tenant_id", pa.string()),
    pa.field("job_id", pa.string()),
    pa.field("batch_id", pa.string()),
    pa.field("retention_days", pa.uint16()),
)
TABLES: Final[dict[str, pa.Schema]] = {
    name: pa.schema([*schema, *KEY_FIELDS])
    for name, schema in (("log_entries", ENTRY_SCHEMA), ("log_gaps", GAP_SCHEMA))
}
"""The schema of a body for each table: its columns, then the key columns."""

_END_OF_STREAM: Final = b"\xff\xff\xff\xff\x00\x00\x00\x00"
Rows = TypeVar("Rows", pa.RecordBatch, pa.Table)


class BadBody(ValueError):
    """A body that can never be stored (not Arrow, wrong columns, keys not the headers')."""


def with_keys(
    rows: Rows,
    *,
    tenant_id: str,
    job_id: str,
    batch_id: str | None = None,
    retention_days: int = 90,
) -> Rows:
    """``rows`` plus the key columns (in :data:`KEY_FIELDS` order), constant over the rows;
    without ``batch_id`` for tables loaded outside the platform (``remedyiq analyze``'s has no
    batch column)."""
    count = rows.num_rows
    values = (tenant_id, job_id, batch_id, retention_days)
    for field, value in zip(KEY_FIELDS, values, strict=True):
        if value is not None:
            rows = rows.append_column(field, pa.array([value] * count, field.type))
    return rows


def encode(
    batch: pa.RecordBatch, *, tenant_id: str, job_id: str, batch_id: str, retention_days: int
) -> bytes:
    """The message body of ``batch`` (rows of one table) for the writer."""
    keyed = with_keys(
        batch,
        tenant_id=tenant_id,
        job_id=job_id,
        batch_id=batch_id,
        retention_days=retention_days,
    )
    return to_ipc(keyed, compression="zstd")


def check(body: bytes, table: str, **keys: str | int) -> int:
    """The number of rows of ``body`` after checking that it is a stream of ``table``'s body
    schema whose key columns hold exactly ``keys``; :class:`BadBody` otherwise.

    Only the schema and the key columns are read: the other columns' buffers stay compressed.
    """
    expected = TABLES[table]
    try:
        with pa.ipc.open_stream(pa.py_buffer(body)) as reader:
            schema = reader.schema
        if not schema.equals(expected):
            raise BadBody(
                f"the body's columns are not those of {table}: {_difference(schema, expected)}"
            )
        fields = [expected.get_field_index(name) for name in keys]
        options = pa.ipc.IpcReadOptions(included_fields=fields)
        with pa.ipc.open_stream(pa.py_buffer(body), options=options) as reader:
            columns = reader.read_all()
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadBody(f"the body is not an Arrow IPC stream: {exc}") from None
    for name, value in keys.items():
        held = pc.unique(columns.column(name)).to_pylist()
        if held not in ([], [value]):
            shown = ", ".join(repr(v) for v in held[:3])
            raise BadBody(f"the body's rows carry {name} {shown}, not {value!r}")
    return int(columns.num_rows)


def _difference(schema: pa.Schema, expected: pa.Schema) -> str:
    for position, want in enumerate(expected):
        have = schema.field(position) if position < len(schema) else None
        if have is None or not have.equals(want):
            shown = f"{have.name}: {have.type}" if have is not None else "missing"
            return f"column {position + 1} is {shown}, expected {want.name}: {want.type}"
    return f"{len(schema) - len(expected)} more columns than expected"


def join(bodies: Sequence[bytes]) -> bytes:
    """One Arrow IPC stream of the record batches of ``bodies`` (streams of one schema, as
    :func:`check` ensures), joined message by message: no buffer is decompressed."""
    out = io.BytesIO()
    for position, body in enumerate(bodies):
        reader = pa.ipc.MessageReader.open_stream(pa.py_buffer(body))
        for message in reader:
            if message.type == "schema" and position:
                continue  # the first body's schema message stands for all
            out.write(message.serialize())
    out.write(_END_OF_STREAM)
    return out.getvalue()
