"""Search hits: the columns one :class:`EntryRow` reads and how its summary is worded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from remedyiq_analysis.explore.models import EntryRow
from remedyiq_arlog.rawtext import unpack

RAW_CAP: Final = 4096
"""Characters of raw text in a search hit (the entry endpoint and exports give it whole)."""
STATEMENT_CAP: Final = 300

ROW_COLUMNS: Final = """job_id, file_number, line_number, end_line,
    toUnixTimestamp64Milli(timestamp), toString(log_type), toString(kind), queue, thread_id,
    trace_id, rpc_id, user, duration_ms, success, api_code, form, sql_table,
    substringUTF8(sql_statement, 1, {stmt_cap:UInt32}), filter_name, toString(filter_result),
    filter_phase, toString(phase_marker), operation, esc_name, esc_pool, error_message,
    client_rpc, overlay_group,
    substringUTF8(raw_lines, 1, {raw_cap:UInt32}), lengthUTF8(raw_lines) > {raw_cap:UInt32},
    raw_head, replaceOne(toString(timestamp), ' ', 'T')"""
"""Select list of an entry row; bind ``stmt_cap`` and ``raw_cap`` (see :func:`row_params`).

The raw lines are read packed and unfolded here (their header rendered from the row's columns
when it was stored as a mark), for the rows of the page only: the ``raw_text`` ALIAS in the
select list would be computed for every row a sort by duration considers."""


def row_params(raw_cap: int = RAW_CAP) -> dict[str, int]:
    return {"stmt_cap": STATEMENT_CAP, "raw_cap": raw_cap}


def entry_id(file_number: int, line_number: int) -> str:
    return f"{file_number}:{line_number}"


def _details(raw: str) -> str:
    """The text after the header's ``*/`` of the first line (a line row's own words)."""
    first = raw.split("\n", 1)[0]
    cut = first.find("*/")
    return (first[cut + 2 :] if cut >= 0 else first).strip()


def summary(log_type: str, kind: str, described: Sequence[Any], raw: str) -> str:
    """What a person reads first: API + form, table + statement, filter, escalation …"""
    api, form, table, statement, filter_name, result = described[:6]
    phase, marker, operation, esc, pool, error = described[6:]
    text = ""
    if kind in ("call", "call_open", "call_orphan_end"):
        text = f"{api} {form}".strip()
    elif kind in ("statement", "statement_open"):
        text = f"{table}: {statement}" if table else statement
    elif kind in ("check", "check_open"):
        text = f"{filter_name} ({result})" if result != "none" else filter_name
    elif kind == "phase":
        text = f"{marker} phase {phase}: {operation} on {form}"
    elif kind in ("run", "run_open", "schedule"):
        text = f"{esc} on {form} ({pool})" if pool else f"{esc} on {form}"
    if not text:
        text = _details(raw) or log_type
    return f"{text} — {error}" if error else text


def _unfolded(
    prefix: str, longer: bool, raw_head: int, header: Sequence[str], raw_cap: int
) -> tuple[str, bool]:
    """The first ``raw_cap`` characters of a row's lines and whether there are more, from the
    first ``raw_cap`` characters of its packed lines (which unfold to at least as many) and its
    header's columns (``rawtext.HEADER_COLUMNS``)."""
    text = unpack(prefix, raw_head, header)
    return text[:raw_cap], longer or len(text) > raw_cap


def entry_row(row: Sequence[Any], raw_cap: int = RAW_CAP) -> EntryRow:
    """An :class:`EntryRow` from a row selected with :data:`ROW_COLUMNS` (and ``raw_cap``)."""
    job, file_number, line, end_line, ts, log_type, kind = row[:7]
    queue, thread, trace, rpc, user, duration, success = row[7:14]
    client_rpc, overlay_group, packed, longer, head, iso = row[-6:]  # iso: ClickHouse's is faster
    header = [log_type, trace, thread, rpc, queue, client_rpc, user, overlay_group]
    raw, cut = _unfolded(packed, bool(longer), int(head), header, raw_cap)
    return EntryRow(
        entry_id=entry_id(int(file_number), int(line)),
        job_id=job,
        line=int(line),
        end_line=int(end_line),
        file_number=int(file_number),
        timestamp=iso,
        timestamp_ms=int(ts),
        log_type=log_type,
        kind=kind,
        queue=queue,
        thread=thread,
        trace_id=trace,
        rpc_id=rpc,
        user=user,
        duration_ms=int(duration),
        success=bool(success),
        summary=summary(log_type, kind, row[14:-6], raw),
        raw_text=raw,
        raw_truncated=bool(cut),
    )
