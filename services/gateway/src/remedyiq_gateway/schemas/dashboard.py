"""Dashboard shapes: the MVP ``DashboardData`` (built from the durable report) and the groupings
of report sections the per-section endpoints return. Section bodies are the report's own models
(:mod:`remedyiq_analysis.report`): the same JSON as ``remedyiq analyze --format json``."""

from __future__ import annotations

from pydantic import BaseModel

from remedyiq_analysis.report import (
    Aggregates,
    ApiCall,
    ApiException,
    DelayedEscalation,
    EscRun,
    InputFile,
    Report,
    SqlStatement,
    ThreadStat,
    TypeActivity,
)


class GeneralStats(BaseModel):
    total_lines: int
    api_count: int
    sql_count: int
    filter_count: int
    esc_count: int
    unique_users: int
    unique_forms: int
    unique_tables: int
    log_start: str | None
    log_end: str | None
    log_duration: str | None


class TopNEntry(BaseModel):
    rank: int
    line_number: int
    file_number: int
    timestamp: str | None
    trace_id: str
    rpc_id: str
    queue: str
    identifier: str
    form: str | None
    user: str | None
    duration_ms: int
    queue_time_ms: int | None
    success: bool
    details: str


class TimeSeriesPoint(BaseModel):
    """One minute (MVP shape), plus percentiles per minute (p50/p95 of all types)."""

    timestamp: str
    api_count: int
    sql_count: int
    filter_count: int
    esc_count: int
    avg_duration_ms: float | None
    error_count: int
    p50_duration_ms: float | None = None
    p95_duration_ms: float | None = None


class Distribution(BaseModel):
    by_type: dict[str, int]
    by_queue: dict[str, int]
    by_form: dict[str, int]
    by_table: dict[str, int]


class DashboardData(BaseModel):
    """Everything on one page: the MVP fields, then the full report (every section)."""

    job_id: str
    general_stats: GeneralStats
    top_api_calls: list[TopNEntry]
    top_sql_statements: list[TopNEntry]
    top_filters: list[TopNEntry]
    top_escalations: list[TopNEntry]
    time_series: list[TimeSeriesPoint]
    distribution: Distribution
    report: Report


class AggregatesSection(BaseModel):
    api: list[Aggregates]
    sql: list[Aggregates]
    escalations: list[Aggregates]


class ExceptionsSection(BaseModel):
    api_errors: list[ApiCall]
    api_exceptions: list[ApiException]
    sql_errors: list[SqlStatement]
    sql_exceptions: list[SqlStatement]
    escalation_errors: list[EscRun]
    escalation_exceptions: list[EscRun]


class ThreadsSection(BaseModel):
    api: list[ThreadStat]
    sql: list[ThreadStat]


class QueuedCallsSection(BaseModel):
    queued_api_calls: list[ApiCall]


class DelayedEscalationsSection(BaseModel):
    delayed: list[DelayedEscalation]


class LoggingActivitySection(BaseModel):
    activity: list[TypeActivity]


class FileMetadataSection(BaseModel):
    files: list[InputFile]
