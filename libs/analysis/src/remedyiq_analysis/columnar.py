"""Rows from the parser -> Apache Arrow batches with the ``log_entries`` / ``log_gaps`` types.

Arrow keeps batches columnar from the parser to ClickHouse: building it is a transpose plus one C
conversion per column, and ClickHouse reads it without per-row work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pyarrow as pa

from remedyiq_arlog.schema import ENTRY_COLUMNS, GAP_COLUMNS

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

ENTRY_SCHEMA: Final = pa.schema(
    [pa.field(name, ENTRY_TYPES.get(name, pa.string())) for name in ENTRY_COLUMNS]
)
GAP_SCHEMA: Final = pa.schema(
    [pa.field(name, GAP_TYPES.get(name, pa.string())) for name in GAP_COLUMNS]
)


def _batch(
    rows: Sequence[Sequence[Any]], schema: pa.Schema, blank: frozenset[str] = frozenset()
) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [
        pa.array([""] * len(rows), type=field.type)
        if field.name in blank
        else _array(values, field.type)
        for values, field in zip(columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=kind)
    except UnicodeEncodeError:
        # Log lines are decoded with "surrogateescape" (any bytes survive, offsets stay exact);
        # Arrow strings are UTF-8, so bytes that are not UTF-8 are stored as U+FFFD.
        return pa.array([_utf8(value) for value in values], type=kind)


def _utf8(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def entries_batch(rows: Sequence[Sequence[Any]], *, raw_text: bool = True) -> pa.RecordBatch:
    """A batch of entry rows (tuples in ``ENTRY_COLUMNS`` order).

    ``raw_text=False`` stores no raw lines: a one-off report does not read them, and they are
    most of the bytes to convert, compress and insert.
    """
    return _batch(rows, ENTRY_SCHEMA, frozenset() if raw_text else frozenset({"raw_text"}))


def gaps_batch(rows: Sequence[Sequence[Any]]) -> pa.RecordBatch:
    """A batch of gap candidates (tuples in ``GAP_COLUMNS`` order)."""
    return _batch(rows, GAP_SCHEMA)


def to_ipc(batch: pa.RecordBatch, *, compression: str | None = None) -> bytes:
    """Arrow IPC stream bytes (what travels in messages and temp files); ``"zstd"`` compresses
    each buffer (log rows shrink about tenfold)."""
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
        writer.write_batch(batch)
    return bytes(sink.getvalue().to_pybytes())
