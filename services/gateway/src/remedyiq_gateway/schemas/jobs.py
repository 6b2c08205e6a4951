"""Analysis jobs: the MVP ``AnalysisJob`` / ``AnalysisJobCreate`` plus progress and options."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from remedyiq_analysis.report import AnalysisOptions, LogTypeName
from remedyiq_gateway.schemas.common import Pagination

JobStatusName = Literal[
    "queued", "parsing", "storing", "analyzing", "complete", "failed", "cancelled"
]


class JarFlags(BaseModel):
    """The MVP's analyzer flags (named after the reference analyzer's command line)."""

    model_config = ConfigDict(extra="forbid")

    top_n: int = Field(50, ge=1, le=10_000)
    group_by: list[Literal["USER", "QUEUE", "user", "queue"]] = Field(default_factory=list)
    sort_by: Literal["AVG", "COUNT", "MAX", "MIN", "SUM"] = "AVG"
    user_filter: str | None = Field(None, max_length=255)
    exclude_users: list[str] = Field(default_factory=list, max_length=1000)
    begin_time: str | None = Field(None, max_length=64, description="ISO-8601")
    end_time: str | None = Field(None, max_length=64, description="ISO-8601")
    locale: str | None = Field(None, max_length=16)
    date_format: str | None = Field(
        None, max_length=64, description="accepted for compatibility; formats are detected"
    )
    skip_api: bool = False
    skip_sql: bool = False
    skip_esc: bool = False
    skip_fltr: bool = False
    include_fts: bool = False

    def to_options(self) -> AnalysisOptions:
        skipped = {
            "API": self.skip_api,
            "SQL": self.skip_sql,
            "ESCL": self.skip_esc,
            "FLTR": self.skip_fltr,
        }
        types: list[LogTypeName] = [t for t in ("API", "SQL", "FLTR", "ESCL") if not skipped[t]]
        wanted = {g.lower() for g in self.group_by}
        group_by: list[Literal["user", "queue"]] = [g for g in ("user", "queue") if g in wanted]
        return AnalysisOptions(
            top_n=self.top_n,
            group_by=group_by,
            sort=self.sort_by,
            begin=self.begin_time,
            end=self.end_time,
            users=[self.user_filter] if self.user_filter else [],
            exclude_users=self.exclude_users,
            types=types,
            fts=self.include_fts,
            locale=self.locale,
        )


class AnalysisJobCreate(BaseModel):
    """Start an analysis of an uploaded file: MVP ``jar_flags`` or the full ``options``."""

    model_config = ConfigDict(extra="forbid")

    file_id: UUID
    jar_flags: JarFlags | None = None
    options: AnalysisOptions | None = Field(
        None, description="the analyzer options (wins over jar_flags when both are given)"
    )


class AnalysisJobOut(BaseModel):
    """A job (MVP ``AnalysisJob`` fields first), with its live progress merged in."""

    id: UUID
    file_id: UUID
    status: JobStatusName
    progress_pct: int = Field(ge=0, le=100)
    api_count: int | None
    sql_count: int | None
    filter_count: int | None
    esc_count: int | None
    log_start: datetime | None
    log_end: datetime | None
    log_duration: str | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    started_at: datetime | None
    total_lines: int | None
    bytes_total: int | None
    bytes_parsed: int
    rows_stored: int
    filename: str | None
    jar_flags: dict[str, Any]
    created_by: str | None
    updated_at: datetime


class JobList(BaseModel):
    jobs: list[AnalysisJobOut]
    pagination: Pagination


class JobStatusOut(BaseModel):
    """The cheap polling view: status and progress (Redis first, PostgreSQL otherwise)."""

    job_id: UUID
    status: JobStatusName
    progress_pct: int
    counts: dict[str, int]
    error_message: str | None
    updated_at: datetime
    source: Literal["cache", "database"]
