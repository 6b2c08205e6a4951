"""The one registry of NATS subjects and JetStream streams (the contract between services).

Every subject carries the tenant as its second token (``jobs.{tenant}.submit``); every message
also carries it in the :data:`TENANT_HEADER` header, and consumers check that the two agree (and
match the body's ``tenant_id``) before doing anything. Nobody writes a subject string by hand:
use :func:`subject` to publish and :func:`wildcard` to subscribe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from uuid import UUID

TENANT_HEADER: Final = "RemedyIQ-Tenant"
MESSAGE_HEADER: Final = "RemedyIQ-Message"  # contract name and version, e.g. "SubmitJob.v1"
_TOKEN: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_PAYLOAD: Final = 8 * 1024 * 1024  # the NATS server's max_payload must be at least this


class Retention(StrEnum):
    LIMITS = "limits"
    WORK_QUEUE = "workqueue"


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    retention: Retention
    max_age_s: int
    max_msg_size: int
    description: str


@dataclass(frozen=True, slots=True)
class SubjectSpec:
    key: str
    pattern: str  # with "{tenant}" (and "{log_type}") placeholders
    stream: str
    message: str  # contract name in remedyiq_platform.contracts.messages (versioned)
    body: str  # "json" or "arrow" (Arrow IPC stream, metadata in headers)
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    description: str


STREAMS: Final[dict[str, StreamSpec]] = {
    spec.name: spec
    for spec in (
        StreamSpec(
            "JOBS",
            (
                "jobs.*.submit",
                "jobs.*.progress",
                "jobs.*.complete",
                "jobs.*.parsed",
                "jobs.*.stored",
                "jobs.*.cancel",
            ),
            Retention.LIMITS,
            7 * 86_400,
            1024 * 1024,
            "Job lifecycle and coordination events (kept a week for replay and audit)",
        ),
        StreamSpec(
            "JOBS_RANGES",
            ("jobs.*.range",),
            Retention.WORK_QUEUE,
            7 * 86_400,
            1024 * 1024,
            "Byte ranges to parse: a work queue shared by the parser replicas",
        ),
        StreamSpec(
            "JOBS_ENTRIES",
            ("jobs.*.entries",),
            Retention.WORK_QUEUE,
            2 * 86_400,
            MAX_PAYLOAD,
            "Parsed entry batches (Arrow IPC): a work queue shared by the writer replicas",
        ),
        StreamSpec(
            "LOGS",
            ("logs.*.tail.*",),
            Retention.LIMITS,
            86_400,
            1024 * 1024,
            "Live log lines per tenant and log type (tail service, other systems)",
        ),
        StreamSpec(
            "DLQ",
            ("jobs.*.dlq", "logs.*.dlq"),
            Retention.LIMITS,
            30 * 86_400,
            MAX_PAYLOAD,
            "Poison messages with the reason, after bounded retries",
        ),
    )
}

SUBJECTS: Final[dict[str, SubjectSpec]] = {
    spec.key: spec
    for spec in (
        SubjectSpec(
            "jobs.submit",
            "jobs.{tenant}.submit",
            "JOBS",
            "SubmitJob.v1",
            "json",
            ("gateway", "cli", "other systems"),
            ("ingest",),
            "A file already in object storage is to be analysed with these options",
        ),
        SubjectSpec(
            "jobs.progress",
            "jobs.{tenant}.progress",
            "JOBS",
            "JobProgress.v1",
            "json",
            ("ingest", "parser"),
            ("gateway", "cli"),
            "Status and percentage of a job",
        ),
        SubjectSpec(
            "jobs.complete",
            "jobs.{tenant}.complete",
            "JOBS",
            "JobComplete.v1",
            "json",
            ("ingest",),
            ("gateway", "cli", "anyone"),
            "Final status, counts and where the durable results are",
        ),
        SubjectSpec(
            "jobs.cancel",
            "jobs.{tenant}.cancel",
            "JOBS",
            "CancelJob.v1",
            "json",
            ("gateway", "cli"),
            ("ingest",),
            "Stop a job: no new work is started and it ends as cancelled",
        ),
        SubjectSpec(
            "jobs.range",
            "jobs.{tenant}.range",
            "JOBS_RANGES",
            "ParseRange.v1",
            "json",
            ("ingest",),
            ("parser",),
            "One byte range (or one merged stream) of a job's input to parse",
        ),
        SubjectSpec(
            "jobs.parsed",
            "jobs.{tenant}.parsed",
            "JOBS",
            "RangeParsed.v1",
            "json",
            ("parser",),
            ("ingest",),
            "A range is parsed: its batches are published and its summary is stored",
        ),
        SubjectSpec(
            "jobs.entries",
            "jobs.{tenant}.entries",
            "JOBS_ENTRIES",
            "EntryBatch.v1",
            "arrow",
            ("parser", "ingest"),
            ("writer",),
            "A batch of log_entries or log_gaps rows (Arrow IPC body, EntryBatch headers)",
        ),
        SubjectSpec(
            "jobs.stored",
            "jobs.{tenant}.stored",
            "JOBS",
            "BatchStored.v1",
            "json",
            ("writer",),
            ("ingest",),
            "A batch is in ClickHouse (published after the insert)",
        ),
        SubjectSpec(
            "jobs.dlq",
            "jobs.{tenant}.dlq",
            "DLQ",
            "DeadLetter.v1",
            "json",
            ("ingest", "parser", "writer"),
            ("operators",),
            "A job message that could not be processed, with the reason",
        ),
        SubjectSpec(
            "logs.tail",
            "logs.{tenant}.tail.{log_type}",
            "LOGS",
            "TailLines.v1",
            "json",
            ("tail", "other systems"),
            ("writer", "gateway"),
            "Live log lines of one source; the writer stores them in the tenant's live job",
        ),
        SubjectSpec(
            "logs.dlq",
            "logs.{tenant}.dlq",
            "DLQ",
            "DeadLetter.v1",
            "json",
            ("writer",),
            ("operators",),
            "A live-log message that could not be processed, with the reason",
        ),
    )
}


class SubjectError(ValueError):
    """A subject or tenant token that does not follow the contract."""


def check_token(value: str, what: str = "tenant") -> str:
    if not _TOKEN.match(value):
        raise SubjectError(f"invalid {what} token {value!r} (letters, digits, '-', '_')")
    return value


def subject(key: str, tenant: str | UUID, **tokens: str) -> str:
    """The concrete subject to publish to, e.g. ``subject("jobs.submit", tenant_id)``."""
    spec = SUBJECTS[key]
    values = {"tenant": check_token(str(tenant))}
    for name, value in tokens.items():
        values[name] = check_token(value, name)
    return spec.pattern.format(**values)


def wildcard(key: str) -> str:
    """The subscription pattern for all tenants, e.g. ``jobs.*.submit``."""
    spec = SUBJECTS[key]
    return re.sub(r"\{[a-z_]+\}", "*", spec.pattern)


def tenant_of(subject_name: str) -> str:
    """The tenant token of a concrete subject (its second token)."""
    parts = subject_name.split(".")
    if len(parts) < 3:
        raise SubjectError(f"subject {subject_name!r} carries no tenant")
    return check_token(parts[1])
