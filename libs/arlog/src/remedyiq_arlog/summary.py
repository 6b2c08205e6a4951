"""What parsing one byte range produces besides its rows: statistics and the range's edges.

A :class:`RangeSummary` holds everything a range could not decide alone — calls, statements,
checks and runs left open at its end, records at its start that may continue work begun earlier,
gap seeds that need the time of an earlier record — plus its statistics and gap boards.
:mod:`remedyiq_arlog.join` combines summaries in range order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from remedyiq_arlog.api import ApiState
from remedyiq_arlog.escl import EsclState
from remedyiq_arlog.fltr import FltrState
from remedyiq_arlog.gaps import Candidate, GapBoard
from remedyiq_arlog.rows import Row
from remedyiq_arlog.sql import SqlState


@dataclass(slots=True)
class ParseStats:
    """Counts over a range (summed when ranges are joined)."""

    bytes: int = 0
    physical_lines: int = 0
    records: int = 0  # header records counted in the reference's Total Lines
    records_per_type: dict[str, int] = field(default_factory=dict)  # analysed records
    ignored_records: int = 0  # other types, FTS, outside -b/-e (counted, not analysed)
    filtered_records: int = 0  # removed by -u/-nu/-c/-noapi… (not counted at all)
    continuation_lines: int = 0
    stray_lines: int = 0  # headerless lines with no record before them
    malformed_lines: int = 0
    cut_lines: int = 0
    bad_timestamps: int = 0
    first_ts: int | None = None  # analysed records
    last_ts: int | None = None
    type_first_ts: dict[str, int] = field(default_factory=dict)  # every record type (coverage)
    type_last_ts: dict[str, int] = field(default_factory=dict)

    def add(self, other: ParseStats) -> None:
        self.bytes += other.bytes
        self.physical_lines += other.physical_lines
        self.records += other.records
        for name, count in other.records_per_type.items():
            self.records_per_type[name] = self.records_per_type.get(name, 0) + count
        self.ignored_records += other.ignored_records
        self.filtered_records += other.filtered_records
        self.continuation_lines += other.continuation_lines
        self.stray_lines += other.stray_lines
        self.malformed_lines += other.malformed_lines
        self.cut_lines += other.cut_lines
        self.bad_timestamps += other.bad_timestamps
        self.first_ts = _pick(min, self.first_ts, other.first_ts)
        self.last_ts = _pick(max, self.last_ts, other.last_ts)
        for name, ts in other.type_first_ts.items():
            self.type_first_ts[name] = min(ts, self.type_first_ts.get(name, ts))
        for name, ts in other.type_last_ts.items():
            self.type_last_ts[name] = max(ts, self.type_last_ts.get(name, ts))


def _pick(fn: Callable[[int, int], int], a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return fn(a, b)


@dataclass(slots=True)
class GapSeed:
    """A gap candidate waiting for an earlier range.

    ``gap`` is ``None`` when the record is its thread's first timestamped record in the range
    (a thread gap needs the thread's last time before the range); ``conditional`` when it is an
    API end line seen before any SQL/FLTR record in the range (it counts only if an earlier range
    had one); ``fill_time`` when the record has no time of its own and its thread had none yet in
    the range (it sorts by the thread's last time, which only an earlier range knows).
    """

    key: str
    gap: int | None
    conditional: bool
    fill_time: bool
    item: Candidate


@dataclass(slots=True)
class RangeSummary:
    file_number: int
    start: int  # byte offset of the range in its file
    file_start: bool  # the range begins its file (line gaps restart there)
    folder: str = ""  # thread keys are folder + TID: folders are different servers
    stats: ParseStats = field(default_factory=ParseStats)
    api: ApiState = field(default_factory=ApiState)
    sql: SqlState = field(default_factory=SqlState)
    fltr: FltrState = field(default_factory=FltrState)
    escl: EsclState = field(default_factory=EsclState)
    legend: dict[str, str] = field(default_factory=dict)
    filter_language: str | None = None
    locale: str | None = None
    iso_timestamps: bool = False
    server_versions: list[str] = field(default_factory=list)
    saw_sql_fltr: bool = False
    first_line_gap: Candidate | None = None  # first timestamped analysed record (gap unknown)
    last_line_ts: int | None = None
    thread_last_ts: dict[str, int] = field(default_factory=dict)
    gap_seeds: list[GapSeed] = field(default_factory=list)
    deferred_rows: list[Row] = field(default_factory=list)  # rows whose time is unknown
    line_gaps: GapBoard = field(default_factory=lambda: GapBoard(1000))
    thread_gaps: GapBoard = field(default_factory=lambda: GapBoard(1000))
