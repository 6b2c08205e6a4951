"""The shape of what the parser produces: event rows (``log_entries``) and gap candidates.

Rows are plain tuples in the column order of :data:`ENTRY_COLUMNS` — cheap to build in the hot
loop and cheap to transpose into columns (``zip(*rows)``) for a columnar insert. The ClickHouse
migration in ``remedyiq_analysis`` declares the same columns (a test keeps them in step).

Every physical line of the input belongs to exactly one row: an *event* row (an API call with its
begin and end record, an SQL statement with its closing ``OK``/error, a filter check with its
result and action lines, an escalation run, a filter phase marker, an escalation schedule) or a
``line`` row for a record that belongs to no event. Headerless continuation lines belong to the
record before them. So ``sum(records)`` over rows is the number of header records, and search and
"context" can always show every line.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class LogType(IntEnum):
    """The ``<TYPE>`` tag of a record (values match the ClickHouse ``Enum8``)."""

    API = 1
    SQL = 2
    FLTR = 3
    ESCL = 4
    USER = 5
    THRD = 6
    ALRT = 7
    OTHER = 8  # any other or unreadable tag; the raw text keeps the original


ANALYSED_TYPES: Final = frozenset({LogType.API, LogType.SQL, LogType.FLTR, LogType.ESCL})

TYPE_TAGS: Final[dict[str, LogType]] = {
    "API ": LogType.API,
    "SQL ": LogType.SQL,
    "FLTR": LogType.FLTR,
    "ESCL": LogType.ESCL,
    "USER": LogType.USER,
    "THRD": LogType.THRD,
    "ALRT": LogType.ALRT,
}


class Kind(IntEnum):
    """What a row is (values match the ClickHouse ``Enum8``)."""

    LINE = 1  # an analysed record that belongs to no event (e.g. BEGIN TRANSACTION, a field dump)
    CALL = 2  # API call: begin and end joined
    CALL_OPEN = 3  # API begin never ended (reference: "Start of API call has no corresponding end")
    CALL_ORPHAN_END = 4  # API end without begin ("End of API call has no corresponding start")
    STATEMENT = 5  # SQL statement joined with its OK / error / next statement
    STATEMENT_OPEN = 6  # SQL statement never closed ("Start of SQL call has no corresponding end")
    CHECK = 7  # filter check: Checking line + result + actions, until the next check / end
    CHECK_OPEN = 8  # filter check still running at the end of the log
    PHASE = 9  # filter processing Start / End / Restart marker (operation, form, request id)
    RUN = 10  # escalation run: ready-to-fire (or on-demand) line joined with its completion
    RUN_OPEN = 11  # escalation run never completed ("Start of ESC call has no corresponding end")
    SCHEDULE = 12  # escalation "going to fire in N seconds" line
    IGNORED = 13  # counted in Total Lines but not analysed: other types, FTS, outside -b/-e
    MALFORMED = 14  # a line starting with "<" whose header cannot be read


class FilterResult(IntEnum):
    NONE = 0
    PASSED = 1  # "--> Passed -- perform actions"
    FAILED = 2  # "--> Failed qualification"
    FAILED_ELSE = 3  # "--> Failed qualification -- perform else actions"


class Phase(IntEnum):
    """For ``PHASE`` rows: which marker (the filter phase number is in ``filter_phase``)."""

    START = 1
    END = 2
    RESTART = 3


# Column order of an entry row. Timestamps are epoch milliseconds of the wall-clock time written
# in the log (the log carries no zone; ISO-8601 stamps with an offset are converted to UTC).
ENTRY_COLUMNS: Final[tuple[str, ...]] = (
    "file_number",  # 1-based input file
    "line_number",  # first physical line of the row's first record
    "ref_line",  # last physical line of that record: what the reference prints as its Line#
    "end_line",  # last line of the row (API: end record; FLTR check: the line that ended it)
    "byte_offset",  # byte offset of line_number's line in its (decompressed) file
    "records",  # header records this row holds
    "lines",  # physical lines this row holds (records + continuation lines)
    "timestamp",  # ms; start of the event
    "log_type",  # LogType
    "kind",  # Kind
    "trace_id",
    "rpc_id",
    "thread_id",
    "queue",
    "client_rpc",
    "user",
    "overlay_group",
    "duration_ms",
    "queue_time_ms",
    "success",
    "error_message",
    "api_code",  # API abbreviation (GE, SE, …)
    "api_name",  # its function name from the begin line (ARGetEntry, …)
    "form",
    "client",  # API client ("Mid-tier", …)
    "client_ip",
    "sql_table",  # tables of the statement, comma-joined as the reference prints them
    "sql_action",  # SELECT / INSERT / UPDATE / DELETE / …
    "sql_statement",
    "filter_name",
    "filter_level",
    "filter_number",  # "Number Of Filters" K of a check
    "filter_result",  # FilterResult
    "filter_phase",  # phase number of a PHASE row
    "phase_marker",  # Phase of a PHASE row
    "operation",  # filter operation (SET, CREATE, …)
    "request_id",
    "actions",  # action lines of a check (0 : Set Fields …)
    "esc_name",
    "esc_pool",
    "scheduled_time",  # ms or None; SCHEDULE rows: line time + N seconds
    "error_encountered",
    "raw_text",  # the row's own physical lines, newline-joined (capped, see RAW_TEXT_LIMIT)
)
COLUMN_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(ENTRY_COLUMNS)}

RAW_TEXT_LIMIT: Final = 65_536
"""Characters of raw text kept per row; longer events are cut with a marker (lines stay readable
through byte offsets)."""

ERROR_MESSAGE_LIMIT: Final = 200
"""The reference keeps error messages to 200 characters."""


# Column order of a gap candidate (the analyzer's "LONGEST LINE/THREAD GAPS").
GAP_COLUMNS: Final[tuple[str, ...]] = (
    "gap_kind",  # 1 = line gap, 2 = thread gap
    "gap_ms",
    "file_number",
    "line_number",  # the record's real (first physical) line
    "ref_line",  # its last physical line: the reference's Line# for records that start events
    "starts_event",  # the reference prints Line# only for records that start something
    "timestamp",  # ms: the record's time, or the thread's last time if it has none (or None)
    "has_time",  # False for records without a time of their own (the reference prints "null")
    "trace_id",
    "rpc_id",
    "thread_id",
    "queue",
    "log_type",
    "details",  # record text after the timestamp
)

LINE_GAP: Final = 1
THREAD_GAP: Final = 2
