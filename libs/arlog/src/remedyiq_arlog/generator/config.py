"""Generator configuration: what kind of AR System log to write and which anomalies to put in."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

LogFormat = Literal["trid", "legacy"]
TimestampStyle = Literal["classic", "classic4", "iso"]
DbDialect = Literal["mssql", "oracle"]
LineEnding = Literal["lf", "crlf"]
Locale = Literal["en", "de", "fr", "de-cldr"]

LOG_FORMATS: tuple[LogFormat, ...] = ("trid", "legacy")
TIMESTAMP_STYLES: tuple[TimestampStyle, ...] = ("classic", "classic4", "iso")
DB_DIALECTS: tuple[DbDialect, ...] = ("mssql", "oracle")
LOCALES: tuple[Locale, ...] = ("en", "de", "fr", "de-cldr")

DEFAULT_START = datetime(2025, 11, 24, 14, 0, 0)
DEFAULT_LINES = 10_000


class AnomalyKind(enum.StrEnum):
    """One kind of irregularity the generator can put into a log (each in a bounded amount)."""

    SLOW_CALLS = "slow_calls"  # SQL statements / API calls taking seconds
    API_ERRORS = "api_errors"  # -ABBR FAIL -- AR Error(N) …
    SQL_ERRORS = "sql_errors"  # *** ERROR *** / ARException + ROLLBACK, API fails with ARERR 552
    LINE_GAPS = "line_gaps"  # server-wide silent windows of seconds (all threads frozen)
    THREAD_GAPS = "thread_gaps"  # a Fast thread blocks inside filter processing
    QUEUED_CALLS = "queued_calls"  # // :q:N.NNNs > 0
    ORPHANS_AT_START = "orphans_at_start"  # log starts in the middle of calls (end lines w/o start)
    OPEN_AT_END = "open_at_end"  # calls/statements/escalations still running when the log ends
    TRUNCATED_LAST_LINE = "truncated_last_line"  # last line cut mid-line, no trailing newline
    MALFORMED_LINES = "malformed_lines"  # a line starting with '<' whose header is cut short
    MULTILINE_SQL = "multiline_sql"  # SQL literal with newlines -> headerless continuation lines
    NON_ASCII = "non_ascii"  # UTF-8 user and form names
    DELAYED_ESCALATIONS = "delayed_escalations"  # fired > 5 s after the scheduled time
    FAILING_ESCALATIONS = "failing_escalations"  # "Error while performing escalation action"
    UNTIMED_FILTER_ACTIONS = "untimed_filter_actions"  # 9.1 style: action lines without /* ts */
    INVALID_BYTES = "invalid_bytes"  # a few non-UTF-8 bytes inside a user name (not in "all")


#: What ``all`` means: every kind except the one that makes the file invalid UTF-8.
ALL_ANOMALIES: frozenset[AnomalyKind] = frozenset(AnomalyKind) - {AnomalyKind.INVALID_BYTES}


def parse_anomalies(spec: str) -> frozenset[AnomalyKind]:
    """Parse ``all`` | ``none`` | ``kind,kind,…`` (``all,invalid_bytes`` adds to ``all``)."""
    kinds: set[AnomalyKind] = set()
    for raw in spec.split(","):
        name = raw.strip().lower().replace("-", "_")
        if not name or name == "none":
            continue
        if name == "all":
            kinds |= ALL_ANOMALIES
            continue
        try:
            kinds.add(AnomalyKind(name))
        except ValueError:
            known = ", ".join(k.value for k in AnomalyKind)
            raise ValueError(f"unknown anomaly kind {raw!r} (known: all, none, {known})") from None
    return frozenset(kinds)


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "m": 10**6,
    "mb": 10**6,
    "g": 10**9,
    "gb": 10**9,
    "t": 10**12,
    "tb": 10**12,
    "ki": 2**10,
    "kib": 2**10,
    "mi": 2**20,
    "mib": 2**20,
    "gi": 2**30,
    "gib": 2**30,
}


def parse_size(text: str) -> int:
    """``100MB`` → 100_000_000 (decimal units); ``1GiB`` → 2**30; a bare number is bytes."""
    m = _SIZE_RE.match(text)
    if m is None or m.group(2).lower() not in _SIZE_UNITS:
        raise ValueError(f"not a size: {text!r} (examples: 500kB, 100MB, 1GB, 64MiB)")
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    """What to generate. Exactly one of ``target_bytes`` / ``target_lines`` drives the length.

    The log is written until the target is reached, then every thread finishes the call it is in
    (a few more lines), except the threads chosen for the ``open_at_end`` anomaly. Without a
    target, ``DEFAULT_LINES`` lines are written.
    """

    seed: int = 1
    target_bytes: int | None = None
    target_lines: int | None = None
    log_format: LogFormat = "trid"
    timestamps: TimestampStyle = "classic"
    locale: Locale = "en"
    db: DbDialect = "mssql"
    anomalies: frozenset[AnomalyKind] = field(default_factory=lambda: ALL_ANOMALIES)
    start: datetime = DEFAULT_START  # naive = UTC (the reference analyzer's epoch is UTC)
    line_ending: LineEnding = "lf"

    def __post_init__(self) -> None:
        if self.target_bytes is not None and self.target_lines is not None:
            raise ValueError("give target_bytes or target_lines, not both")
        if self.target_bytes is not None and self.target_bytes <= 0:
            raise ValueError("target_bytes must be positive")
        if self.target_lines is not None and self.target_lines <= 0:
            raise ValueError("target_lines must be positive")
        for name, value, allowed in (
            ("log_format", self.log_format, LOG_FORMATS),
            ("timestamps", self.timestamps, TIMESTAMP_STYLES),
            ("locale", self.locale, LOCALES),
            ("db", self.db, DB_DIALECTS),
            ("line_ending", self.line_ending, ("lf", "crlf")),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {value!r}")
        if self.start.tzinfo is not None:
            raise ValueError("start must be a naive datetime (interpreted as UTC)")

    def has(self, kind: AnomalyKind) -> bool:
        return kind in self.anomalies

    @property
    def ar_version(self) -> str:
        """The server build written in the ``Trace Log -- ON`` lines (matches the header style)."""
        if self.log_format == "legacy":
            return "9.1.10.002 202010021144"
        if self.timestamps == "iso":
            return "25.3.00 202507011200"
        if self.timestamps == "classic4":
            return "23.3.00 202310101200"
        return "20.02.00 202002141200"

    @property
    def protocol(self) -> int:
        """Client API protocol number on API begin lines (26 in 9.1, 28 in 20.x, 29 in 23.x+)."""
        if self.log_format == "legacy":
            return 26
        return 28 if self.timestamps == "classic" else 29

    def describe(self) -> dict[str, object]:
        """JSON-able echo of the configuration (goes into the truth file as ``meta``)."""
        return {
            "seed": self.seed,
            "target_bytes": self.target_bytes,
            "target_lines": self.target_lines,
            "format": self.log_format,
            "timestamps": self.timestamps,
            "locale": self.locale,
            "db": self.db,
            "anomalies": sorted(k.value for k in self.anomalies),
            "start": self.start.isoformat(),
            "line_ending": self.line_ending,
            "ar_version": self.ar_version,
        }
