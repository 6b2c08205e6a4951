"""Message contracts (pydantic v2): closed models, versioned names, a ``kind`` discriminator.

The registry in :mod:`subjects` says which contract travels on which subject; :data:`CONTRACTS`
maps contract names to models (for validation and the JSON Schema / AsyncAPI export in
``proto/``). Entry batches travel as Arrow IPC bytes; their metadata is
:class:`EntryBatchHeaders`, carried in NATS headers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from remedyiq_analysis.report import AnalysisOptions


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobStatus(StrEnum):
    QUEUED = "queued"
    PARSING = "parsing"
    STORING = "storing"
    ANALYZING = "analyzing"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATUSES: Final = frozenset({JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.CANCELLED})


class FileRef(Contract):
    """A log already in object storage (a plain log, a .gz, or a .zip of logs)."""

    bucket: str = Field(min_length=3, max_length=63)
    key: str = Field(min_length=1, max_length=1024)
    filename: str = Field(min_length=1, max_length=255)
    file_id: UUID | None = None
    size_bytes: int | None = Field(None, ge=0)
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")


class SubmitJob(Contract):
    """``jobs.{tenant}.submit`` — analyse a file (idempotent on ``job_id``)."""

    kind: Literal["submit"] = "submit"
    job_id: UUID
    tenant_id: UUID
    file: FileRef
    options: AnalysisOptions = Field(default_factory=AnalysisOptions)
    requested_by: str | None = Field(None, max_length=255)
    requested_at: datetime


class JobCounts(Contract):
    total_lines: int = 0
    api_count: int = 0
    sql_count: int = 0
    filter_count: int = 0
    esc_count: int = 0
    rows_stored: int = 0


class JobProgress(Contract):
    """``jobs.{tenant}.progress`` — where a job is."""

    kind: Literal["progress"] = "progress"
    job_id: UUID
    tenant_id: UUID
    status: JobStatus
    progress_pct: int = Field(ge=0, le=100)
    stage: str = ""
    bytes_total: int = 0
    bytes_parsed: int = 0
    ranges_total: int = 0
    ranges_parsed: int = 0
    rows_stored: int = 0
    message: str | None = None
    at: datetime


class JobComplete(Contract):
    """``jobs.{tenant}.complete`` — the final word on a job."""

    kind: Literal["complete"] = "complete"
    job_id: UUID
    tenant_id: UUID
    status: Literal["complete", "failed", "cancelled"]
    error_message: str | None = None
    counts: JobCounts = Field(default_factory=JobCounts)
    log_start: datetime | None = None
    log_end: datetime | None = None
    results: str | None = Field(
        None, description="where the durable results are (postgres table analysis_results)"
    )
    duration_s: float = 0.0
    at: datetime


class CancelJob(Contract):
    """``jobs.{tenant}.cancel``."""

    kind: Literal["cancel"] = "cancel"
    job_id: UUID
    tenant_id: UUID
    reason: str = Field("cancelled by the user", max_length=500)


class ParseRange(Contract):
    """``jobs.{tenant}.range`` — one unit of parser work.

    ``mode="range"``: bytes ``[start, end)`` of a plain file, starting at a record boundary on
    line ``first_line``. ``mode="stream"``: the whole object (compressed, or several members to
    merge in time order) as one stream.
    """

    kind: Literal["range"] = "range"
    job_id: UUID
    tenant_id: UUID
    range_index: int = Field(ge=0)
    ranges_total: int = Field(ge=1)
    file: FileRef
    mode: Literal["range", "stream"]
    start: int = Field(0, ge=0)
    end: int = Field(0, ge=0)
    first_line: int = Field(1, ge=1)
    options: AnalysisOptions
    batch_rows: int = Field(20_000, ge=100, le=200_000)
    retention_days: int = Field(90, ge=1, le=3650)


class RangeParsed(Contract):
    """``jobs.{tenant}.parsed`` — all batches of a range are published; its summary is stored."""

    kind: Literal["parsed"] = "parsed"
    job_id: UUID
    tenant_id: UUID
    range_index: int = Field(ge=0)
    batches: int = Field(ge=0)
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    summary_key: str | None = None
    error: str | None = Field(None, description="why the range could not be parsed")


class EntryBatchHeaders(Contract):
    """NATS headers of ``jobs.{tenant}.entries``.

    The body is an Arrow IPC stream of the table's rows with the key columns ``tenant_id,
    job_id, batch_id, retention_days`` equal to these headers (``remedyiq_analysis.batchbody``):
    the writer checks them and inserts the stream as it is.
    """

    job_id: UUID
    tenant_id: UUID
    batch_id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,80}$")
    table: Literal["log_entries", "log_gaps"]
    rows: int = Field(ge=0)
    retention_days: int = Field(90, ge=1, le=3650)
    final: bool = Field(
        False,
        description="the job's last batch (all others were published before it): the writer "
        "stores what waits at once instead of waiting for more",
    )


class BatchStored(Contract):
    """``jobs.{tenant}.stored`` — a batch is in ClickHouse, or (``error``) never will be."""

    kind: Literal["stored"] = "stored"
    job_id: UUID
    tenant_id: UUID
    batch_id: str
    table: Literal["log_entries", "log_gaps"]
    rows: int = Field(ge=0)
    error: str | None = Field(
        None, description="why the batch could not be stored (it was dead-lettered; the job fails)"
    )


class TailLine(Contract):
    line_number: int = Field(ge=1)
    byte_offset: int = Field(ge=0)
    text: str = Field(max_length=1_048_576)


class TailLines(Contract):
    """``logs.{tenant}.tail.{log_type}`` — consecutive lines of one live source."""

    kind: Literal["tail"] = "tail"
    tenant_id: UUID
    source: str = Field(pattern=r"^[A-Za-z0-9_.:/@-]{1,200}$")
    seq: int = Field(ge=0, description="per source, increasing; (source, seq) is the identity")
    lines: list[TailLine] = Field(min_length=1, max_length=10_000)
    sent_at: datetime


class DeadLetter(Contract):
    """``jobs.{tenant}.dlq`` / ``logs.{tenant}.dlq``."""

    kind: Literal["dead_letter"] = "dead_letter"
    original_subject: str
    stream: str
    consumer: str
    reason: str
    attempts: int
    headers: dict[str, str] = Field(default_factory=dict)
    body_b64: str
    at: datetime


CONTRACTS: Final[dict[str, type[Contract]]] = {
    "SubmitJob.v1": SubmitJob,
    "JobProgress.v1": JobProgress,
    "JobComplete.v1": JobComplete,
    "CancelJob.v1": CancelJob,
    "ParseRange.v1": ParseRange,
    "RangeParsed.v1": RangeParsed,
    "EntryBatch.v1": EntryBatchHeaders,
    "BatchStored.v1": BatchStored,
    "TailLines.v1": TailLines,
    "DeadLetter.v1": DeadLetter,
}
