"""Building entry rows (tuples in :data:`~remedyiq_arlog.schema.ENTRY_COLUMNS` order)."""

from __future__ import annotations

from typing import Any

from remedyiq_arlog.records import Record
from remedyiq_arlog.schema import RAW_TEXT_LIMIT

Row = tuple[Any, ...]

_CUT_MARK = "\n… [cut: the rest of this event's lines are in the file]"


def cap_text(text: str) -> str:
    return text if len(text) <= RAW_TEXT_LIMIT else text[:RAW_TEXT_LIMIT] + _CUT_MARK


def entry(
    rec: Record,
    log_type: int,
    kind: int,
    *,
    end_line: int | None = None,
    records: int = 1,
    lines: int | None = None,
    raw: str | None = None,
    timestamp: int | None = None,
    duration_ms: int = 0,
    queue_time_ms: float = 0.0,
    success: bool = True,
    error_message: str = "",
    api_code: str = "",
    api_name: str = "",
    form: str = "",
    client: str = "",
    client_ip: str = "",
    sql_table: str = "",
    sql_action: str = "",
    sql_statement: str = "",
    filter_name: str = "",
    filter_level: int = 0,
    filter_number: int = 0,
    filter_result: int = 0,
    filter_phase: int = 0,
    phase_marker: int = 0,
    operation: str = "",
    request_id: str = "",
    actions: int = 0,
    esc_name: str = "",
    esc_pool: str = "",
    scheduled_time: int | None = None,
    error_encountered: bool = False,
) -> Row:
    """One row whose first record is ``rec`` (header fields come from it)."""
    return (
        rec.file_number,
        rec.line,
        rec.end_line,
        rec.end_line if end_line is None else end_line,
        rec.byte_offset,
        records,
        rec.lines if lines is None else lines,
        rec.ts if timestamp is None else timestamp,
        log_type,
        kind,
        rec.trace_id,
        rec.rpc_id,
        rec.thread_id,
        rec.queue,
        rec.client_rpc,
        rec.user,
        rec.overlay_group,
        duration_ms,
        queue_time_ms,
        success,
        error_message,
        api_code,
        api_name,
        form,
        client,
        client_ip,
        sql_table,
        sql_action,
        sql_statement,
        filter_name,
        filter_level,
        filter_number,
        filter_result,
        filter_phase,
        phase_marker,
        operation,
        request_id,
        actions,
        esc_name,
        esc_pool,
        scheduled_time,
        error_encountered,
        cap_text(rec.raw if raw is None else raw),
    )
