"""API calls: ``+ABBR`` begin and ``-ABBR`` end records joined per thread (arlog-format §a.3).

Per thread a list of open calls: a begin pushes; an end closes the most recent open call with the
same abbreviation **and** RPC ID (as the reference does). A call begun while another is open on
the thread is a sub-call (SGE = SE + GE); that is derived later from the intervals.

Across byte ranges: an end that finds no open call in its own range is *unresolved* and travels in
the range summary; joining the ranges in order matches it against the calls left open by earlier
ranges (searching the same stack, below the range's own entries — exactly what one pass does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from remedyiq_arlog.records import Record
from remedyiq_arlog.rows import Row, entry
from remedyiq_arlog.schema import ERROR_MESSAGE_LIMIT, Kind, LogType

_FORM_ENDS = (" entryId", " from ", " entry ", " # of", " changed since", " fieldId")


@dataclass(slots=True)
class BeginInfo:
    abbr: str
    name: str
    form: str
    client: str
    client_ip: str
    queue_time_ms: float


def read_begin(details: str) -> BeginInfo:
    """Abbreviation, function, form, client, client IP and queue time of a ``+`` line."""
    text = details.lstrip()[1:]
    parts = text.split(None, 2)
    abbr = parts[0] if parts else ""
    name = parts[1] if len(parts) > 1 else ""
    rest = parts[2] if len(parts) > 2 else ""
    form = ""
    at = rest.find("-- schema ")
    if at >= 0:
        form = rest[at + 10 :]
        cut = min((i for i in (form.find(end) for end in _FORM_ENDS) if i >= 0), default=-1)
        if cut >= 0:
            form = form[:cut]
        form = form.strip()
    else:
        at = rest.find("-- Class ")
        if at >= 0:
            form = rest[at + 9 :].split(", InstanceID:", 1)[0].strip()
    protocol = rest.find(" (protocol")
    client = ""
    if protocol >= 0:
        start = rest.rfind(" from ", 0, protocol)
        if start >= 0:
            client = rest[start + 6 : protocol].strip()
    client_ip = ""
    at = rest.find(" at IP address ")
    if at >= 0:
        client_ip = rest[at + 15 :].split(" using", 1)[0].strip()
    queue_ms = 0.0
    at = rest.rfind(":q:")
    if at >= 0:
        number = rest[at + 3 :].split("s", 1)[0]
        try:
            queue_ms = float(number) * 1000.0
        except ValueError:
            queue_ms = 0.0
    return BeginInfo(abbr, name, form, client, client_ip, queue_ms)


def end_status(details: str) -> tuple[str, bool, str]:
    """``(abbr, success, error_message)`` of a ``-`` line; the message is the line's text."""
    text = details.strip()
    parts = text[1:].split(None, 1)
    abbr = parts[0] if parts else ""
    status = parts[1].strip() if len(parts) > 1 else ""
    if "FAIL --" in abbr:  # "-SEFAIL -- …": the reference inserts the missing space
        abbr = abbr.split("FAIL --", 1)[0]
        status = "FAIL --"
    success = status == "OK"
    return abbr, success, "" if success else text[:ERROR_MESSAGE_LIMIT]


@dataclass(slots=True)
class OpenCall:
    rec: Record
    info: BeginInfo


def call_row(call: OpenCall, end: Record) -> Row:
    """The row of a completed call."""
    _abbr, success, message = end_status(end.details)
    begin, info = call.rec, call.info
    duration = end.ts - begin.ts if end.ts is not None and begin.ts is not None else 0
    return entry(
        begin,
        LogType.API,
        Kind.CALL,
        end_line=end.end_line,
        records=2,
        lines=begin.lines + end.lines,
        raw=f"{begin.raw}\n{end.raw}",
        duration_ms=duration,
        queue_time_ms=info.queue_time_ms,
        success=success,
        error_message=message,
        api_code=info.abbr,
        api_name=info.name,
        form=info.form,
        client=info.client,
        client_ip=info.client_ip,
    )


def open_call_row(call: OpenCall) -> Row:
    """A begin never ended (counted as an API exception)."""
    info = call.info
    return entry(
        call.rec,
        LogType.API,
        Kind.CALL_OPEN,
        queue_time_ms=info.queue_time_ms,
        success=False,
        api_code=info.abbr,
        api_name=info.name,
        form=info.form,
        client=info.client,
        client_ip=info.client_ip,
    )


def orphan_end_row(end: Record) -> Row:
    """An end without a begin (counted as an API exception)."""
    abbr, success, message = end_status(end.details)
    return entry(
        end,
        LogType.API,
        Kind.CALL_ORPHAN_END,
        success=success,
        error_message=message,
        api_code=abbr,
    )


def close_matching(stack: list[OpenCall], abbr: str, rpc_id: str) -> OpenCall | None:
    """Remove and return the most recent open call with this abbreviation and RPC ID."""
    for index in range(len(stack) - 1, -1, -1):
        call = stack[index]
        if call.info.abbr == abbr and call.rec.rpc_id == rpc_id:
            del stack[index]
            return call
    return None


@dataclass(slots=True)
class ApiState:
    """What one range leaves for the join: unresolved ends and still-open calls per thread."""

    unresolved: dict[str, list[Record]] = field(default_factory=dict)
    open: dict[str, list[OpenCall]] = field(default_factory=dict)


class ApiMachine:
    """Joins API records of one range; ``emit`` receives completed rows."""

    def __init__(self, emit: Callable[[Row], None]) -> None:
        self.emit = emit
        self.state = ApiState()
        self.legend: dict[str, str] = {}

    def feed(self, rec: Record, key: str) -> str:
        """Process one API record; returns ``+`` for a begin, ``-`` for an end, else ``""``."""
        details = rec.details.lstrip()
        sign = details[:1]
        if sign == "+":
            info = read_begin(details)
            self.legend.setdefault(info.abbr, info.name)
            self.state.open.setdefault(key, []).append(OpenCall(rec, info))
            return sign
        if sign == "-" and len(details) > 1 and not details.startswith("--"):
            abbr, _success, _message = end_status(details)
            call = close_matching(self.state.open.get(key, []), abbr, rec.rpc_id)
            if call is None:
                self.state.unresolved.setdefault(key, []).append(rec)
            else:
                self.emit(call_row(call, rec))
            return sign
        self.emit(entry(rec, LogType.API, Kind.LINE))
        return ""
