"""One entry in full, and the original lines around it.

The lines come from the uploaded file, not from ClickHouse: the gateway asks
:func:`context_window` which bytes to read (a bounded ranged read around the entry's
``byte_offset`` in its decompressed file), reads them, and :func:`lines_around` cuts the
±N lines out of them with their line numbers.
"""

from __future__ import annotations

import re
from typing import Final

from remedyiq_analysis.explore.exceptions import ExploreError
from remedyiq_analysis.explore.models import ContextLine, EntryDetail, RelatedCounts
from remedyiq_analysis.explore.rows import entry_id as make_entry_id
from remedyiq_analysis.scope import JobScope
from remedyiq_analysis.timefmt import iso, iso_required

CONTEXT_SIDE_BYTES: Final = 64 * 1024
MAX_CONTEXT_LINES: Final = 200
_ENTRY_ID = re.compile(r"(\d{1,5}):(\d{1,10})")
_NO_TRACE: Final = ("", "0000000000")

DETAIL_COLUMNS: Final = (
    "job_id", "file_number", "line_number", "ref_line", "end_line", "byte_offset", "records",
    "lines", "toUnixTimestamp64Milli(timestamp)", "toString(log_type)", "toString(kind)",
    "trace_id", "rpc_id", "thread_id", "queue", "client_rpc", "user", "overlay_group",
    "duration_ms", "queue_time_ms", "success", "error_message", "api_code", "api_name", "form",
    "client", "client_ip", "sql_table", "sql_action", "sql_statement", "filter_name",
    "filter_level", "filter_number", "toString(filter_result)", "filter_phase",
    "toString(phase_marker)", "operation", "request_id", "actions", "esc_name", "esc_pool",
    "toUnixTimestamp64Milli(scheduled_time)", "error_encountered", "raw_text",
)  # fmt: skip
_NAMES: Final = tuple(
    c.removeprefix("toString(").removeprefix("toUnixTimestamp64Milli(").rstrip(")")
    for c in DETAIL_COLUMNS
)


def parse_entry_id(text: str) -> tuple[int, int]:
    """``"file:line"`` to ``(file_number, line_number)``; ``ExploreError`` if malformed."""
    match = _ENTRY_ID.fullmatch(text)
    if not match or int(match.group(1)) > 65_535 or int(match.group(2)) > 4_294_967_295:
        raise ExploreError(f"malformed entry id {text!r} (expected FILE:LINE)")
    return int(match.group(1)), int(match.group(2))


def get_entry(scope: JobScope, entry_id: str) -> EntryDetail | None:
    """Every column of one entry of the job and the size of its transaction; None if absent."""
    file_number, line_number = parse_entry_id(entry_id)
    found = scope.rows(
        f"SELECT {', '.join(DETAIL_COLUMNS)} FROM $E WHERE $JOB "
        "AND file_number = {file:UInt16} AND line_number = {line:UInt32} LIMIT 1",
        file=file_number,
        line=line_number,
    )
    if not found:
        return None
    cells = dict(zip(_NAMES, found[0], strict=True))
    ts, scheduled = int(cells.pop("timestamp")), cells.pop("scheduled_time")
    return EntryDetail(
        entry_id=make_entry_id(file_number, line_number),
        timestamp=iso_required(ts),
        timestamp_ms=ts,
        scheduled_time=iso(int(scheduled)) if scheduled is not None else None,
        related=_related(
            scope, str(cells["trace_id"]), str(cells["thread_id"]), str(cells["rpc_id"])
        ),
        **cells,
    )


def _related(scope: JobScope, trace: str, thread: str, rpc: str) -> RelatedCounts:
    if trace:
        where, params, kind, key = (
            "trace_id = {r_trace:String}",
            {"r_trace": trace},
            "trace_id",
            trace,
        )
    elif rpc not in _NO_TRACE:
        where = "thread_id = {r_thread:String} AND rpc_id = {r_rpc:String}"
        params, kind, key = {"r_thread": thread, "r_rpc": rpc}, "thread_rpc", f"{thread}:{rpc}"
    else:
        return RelatedCounts(key_kind=None, key=None, rows=0, api=0, sql=0, fltr=0, escl=0)
    rows, api, sql, fltr, escl = scope.one(
        "SELECT count(), countIf(log_type = 'API'), countIf(log_type = 'SQL'), "
        f"countIf(log_type = 'FLTR'), countIf(log_type = 'ESCL') FROM $E WHERE $JOB AND {where}",
        **params,
    )
    return RelatedCounts(
        key_kind=kind,
        key=key,
        rows=int(rows),
        api=int(api),
        sql=int(sql),
        fltr=int(fltr),
        escl=int(escl),
    )


def _clamp(count: int) -> int:
    if count < 0:
        raise ExploreError("line counts must not be negative")
    return min(count, MAX_CONTEXT_LINES)


def context_window(entry: EntryDetail, before: int, after: int) -> tuple[int, int]:
    """``(start_byte, end_byte)`` (end exclusive) of the file bytes to read for ±N lines.

    Bounded: at most :data:`CONTEXT_SIDE_BYTES` on each side of the entry's first line, fewer
    for few lines (lines of these logs run to a few hundred bytes; very long lines simply yield
    fewer context lines). ``end_byte`` may pass the end of the file: read to the end then.
    """
    offset = entry.byte_offset
    back = min(CONTEXT_SIDE_BYTES, 2048 * (_clamp(before) + 1))
    ahead = min(CONTEXT_SIDE_BYTES, 2048 * (_clamp(after) + 1))
    return max(0, offset - back), offset + ahead


def lines_around(
    data: bytes,
    offset: int,
    before: int,
    after: int,
    *,
    target_line: int = 0,
    window_start: int = 0,
    at_eof: bool = False,
) -> list[ContextLine]:
    """Up to ``before`` lines before and ``after`` lines after the line starting at ``offset``.

    ``data`` is a window of the file and ``offset`` the target line's start within it.
    ``target_line`` numbers the target (the others count from it; 0 = numbers relative to the
    target); ``window_start`` is the file offset of ``data[0]`` — the first piece is a whole line
    only when the window starts the file — and ``at_eof`` says the window ends the file (else a
    last piece without a newline is a cut line and left out). Undecodable bytes are replaced.
    """
    if not 0 <= offset <= len(data):
        raise ExploreError("offset outside the data")
    before, after = _clamp(before), _clamp(after)
    head = data.rfind(b"\n", 0, offset) + 1  # the target's start, should offset be inside it
    if head == 0 and window_start != 0 and offset != 0:
        return []  # no line start in the window before the offset: nothing reliable to show
    earlier: list[tuple[int, int]] = []
    end = head - 1  # the newline ending the line before, -1 at the window's start
    while len(earlier) < before and end >= 0:
        start = data.rfind(b"\n", 0, end) + 1
        if start == 0 and window_start != 0:
            break  # the window cut this line
        earlier.append((start, end))
        end = start - 1
    found = [
        _line(data, start, stop, target_line - i - 1, window_start)
        for i, (start, stop) in enumerate(earlier)
    ][::-1]
    position = head
    for number in range(target_line, target_line + after + 1):
        if position >= len(data):
            break
        cut = data.find(b"\n", position)
        whole = cut >= 0 or at_eof
        if not whole and number != target_line:
            break
        stop = cut if cut >= 0 else len(data)
        found.append(
            _line(
                data,
                position,
                stop,
                number,
                window_start,
                target=number == target_line,
                truncated=not whole,
            )
        )
        position = stop + 1
    return found


def _line(
    data: bytes,
    start: int,
    end: int,
    number: int,
    base: int,
    *,
    target: bool = False,
    truncated: bool = False,
) -> ContextLine:
    text = data[start:end].rstrip(b"\r").decode("utf-8", errors="replace")
    return ContextLine(
        line=number, byte_offset=base + start, text=text, target=target, truncated=truncated
    )
