"""Rows from the parser -> Apache Arrow batches with the ``log_entries`` / ``log_gaps`` types.

Arrow keeps batches columnar from the parser to ClickHouse: building it is a transpose plus one C
conversion per column, and ClickHouse reads it without per-row work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pyarrow as pa

from remedyiq_arlog.rawtext import HEADER_COLUMNS, pack_all, stored_utf8
from remedyiq_arlog.schema import COLUMN_INDEX, ENTRY_COLUMNS, GAP_COLUMNS

_MS = pa.timestamp("ms", tz="UTC")

ENTRY_TYPES: Final[dict[str, pa.DataType]] = {
    "file_number": pa.uint16(),
    "line_number": pa.uint32(),
    "ref_line": pa.uint32(),
    "end_line": pa.uint32(),
    "byte_offset": pa.uint64(),
    "records": pa.uint32(),
    "lines": pa.uint32(),
    "timestamp": _MS,
    "log_type": pa.int8(),
    "kind": pa.int8(),
    "duration_ms": pa.int64(),
    "queue_time_ms": pa.float64(),
    "success": pa.bool_(),
    "filter_level": pa.uint16(),
    "filter_number": pa.uint32(),
    "filter_result": pa.int8(),
    "filter_phase": pa.uint8(),
    "phase_marker": pa.int8(),
    "actions": pa.uint32(),
    "scheduled_time": _MS,
    "error_encountered": pa.bool_(),
    "raw_head": pa.uint16(),
}
GAP_TYPES: Final[dict[str, pa.DataType]] = {
    "gap_kind": pa.int8(),
    "gap_ms": pa.int64(),
    "file_number": pa.uint16(),
    "line_number": pa.uint32(),
    "ref_line": pa.uint32(),
    "starts_event": pa.bool_(),
    "timestamp": _MS,
    "has_time": pa.bool_(),
    "log_type": pa.int8(),
}

REPORT_ENTRY_SCHEMA: Final = pa.schema(
    [pa.field(name, ENTRY_TYPES.get(name, pa.string())) for name in ENTRY_COLUMNS]
)
"""Entry rows as the parser makes them, raw lines whole: a one-off report's table (migrations
up to ``REPORT_TABLES``)."""
_RAW: Final = len(ENTRY_COLUMNS) - 1
if ENTRY_COLUMNS[_RAW] != "raw_text":
    raise AssertionError("raw_text must be the last entry column")
ENTRY_SCHEMA: Final = pa.schema(
    [
        *REPORT_ENTRY_SCHEMA.remove(_RAW),
        pa.field("raw_lines", pa.string()),
        pa.field("raw_head", ENTRY_TYPES["raw_head"]),
    ]
)
"""Entry rows as ``log_entries`` stores them: raw lines packed (``remedyiq_arlog.rawtext``)."""
_HEADER: Final = {name: COLUMN_INDEX[name] for name in HEADER_COLUMNS}
GAP_SCHEMA: Final = pa.schema(
    [pa.field(name, GAP_TYPES.get(name, pa.string())) for name in GAP_COLUMNS]
)


def _arrays(columns: Sequence[Sequence[Any]], schema: pa.Schema) -> list[pa.Array]:
    return [_array(values, field.type) for values, field in zip(columns, schema, strict=True)]


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[Sequence[Any]]:
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=kind)
    except UnicodeEncodeError:  # lines that are not UTF-8: Arrow strings are
        return pa.array([stored_utf8(v) if isinstance(v, str) else v for v in values], type=kind)


def entries_batch(rows: Sequence[Sequence[Any]]) -> pa.RecordBatch:
    """A batch of entry rows (tuples in ``ENTRY_COLUMNS`` order) for ``log_entries``."""
    columns = _columns(rows, len(ENTRY_COLUMNS))
    headers = [columns[_HEADER[name]] for name in HEADER_COLUMNS]
    arrays = _arrays([*columns[:_RAW], *pack_all(columns[_RAW], headers)], ENTRY_SCHEMA)
    return pa.RecordBatch.from_arrays(arrays, schema=ENTRY_SCHEMA)


def report_entries_batch(rows: Sequence[Sequence[Any]], *, raw_text: bool) -> pa.RecordBatch:
    """A batch of entry rows for a one-off report's table (:data:`REPORT_ENTRY_SCHEMA`).

    ``raw_text=False`` stores no raw lines: a report does not read them, and they are most of
    the bytes to convert, compress and insert.
    """
    columns = _columns(rows, len(ENTRY_COLUMNS))
    if not raw_text:
        columns[_RAW] = [""] * len(rows)
    arrays = _arrays(columns, REPORT_ENTRY_SCHEMA)
    return pa.RecordBatch.from_arrays(arrays, schema=REPORT_ENTRY_SCHEMA)


def gaps_batch(rows: Sequence[Sequence[Any]]) -> pa.RecordBatch:
    """A batch of gap candidates (tuples in ``GAP_COLUMNS`` order)."""
    arrays = _arrays(_columns(rows, len(GAP_COLUMNS)), GAP_SCHEMA)
    return pa.RecordBatch.from_arrays(arrays, schema=GAP_SCHEMA)


def to_ipc(batch: pa.RecordBatch, *, compression: str | None = None) -> bytes:
    """Arrow IPC stream bytes (what travels in messages and temp files); ``"zstd"`` compresses
    each buffer (log rows shrink about tenfold)."""
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
        writer.write_batch(batch)
    return bytes(sink.getvalue().to_pybytes())
