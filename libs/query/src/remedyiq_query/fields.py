"""The allow-list: the only ``log_entries`` columns a query may touch, and how each one matches.

Column names in compiled SQL come from here and nowhere else. ``tenant_id`` and ``job_id`` are
deliberately absent: the gateway binds them itself, so a query can never widen its own scope.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

PACKED_UNSAFE: Final = frozenset("<>\n\x1c\x1d\x1e")
"""A match that crosses a folded header's edge holds the newline before it, a ``<`` or a ``>``;
the marks are not in the lines."""
RENDERED: Final = {"\x1c": True, "\x1d": False}
"""The marks that start packed lines whose first header is rendered from the row's columns, and
whether that header has the ``<TrID: …>`` field (``remedyiq_arlog.rawtext``)."""
_DIGITS: Final = frozenset("0123456789")
_TRACE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:")
HEADER_RUNS: Final[tuple[tuple[str, str, int, frozenset[str] | None], ...]] = (
    ("", "log_type", 4, None),
    ("TrID: ", "trace_id", 30, _TRACE),
    ("TID: ", "thread_id", 0, _DIGITS),
    ("RPC ID: ", "rpc_id", 0, _DIGITS),
    ("Queue: ", "queue", 10, None),
    ("Client-RPC: ", "client_rpc", 9, None),
    ("USER: ", "user", 45, None),
    ("Overlay-Group: ", "overlay_group", 10, None),
)
"""``(label, column, width, characters)``: the text between a rendered header's brackets is
``label`` and the column's value padded with spaces to ``width`` (0: as it is); the type tag's is
its name. A header is rendered only when each value holds only ``characters`` (None: any), so a
word with other characters cannot be in it. The labels go into SQL as literals: plain words,
nothing to escape."""
if any(not all(c.isalnum() or c in " :-" for c in label) for label, *_ in HEADER_RUNS):
    raise AssertionError("a header label needs escaping in SQL")


class FieldType(StrEnum):
    STRING = "string"
    ENUM = "enum"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    TIME = "time"
    DURATION = "duration"  # milliseconds; values may carry a unit (500ms, 2s, 1.5m, 1h)


class Match(StrEnum):
    """How a string field compares with a value (wildcards follow the same rule)."""

    EXACT = "exact"  # whole value, case-sensitive: identifiers, so equality can use an index
    EQUALS = "equals"  # whole value, case-insensitive: names of forms, users, filters …
    CONTAINS = "contains"  # substring, case-insensitive: messages, statements, raw text


@dataclass(frozen=True, slots=True)
class Field:
    """One searchable field: its user-facing name, the column behind it and its rules."""

    name: str
    column: str
    type: FieldType
    description: str
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # the allowed values of an enum
    match: Match = Match.EQUALS
    empty_value: str | None = None  # the enum value that means "absent" (for field:*)
    int_column: bool = True  # duration columns: Int64 (duration_ms) or Float64 (queue_time_ms)
    # The same text stored smaller (raw lines with repeated headers folded, see
    # remedyiq_arlog.rawtext): one substring free of PACKED_UNSAFE is in it iff it is in `column`.
    packed_column: str | None = None

    @property
    def ranges(self) -> bool:
        """Whether ``field >= value`` is allowed."""
        return self.type in _ORDERED

    @property
    def wildcards(self) -> bool:
        """Whether ``field:Pre*`` is allowed (enums expand the pattern over their values)."""
        return self.type in (FieldType.STRING, FieldType.ENUM)

    @property
    def summary(self) -> str:
        """Short type description for autocomplete, e.g. ``enum (API, SQL, …)``."""
        if self.type is FieldType.ENUM:
            return f"enum: {', '.join(self.values)}"
        if self.type is FieldType.STRING:
            return f"string, {self.match.value}"
        return self.type.value


_ORDERED: Final = frozenset({FieldType.INT, FieldType.FLOAT, FieldType.TIME, FieldType.DURATION})

LOG_TYPES: Final = ("API", "SQL", "FLTR", "ESCL", "USER", "THRD", "ALRT", "OTHER")
KINDS: Final = (
    "line", "call", "call_open", "call_orphan_end", "statement", "statement_open", "check",
    "check_open", "phase", "run", "run_open", "schedule", "ignored", "malformed",
)  # fmt: skip
FILTER_RESULTS: Final = ("none", "passed", "failed", "failed_else")
PHASE_MARKERS: Final = ("none", "start", "end", "restart")

_S, _X = FieldType.STRING, Match.EXACT  # short names keep the table one row per field

FIELDS: Final[tuple[Field, ...]] = (
    Field("type", "log_type", FieldType.ENUM, "log type of the record", values=LOG_TYPES),
    Field("kind", "kind", FieldType.ENUM, "what the row is (call, statement, check …)", (),
          KINDS),
    Field("timestamp", "timestamp", FieldType.TIME, "start of the event (UTC, ISO-8601)",
          ("time", "ts")),
    Field("duration", "duration_ms", FieldType.DURATION, "event duration (500ms, 2s, 1m)"),
    Field("queue_time", "queue_time_ms", FieldType.DURATION, "time queued before the call",
          int_column=False),
    Field("status", "success", FieldType.BOOL, "call succeeded (true/false, ok/failed)"),
    Field("error", "error_message", _S, "error message text", match=Match.CONTAINS),
    Field("error_encountered", "error_encountered", FieldType.BOOL, "an error was logged"),
    Field("user", "user", _S, "AR user"),
    Field("queue", "queue", _S, "RPC queue (Fast, List, …)"),
    Field("thread", "thread_id", _S, "server thread id", match=_X),
    Field("trace", "trace_id", _S, "trace id", match=_X),
    Field("rpc", "rpc_id", _S, "RPC id", match=_X),
    Field("client_rpc", "client_rpc", _S, "client RPC number"),
    Field("overlay_group", "overlay_group", _S, "overlay group", ("overlay",)),
    Field("api", "api_code", _S, "API call code (GE, SE, GLEWF …)", ("api_code",)),
    Field("api_name", "api_name", _S, "API function name (ARGetEntry …)"),
    Field("form", "form", _S, "form (schema) name"),
    Field("client", "client", _S, "client program (Mid-tier …)"),
    Field("client_ip", "client_ip", _S, "client IP address", ("ip",), match=_X),
    Field("table", "sql_table", _S, "SQL table(s) of the statement", match=Match.CONTAINS),
    Field("sql_action", "sql_action", _S, "SQL verb (SELECT, UPDATE …)", ("action",)),
    Field("sql", "sql_statement", _S, "SQL statement text", match=Match.CONTAINS),
    Field("filter", "filter_name", _S, "filter name"),
    Field("level", "filter_level", FieldType.INT, "filter nesting level"),
    Field("result", "filter_result", FieldType.ENUM, "filter qualification result",
          values=FILTER_RESULTS, empty_value="none"),
    Field("phase", "phase_marker", FieldType.ENUM, "filter phase marker",
          values=PHASE_MARKERS, empty_value="none"),
    Field("filter_phase", "filter_phase", FieldType.INT, "filter phase number"),
    Field("operation", "operation", _S, "filter operation (SET, CREATE …)"),
    Field("request_id", "request_id", _S, "request (entry) id", ("request",), match=_X),
    Field("actions", "actions", FieldType.INT, "action lines of a filter check"),
    Field("escalation", "esc_name", _S, "escalation name", ("esc",)),
    Field("pool", "esc_pool", _S, "escalation pool", ("esc_pool",)),
    Field("line", "line_number", FieldType.INT, "first line of the row in its file"),
    Field("file", "file_number", FieldType.INT, "input file number (1-based)"),
    Field("raw", "raw_text", _S, "the row's original log lines", ("text",), match=Match.CONTAINS,
          packed_column="raw_lines"),
)  # fmt: skip

_BY_NAME: Final[dict[str, Field]] = {}
for _field in FIELDS:
    for _name in (_field.name, _field.column, *_field.aliases):
        if _BY_NAME.setdefault(_name, _field) is not _field:
            raise AssertionError(f"field name {_name!r} is defined twice")

FIELD_NAMES: Final = tuple(sorted(f.name for f in FIELDS))
ALL_NAMES: Final = tuple(sorted(_BY_NAME))
COLUMNS: Final = frozenset(
    {
        *(c for f in FIELDS for c in (f.column, f.packed_column) if c),
        *(column for _, column, *_ in HEADER_RUNS),
    }
)
"""Every column a compiled query may read."""
SELECTIVE_COLUMNS: Final = frozenset({"trace_id", "rpc_id", "thread_id", "request_id"})
SORT_KEY_COLUMNS: Final = frozenset({"log_type", "timestamp"})  # after tenant_id, job_id
SKIP_INDEX_COLUMNS: Final = frozenset({"trace_id"})  # bloom_filter (migration 0003)


def resolve(name: str) -> Field | None:
    """The field a user-typed name (canonical, alias or column; any case) refers to."""
    return _BY_NAME.get(name.lower())


def closest(name: str) -> str | None:
    """The known field name nearest to a misspelt one, if any is reasonably close."""
    found = difflib.get_close_matches(name.lower(), ALL_NAMES, n=1, cutoff=0.6)
    return found[0] if found else None
