"""The analysis result: every section of the reference report, machine-readable.

This is the stable JSON contract (``remedyiq analyze --format json``, the durable job result, the
dashboard API). Times are ISO-8601 strings with milliseconds (the log's wall-clock time; classic AR
stamps carry no zone), durations are seconds with millisecond precision. ``line`` is always the
real first physical line of a record; ``ref_line`` is the Line# the reference analyzer prints
(0 in gap lists for records that start nothing; the last physical line of a multi-line record).
Files are numbered from 1 (``file``) when several are analysed together.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

LogTypeName = Literal["API", "SQL", "FLTR", "ESCL"]
ALL_TYPES: tuple[LogTypeName, ...] = ("API", "SQL", "FLTR", "ESCL")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


V = TypeVar("V")
_TYPE_RANK: dict[str, int] = {name: i for i, name in enumerate(ALL_TYPES)}


def by_type(counts: dict[str, V]) -> dict[str, V]:
    """``counts`` keyed by log type, in report order (API, SQL, FLTR, ESCL, then any other)."""
    return dict(
        sorted(counts.items(), key=lambda item: (_TYPE_RANK.get(item[0], len(_TYPE_RANK)), item[0]))
    )


def by_key(mapping: dict[str, V]) -> dict[str, V]:
    """``mapping`` in key order (the order the sections' SQL gives)."""
    return dict(sorted(mapping.items()))


class AnalysisOptions(Model):
    """The reference analyzer's options (names follow its command line)."""

    top_n: int = Field(50, ge=1, le=10_000, description="-n: size of every top-N list")
    group_by: list[Literal["user", "queue"]] = Field(
        default_factory=list, description="-g: extra aggregate groupings"
    )
    sort: Literal["AVG", "COUNT", "MAX", "MIN", "SUM"] = Field("AVG", description="-s")
    ascending: bool = Field(False, description="-i: ascending rows inside aggregate groups")
    begin: str | None = Field(None, description="-b: ISO-8601 start of the analysed window")
    end: str | None = Field(None, description="-e: ISO-8601 end of the window (inclusive)")
    users: list[str] = Field(default_factory=list, description="-u: only these users")
    exclude_users: list[str] = Field(default_factory=list, description="-nu: not these users")
    client_rpc: int | None = Field(None, description="-c: only this Client-RPC program")
    types: list[LogTypeName] = Field(
        default_factory=lambda: list(ALL_TYPES),
        description="types analysed (-noapi/-nosql/-nofltr/-noesc remove one)",
    )
    fts: bool = Field(False, description="-fts: analyse FTS-queue records too")
    locale: str | None = Field(None, description="-l: force the timestamp locale")


class InputFile(Model):
    number: int
    name: str
    bytes: int
    first_time: str | None = None
    last_time: str | None = None


class TypeActivity(Model):
    """Logging activity per record type (the log-coverage check)."""

    type: str
    first_time: str
    last_time: str
    duration_s: float


class General(Model):
    start_time: str | None
    end_time: str | None
    elapsed_s: float
    total_lines: int = Field(description="records with a header (the reference's Total Lines)")
    lines: dict[str, int] = Field(description="analysed records per type (API/SQL/ESC Count)")
    form_count: int
    table_count: int
    user_count: int
    threads: dict[str, int] = Field(description="distinct threads per queue")
    thread_count: int
    exceptions: dict[str, int] = Field(description="unmatched starts + ends per type")
    physical_lines: int
    continuation_lines: int
    malformed_lines: int
    ignored_records: int
    bad_timestamps: int
    cut_lines: int
    locale: str | None
    filter_language: str | None
    server_versions: list[str]
    files: list[InputFile]
    activity: list[TypeActivity]

    # Mappings keep one key order whatever store the report is read back from (PostgreSQL's
    # jsonb reorders keys): a stored report renders exactly like a fresh one.
    @field_validator("lines", "exceptions")
    @classmethod
    def _types_in_report_order(cls, counts: dict[str, int]) -> dict[str, int]:
        return by_type(counts)

    @field_validator("threads")
    @classmethod
    def _queues_in_order(cls, threads: dict[str, int]) -> dict[str, int]:
        return by_key(threads)


class Gap(Model):
    gap_s: float
    line: int
    ref_line: int
    file: int
    trace_id: str
    rpc_id: str
    thread: str
    queue: str
    time: str | None
    details: str


class Gaps(Model):
    line: list[Gap]
    thread: list[Gap]


class ApiCall(Model):
    line: int
    ref_line: int
    end_line: int
    file: int
    trace_id: str
    rpc_id: str
    queue: str
    thread: str
    user: str
    api: str
    form: str
    client: str
    client_ip: str
    start: str
    duration_s: float
    queue_s: float
    success: bool
    error: str


class AggregateRow(Model):
    key: str
    ok: int
    fail: int
    total: int
    min_s: float
    min_line: int
    min_file: int
    max_s: float
    max_line: int
    max_file: int
    avg_s: float
    sum_s: float


class AggregateGroup(Model):
    value: str
    rows: list[AggregateRow]
    ok: int
    fail: int
    total: int
    sum_s: float


class Aggregates(Model):
    grouping: str = Field(description="Form, Client, Client IP, User, Queue, Table or Pool")
    key_label: str = Field(description="API, SQL or Escalation")
    groups: list[AggregateGroup]
    ok: int
    fail: int
    total: int
    sum_s: float


class ThreadStat(Model):
    queue: str
    thread: str
    first_time: str
    last_time: str
    count: int
    queued: int
    queue_s: float
    total_s: float
    busy_pct: float


class ApiException(Model):
    line: int
    ref_line: int
    file: int
    trace_id: str
    rpc_id: str
    api: str
    kind: Literal["start_without_end", "end_without_start"]
    message: str


class ApiSection(Model):
    calls: int
    ok: int
    failed: int
    queued: int
    sub_calls: int
    legend: dict[str, str]
    top: list[ApiCall]
    top_queued: list[ApiCall]
    aggregates: list[Aggregates]
    thread_stats: list[ThreadStat]
    errors: list[ApiCall]
    exceptions: list[ApiException]

    @field_validator("legend")
    @classmethod
    def _codes_in_order(cls, legend: dict[str, str]) -> dict[str, str]:
        return by_key(legend)


class SqlStatement(Model):
    line: int
    ref_line: int
    end_line: int
    file: int
    trace_id: str
    rpc_id: str
    queue: str
    thread: str
    user: str
    table: str
    action: str
    start: str
    duration_s: float
    success: bool
    statement: str
    error: str


class SqlSection(Model):
    statements: int
    ok: int
    failed: int
    top: list[SqlStatement]
    aggregates: list[Aggregates]
    thread_stats: list[ThreadStat]
    errors: list[SqlStatement]
    exceptions: list[SqlStatement]


class EscRun(Model):
    line: int
    ref_line: int
    file: int
    trace_id: str
    rpc_id: str
    pool: str
    escalation: str
    form: str
    start: str
    duration_s: float
    error: bool
    reconstructed: bool = Field(description="only its completion was logged")


class DelayedEscalation(Model):
    line: int
    ref_line: int
    file: int
    trace_id: str
    rpc_id: str
    escalation: str
    pool: str
    form: str
    scheduled_time: str
    start: str
    delay_s: float
    previous_escalation: str | None
    previous_end: str | None


class EsclSection(Model):
    runs: int
    failed: int
    top: list[EscRun]
    delayed: list[DelayedEscalation]
    aggregates: list[Aggregates]
    errors: list[EscRun]
    exceptions: list[EscRun]


class FilterRun(Model):
    line: int
    ref_line: int
    end_line: int
    file: int
    trace_id: str
    rpc_id: str
    queue: str
    thread: str
    filter: str
    start: str
    duration_s: float


class FilterCount(Model):
    filter: str
    passed: int
    failed: int


class Transaction(Model):
    line: int
    ref_line: int
    file: int
    trace_id: str
    rpc_id: str
    filter_count: int = Field(description="max 'Number Of Filters' (0-based), as the reference")
    checks: int = Field(description="filter checks actually logged")
    max_level: int
    operation: str
    form: str
    request_id: str
    ms_per_filter: float | None = Field(
        description="(last - first Checking) ms / filter_count; the reference prints it as "
        "'Filters/sec' (NaN when undefined: null here)"
    )
    filters_per_s: float | None = Field(description="checks per second of filter time")


class TransactionFilter(Model):
    line: int
    ref_line: int
    file: int
    trace_id: str
    rpc_id: str
    filter: str
    passed: int
    failed: int


class FltrSection(Model):
    transactions: int
    checks: int
    passed: int
    failed: int = Field(description="all failed qualifications")
    failed_with_else: int
    top: list[FilterRun]
    most_executed: list[FilterCount]
    most_filters: list[Transaction]
    most_executed_per_transaction: list[TransactionFilter]
    most_levels: list[Transaction]


class TimelinePoint(Model):
    """One minute of one record type (not in the reference: the HTML report charts it)."""

    minute: str = Field(description="ISO-8601 start of the minute, e.g. 2025-11-24T14:00:00.000")
    log_type: str = Field(description="API, SQL, FLTR or ESCL")
    count: int = Field(description="calls (statements, runs, filter checks) started that minute")
    errors: int = Field(description="of which failed")
    p50_s: float
    p95_s: float


class Report(Model):
    schema_version: int = SCHEMA_VERSION
    generator: str = "remedyiq"
    has_trace_ids: bool
    options: AnalysisOptions
    general: General
    gaps: Gaps
    api: ApiSection
    sql: SqlSection
    escl: EsclSection
    fltr: FltrSection
    # Per-minute activity per record type, charted by the HTML report; None for a log spanning
    # more than analyze.TIMELINE_MAX_MINUTES (and in reports parsed from the reference's text).
    timeline: list[TimelinePoint] | None = None
