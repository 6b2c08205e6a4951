"""Joining parsed byte ranges, in order, into the result of one pass over the whole input.

Each range was parsed knowing nothing of the ranges before it; its summary says exactly what it
could not decide. :class:`Joiner` carries the state one pass would have had at each boundary
(open calls, statements, checks and runs; each thread's last time; whether SQL/FLTR was seen),
resolves the range's edges against it, and emits the rows that cross boundaries — so every event
appears exactly once, whatever the split. :meth:`Joiner.finish` reports what stayed open at the end
(the analyzer's exceptions) and the final gap boards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from remedyiq_arlog import api, escl, fltr, sql
from remedyiq_arlog.gaps import Candidate, GapBoard
from remedyiq_arlog.phrases import escalation_pool
from remedyiq_arlog.records import Record
from remedyiq_arlog.rows import Row
from remedyiq_arlog.schema import COLUMN_INDEX, LINE_GAP
from remedyiq_arlog.summary import ParseStats, RangeSummary

_TS = COLUMN_INDEX["timestamp"]
_THREAD = COLUMN_INDEX["thread_id"]


@dataclass(slots=True)
class JoinResult:
    """Everything about the input that is not a row."""

    stats: ParseStats
    legend: dict[str, str]
    filter_language: str | None
    locale: str | None
    iso_timestamps: bool
    server_versions: list[str]
    line_gaps: list[Candidate]
    thread_gaps: list[Candidate]


@dataclass(slots=True)
class Joiner:
    gap_candidates: int = 1000
    stats: ParseStats = field(default_factory=ParseStats)
    api_open: dict[str, list[api.OpenCall]] = field(default_factory=dict)
    sql_open: dict[str, Record | None] = field(default_factory=dict)
    fltr_open: dict[str, fltr.OpenCheck | None] = field(default_factory=dict)
    escl_open: dict[str, escl.OpenRun | None] = field(default_factory=dict)
    thread_ts: dict[str, int] = field(default_factory=dict)
    line_ts: int | None = None
    first_file_ts: int | None = None
    seen_sql_fltr: bool = False
    legend: dict[str, str] = field(default_factory=dict)
    filter_language: str | None = None
    locale: str | None = None
    iso_timestamps: bool = False
    server_versions: list[str] = field(default_factory=list)
    line_gaps: GapBoard | None = None
    thread_gaps: GapBoard | None = None

    def add(self, summary: RangeSummary) -> list[Row]:
        """Join the next range (ranges must come in input order); returns boundary rows."""
        if self.line_gaps is None or self.thread_gaps is None:
            self.line_gaps = GapBoard(self.gap_candidates)
            self.thread_gaps = GapBoard(self.gap_candidates)
        rows: list[Row] = []
        folder = summary.folder
        fallback = self.stats.last_ts if self.stats.last_ts is not None else summary.stats.first_ts

        def emit(row: Row) -> None:
            if row[_TS] is None:  # a record whose time only an earlier range knows
                ts = self.thread_ts.get(folder + row[_THREAD], fallback)
                row = (*row[:_TS], ts if ts is not None else 0, *row[_TS + 1 :])
            rows.append(row)

        for row in summary.deferred_rows:
            emit(row)
        self._join_api(summary, emit)
        self._join_sql(summary, emit)
        self._join_fltr(summary, emit)
        self._join_escl(summary, emit)
        self._join_gaps(summary)
        self.thread_ts.update(summary.thread_last_ts)
        self.seen_sql_fltr = self.seen_sql_fltr or summary.saw_sql_fltr
        self.stats.add(summary.stats)
        for abbr, name in summary.legend.items():
            self.legend.setdefault(abbr, name)
        self.filter_language = self.filter_language or summary.filter_language
        self.locale = self.locale or summary.locale
        self.iso_timestamps = self.iso_timestamps or summary.iso_timestamps
        for version in summary.server_versions:
            if version not in self.server_versions:
                self.server_versions.append(version)
        return rows

    def _join_api(self, summary: RangeSummary, emit: Callable[[Row], None]) -> None:
        for key, ends in summary.api.unresolved.items():
            stack = self.api_open.get(key, [])
            for end in ends:
                call = api.close_matching(stack, api.end_status(end.details)[0], end.rpc_id)
                emit(api.orphan_end_row(end) if call is None else api.call_row(call, end))
        for key, opened in summary.api.open.items():
            if opened:
                self.api_open.setdefault(key, []).extend(opened)

    def _join_sql(self, summary: RangeSummary, emit: Callable[[Row], None]) -> None:
        for key, head in summary.sql.heads.items():
            sql.resolve(self.sql_open.get(key), head, emit)
        self.sql_open.update(summary.sql.open)

    def _join_fltr(self, summary: RangeSummary, emit: Callable[[Row], None]) -> None:
        for key, head in summary.fltr.heads.items():
            self.fltr_open[key] = fltr.resolve(self.fltr_open.get(key), head, emit)
        self.fltr_open.update(summary.fltr.open)

    def _join_escl(self, summary: RangeSummary, emit: Callable[[Row], None]) -> None:
        for key, head in summary.escl.heads.items():
            pool = escalation_pool(head.first.user if head.first else head.errors[0].user)
            remaining, reconstructed = escl.resolve(self.escl_open.get(key), head, pool, emit)
            self.escl_open[key] = remaining
            if reconstructed and head.first is not None:
                summary.line_gaps.mark_starts(head.first.file_number, head.first.line)
                summary.thread_gaps.mark_starts(head.first.file_number, head.first.line)
        self.escl_open.update(summary.escl.open)

    def _join_gaps(self, summary: RangeSummary) -> None:
        assert self.line_gaps is not None
        assert self.thread_gaps is not None
        if summary.file_start:
            self.line_ts = None
        seed = summary.first_line_gap
        if seed is not None:
            ts = seed[6]
            gap = ts - self.line_ts if self.line_ts is not None and ts > self.line_ts else 0
            self.line_gaps.offer((*seed[:1], gap, *seed[2:]))
        if summary.last_line_ts is not None:
            self.line_ts = summary.last_line_ts
        for waiting in summary.gap_seeds:
            if waiting.conditional and not self.seen_sql_fltr:
                continue
            previous = self.thread_ts.get(waiting.key)
            item = waiting.item
            if waiting.fill_time:
                item = (*item[:6], previous, *item[7:])
            gap = waiting.gap
            if gap is None:
                ts = item[6]
                gap = ts - previous if previous is not None and ts > previous else 0
            board = self.line_gaps if item[0] == LINE_GAP else self.thread_gaps
            board.offer((item[0], gap, *item[2:]))
        self.line_gaps.merge(summary.line_gaps)
        self.thread_gaps.merge(summary.thread_gaps)

    def finish(self) -> tuple[list[Row], JoinResult]:
        """Rows for what stayed open at the end of the input, and the non-row results."""
        rows: list[Row] = []
        for stack in self.api_open.values():
            rows.extend(api.open_call_row(call) for call in stack)
        for statement in self.sql_open.values():
            if statement is not None:
                rows.append(sql.open_statement_row(statement))
        for check in self.fltr_open.values():
            if check is not None:
                rows.append(fltr.check_row(check, None))
        for run in self.escl_open.values():
            if run is not None:
                rows.append(escl.run_row(run, None))
        line_gaps = self.line_gaps.items() if self.line_gaps else []
        thread_gaps = self.thread_gaps.items() if self.thread_gaps else []
        return rows, JoinResult(
            stats=self.stats,
            legend=self.legend,
            filter_language=self.filter_language,
            locale=self.locale,
            iso_timestamps=self.iso_timestamps,
            server_versions=self.server_versions,
            line_gaps=line_gaps,
            thread_gaps=thread_gaps,
        )
