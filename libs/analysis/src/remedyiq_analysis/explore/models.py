"""The explorer's response models: closed (``extra="forbid"``), frozen, JSON-ready.

Conventions as in :mod:`remedyiq_analysis.report`, except that durations are integer (or
percentile float) **milliseconds** here (``*_ms``): these feed charts and waterfalls. Times are
ISO-8601 strings with milliseconds (``start``/``time``) and, where a client computes with them,
epoch milliseconds too (``*_ms`` next to them). ``entry_id`` is ``"{file_number}:{line_number}"``,
unique within a job.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from remedyiq_analysis.report import Model

SortOrder = Literal["time", "-time", "duration", "-duration"]
PercentileBy = Literal["api", "form", "table", "filter", "queue", "user", "client"]
ExportFormat = Literal["csv", "jsonl"]
TraceKey = Literal["trace_id", "thread_rpc"]
SpanKind = Literal["api", "phase", "filter", "sql", "escalation", "event"]
ErrorSource = Literal["api", "sql", "escalation"]


class TimeBucket(Model):
    """One time bucket of one log type: calls (statements, checks, runs) started in it."""

    start: str
    start_ms: int
    bucket_s: int
    log_type: str
    count: int
    errors: int = Field(description="of which failed (success = false)")
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: int
    in_flight: int | None = Field(
        None, description="API rows only: API calls running at some moment of the bucket"
    )


class PercentileRow(Model):
    key: str
    count: int
    errors: int
    error_rate: float = Field(description="errors / count, 0..1")
    min_ms: int
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: int
    avg_ms: float
    total_ms: int


class EntryRef(Model):
    """A pointer to one row (an example, the slowest of a group …)."""

    entry_id: str
    line: int
    file_number: int
    trace_id: str
    time: str
    duration_ms: int


class FingerprintRow(Model):
    fingerprint_id: str = Field(description="hex of the normalized-statement hash")
    fingerprint: str = Field(description="the statement with literals and IN-lists collapsed")
    action: str
    tables: list[str]
    count: int
    failures: int
    total_ms: int
    avg_ms: float
    p95_ms: float
    max_ms: int
    example: EntryRef = Field(description="the slowest statement of the group")
    example_statement: str


class ErrorGroup(Model):
    source: ErrorSource
    code: str = Field(description="ARERR 302, ORA-00060, SQL Server 1205, or the escalation")
    message: str
    count: int
    first_time: str
    last_time: str
    forms: list[str]
    form_count: int
    users: list[str]
    user_count: int
    tables: list[str]
    apis: list[str]
    examples: list[EntryRef]


class EntryRow(Model):
    """One search hit."""

    entry_id: str
    job_id: str
    line: int
    end_line: int
    file_number: int
    timestamp: str
    timestamp_ms: int
    log_type: str
    kind: str
    queue: str
    thread: str
    trace_id: str
    rpc_id: str
    user: str
    duration_ms: int
    success: bool
    summary: str = Field(description="API + form, table + statement, filter, escalation …")
    raw_text: str
    raw_truncated: bool


class SearchPage(Model):
    rows: list[EntryRow]
    next_cursor: str | None
    total_estimate: int | None = Field(description="matching rows; first page only")
    took_ms: int
    partial: bool = Field(description="not every row of the range was searched")
    warning: str | None


class HistogramBucket(Model):
    start: str
    start_ms: int
    end_ms: int
    total: int
    errors: int
    by_type: dict[str, int]


class FacetValue(Model):
    value: str
    count: int


class RelatedCounts(Model):
    """Rows sharing the entry's transaction key (Trace ID, else thread + RPC ID)."""

    key_kind: TraceKey | None
    key: str | None
    rows: int
    api: int
    sql: int
    fltr: int
    escl: int


class EntryDetail(Model):
    """Every stored column of one row, plus what is related to it."""

    entry_id: str
    job_id: str
    file_number: int
    line_number: int
    ref_line: int
    end_line: int
    byte_offset: int
    records: int
    lines: int
    timestamp: str
    timestamp_ms: int
    log_type: str
    kind: str
    trace_id: str
    rpc_id: str
    thread_id: str
    queue: str
    client_rpc: str
    user: str
    overlay_group: str
    duration_ms: int
    queue_time_ms: float
    success: bool
    error_message: str
    api_code: str
    api_name: str
    form: str
    client: str
    client_ip: str
    sql_table: str
    sql_action: str
    sql_statement: str
    filter_name: str
    filter_level: int
    filter_number: int
    filter_result: str
    filter_phase: int
    phase_marker: str
    operation: str
    request_id: str
    actions: int
    esc_name: str
    esc_pool: str
    scheduled_time: str | None
    error_encountered: bool
    raw_text: str
    related: RelatedCounts


class ContextLine(Model):
    line: int = Field(description="line number in the file (relative to the target if unknown)")
    byte_offset: int
    text: str
    target: bool
    truncated: bool = Field(description="the window cut this line")


class TransactionRow(Model):
    key: str = Field(description="the Trace ID, or 'thread:rpc'")
    key_kind: TraceKey
    job_id: str
    trace_id: str
    thread_id: str
    rpc_id: str
    start: str
    start_ms: int
    end_ms: int
    duration_ms: int = Field(description="first row's start to last row's end")
    call_ms: int = Field(description="the anchoring top-level call's (or run's) duration")
    api: str = Field(description="the anchoring API call (or escalation)")
    form: str
    user: str
    queue: str
    api_calls: int
    sql_statements: int
    filter_checks: int
    escalation_runs: int
    errors: int
    queue_time_ms: float
    anchor_entry_id: str
    first_entry_id: str


class TransactionPage(Model):
    rows: list[TransactionRow]
    next_cursor: str | None
    key_kind: TraceKey = Field(description="trace_id when the job has Trace IDs")
    total: int | None = Field(description="about how many match (estimate); first page only")
    took_ms: int


class Span(Model):
    """One node of a trace: an API call, filter phase, filter check, SQL statement, run …"""

    span_id: str = Field(description="the entry id of the row that starts it")
    kind: SpanKind
    name: str
    detail: str
    file_number: int
    line: int
    end_line: int
    thread_id: str
    start: str
    start_ms: int = Field(description="offset from the trace start")
    duration_ms: int = Field(description="extent in the tree (covers its children)")
    logged_ms: int = Field(description="duration as the row records it")
    self_ms: int = Field(description="duration minus the union of the children's intervals")
    level: int | None = Field(description="filter nesting level (phases and checks)")
    success: bool
    error: str
    critical: bool
    children: list[Span]


class CriticalSegment(Model):
    """A stretch of the critical path: the span that was the bottleneck then (None: idle)."""

    span_id: str | None
    start_ms: int
    end_ms: int


class TimeBreakdown(Model):
    """Where the trace's time went; the first six add up to ``total_ms`` exactly."""

    sql_ms: int
    filter_ms: int = Field(description="filter checks and phases outside SQL")
    api_ms: int = Field(description="inside API calls, outside filters and SQL")
    escalation_ms: int
    other_ms: int
    idle_ms: int = Field(description="no span open (between top-level spans)")
    total_ms: int
    queue_ms: float = Field(description="waiting in the RPC queue before the calls (not in total)")


class TraceTree(Model):
    key_kind: TraceKey
    trace_id: str
    thread_id: str
    rpc_id: str
    start: str
    start_ms: int
    end_ms: int
    duration_ms: int
    span_count: int
    error_count: int
    roots: list[Span]
    critical_path: list[CriticalSegment]
    breakdown: TimeBreakdown
    truncated: bool = Field(description="the trace has more rows than one tree holds (cut)")
