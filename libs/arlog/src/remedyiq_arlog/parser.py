"""Parsing one byte range of a log into rows — the hot loop.

:class:`RangeParser` reads physical lines, groups each header record with its continuation lines,
applies the record filters, and hands each analysed record to its type's machine; it yields rows
as it goes (memory stays flat) and leaves a :class:`~remedyiq_arlog.summary.RangeSummary` that
:mod:`remedyiq_arlog.join` uses to finish what crosses range boundaries.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from remedyiq_arlog.api import ApiMachine
from remedyiq_arlog.escl import EsclMachine
from remedyiq_arlog.fltr import FltrMachine
from remedyiq_arlog.gaps import GapBoard, candidate
from remedyiq_arlog.options import ParseOptions
from remedyiq_arlog.phrases import SQL_FAIL_WORD, SQL_OK_WORD, SQL_START_WORD, sql_word_class
from remedyiq_arlog.records import Record, read_header
from remedyiq_arlog.rows import Row, entry
from remedyiq_arlog.schema import LINE_GAP, THREAD_GAP, TYPE_TAGS, Kind, LogType
from remedyiq_arlog.sql import SqlMachine
from remedyiq_arlog.summary import RangeSummary, ThreadGapSeed
from remedyiq_arlog.timestamps import TimestampError, TimestampParser

_GAP_QUEUES = frozenset({"Fast", "List"})
_TS_COLUMN = 7


class RangeParser:
    """Parses the lines of one range; iterate :meth:`rows`, then read :attr:`summary`."""

    def __init__(
        self,
        options: ParseOptions,
        *,
        file_number: int,
        start: int,
        folder: str = "",
        timestamps: TimestampParser | None = None,
        folders: dict[int, str] | None = None,
    ) -> None:
        self.options = options
        self.folder = folder
        # thread ids are per folder (each folder is a server); merged inputs map file -> folder
        self._folders = folders or {file_number: folder}
        self.file_number = file_number
        self.summary = RangeSummary(
            file_number=file_number, start=start, file_start=start == 0, folder=folder
        )
        self.summary.line_gaps = GapBoard(options.gap_candidates)
        self.summary.thread_gaps = GapBoard(options.gap_candidates)
        self.timestamps = timestamps or TimestampParser(options.locale)
        self._out: deque[Row] = deque()
        self._line_ts: dict[int, int] = {}  # line gaps run per file, in file order
        self.api = ApiMachine(self._emit)
        self.sql = SqlMachine(self._emit)
        self.fltr = FltrMachine(self._emit)
        self.escl = EsclMachine(self._emit)

    # -- output ---------------------------------------------------------------------------------
    def _emit(self, row: Row) -> None:
        if row[_TS_COLUMN] is None:
            self.summary.deferred_rows.append(row)
        else:
            self._out.append(row)

    def rows(self, lines: Iterable[tuple[int, int, int, str]]) -> Iterator[Row]:
        """Rows of ``(file_number, line_number, byte_offset, text)`` lines, in roughly input
        order; the summary is complete when this ends."""
        out = self._out
        stats = self.summary.stats
        pending: Record | None = None
        for file_number, line_number, offset, text in lines:
            stats.physical_lines += 1
            if text[:1] == "<":
                if pending is not None:
                    self._dispatch(pending)
                fields = read_header(text)
                if fields is None:
                    pending = None
                    stats.malformed_lines += 1
                    self._emit_malformed(file_number, line_number, offset, text)
                else:
                    pending = Record(file_number, line_number, offset, text, fields)
            elif pending is not None:
                pending.add_continuation(text)
                stats.continuation_lines += 1
            else:
                stats.stray_lines += 1
                self._emit_malformed(file_number, line_number, offset, text)
            while out:
                yield out.popleft()
        if pending is not None:
            self._dispatch(pending)
        self._finish()
        while out:
            yield out.popleft()

    def _emit_malformed(self, file_number: int, line_number: int, offset: int, text: str) -> None:
        blank = ("", "", "", "", "", "", "", "", None, text)
        rec = Record(file_number, line_number, offset, text, blank)
        rec.ts = self.summary.stats.last_ts
        self._emit(entry(rec, LogType.OTHER, Kind.MALFORMED, records=0))

    # -- one record -----------------------------------------------------------------------------
    def _dispatch(self, rec: Record) -> None:
        options = self.options
        summary = self.summary
        stats = summary.stats
        log_type = TYPE_TAGS.get(rec.tag, LogType.OTHER)
        analysed_type = log_type <= LogType.ESCL
        if analysed_type and log_type not in options.types:
            stats.filtered_records += 1
            return
        if (options.users and rec.user not in options.users) or rec.user in options.exclude_users:
            stats.filtered_records += 1
            return
        if options.client_rpc is not None and _int(rec.client_rpc) != options.client_rpc:
            stats.filtered_records += 1
            return
        stats.records += 1
        folder = self._folders.get(rec.file_number, self.folder)
        key = folder + rec.thread_id
        if rec.ts_text is not None:
            try:
                rec.ts = self.timestamps.parse(rec.ts_text)
                rec.has_ts = True
            except TimestampError:
                stats.bad_timestamps += 1
        if not rec.has_ts:
            rec.ts = summary.thread_last_ts.get(key)
        ts = rec.ts
        if ts is not None:
            name = log_type.name if log_type != LogType.OTHER else rec.tag.strip()
            if rec.has_ts and name not in stats.type_first_ts:
                stats.type_first_ts[name] = ts
            if rec.has_ts:
                stats.type_last_ts[name] = ts
        if (
            not analysed_type
            or (rec.queue == "FTS" and not options.fts)
            or (ts is not None and options.begin_ms is not None and ts < options.begin_ms)
            or (ts is not None and options.end_ms is not None and ts > options.end_ms)
        ):
            stats.ignored_records += 1
            self._emit(entry(rec, log_type, Kind.IGNORED))
            return
        type_name = log_type.name
        stats.records_per_type[type_name] = stats.records_per_type.get(type_name, 0) + 1
        if rec.has_ts and ts is not None:
            if stats.first_ts is None or ts < stats.first_ts:
                stats.first_ts = ts
            if stats.last_ts is None or ts > stats.last_ts:
                stats.last_ts = ts
        starts, thread_gap_allowed = self._feed(rec, log_type, key, folder)
        self._gaps(rec, log_type, key, starts, thread_gap_allowed)

    def _feed(self, rec: Record, log_type: LogType, key: str, folder: str) -> tuple[bool, int]:
        """Run the type's machine.

        Returns whether the record starts an event, and its thread-gap rule: 0 never a thread
        gap, 1 a thread gap, 2 an API end (a thread gap once SQL/FLTR records have been seen).
        """
        details = rec.details
        if log_type == LogType.API:
            self.api.feed(rec, key)
            first = details.lstrip()[:1]
            if first == "+":
                return True, 0
            return False, 2 if first == "-" else 1
        if log_type == LogType.SQL:
            self.summary.saw_sql_fltr = True
            word = sql_word_class(details)
            self.sql.feed(rec, key)
            return word == SQL_START_WORD, 0 if word in (SQL_OK_WORD, SQL_FAIL_WORD) else 1
        if log_type == LogType.FLTR:
            self.summary.saw_sql_fltr = True
            self.fltr.feed(rec, key)
            return "<Filter Level:" in details[:20], 1
        starts = self.escl.feed(rec, folder + _pool_key(rec.user))
        if "Trace Log" in details:
            self._note_version(details)
        return starts, 1

    def _note_version(self, details: str) -> None:
        start = details.find("(AR Server ")
        if start >= 0:
            version = details[start + 11 :].split(")", 1)[0].split(maxsplit=1)[0]
            if version not in self.summary.server_versions:
                self.summary.server_versions.append(version)

    def _gaps(self, rec: Record, log_type: LogType, key: str, starts: bool, rule: int) -> None:
        summary = self.summary
        has_ts = rec.has_ts
        ts = rec.ts if has_ts else None
        # line gap
        if ts is None:
            summary.line_gaps.offer(candidate(rec, LINE_GAP, 0, starts, log_type))
        else:
            last = self._line_ts.get(rec.file_number)
            if last is None and not summary.file_start:
                summary.first_line_gap = candidate(rec, LINE_GAP, 0, starts, log_type)
            else:
                gap = ts - last if last is not None and ts > last else 0
                if summary.line_gaps.would_keep(gap):
                    summary.line_gaps.offer(candidate(rec, LINE_GAP, gap, starts, log_type))
            self._line_ts[rec.file_number] = ts
        # thread gap
        previous = summary.thread_last_ts.get(key)
        if ts is not None:
            summary.thread_last_ts[key] = ts
        if rule == 0 or rec.queue not in _GAP_QUEUES:
            return
        conditional = rule == 2 and not summary.saw_sql_fltr
        if conditional and summary.file_start:
            return  # an API end before any SQL/FLTR record of the log: not a thread gap
        thread_gap: int | None
        if ts is None:
            thread_gap = 0
        elif previous is None:
            thread_gap = 0 if summary.file_start else None
        else:
            thread_gap = ts - previous if ts > previous else 0
        if thread_gap is None or conditional:
            item = candidate(rec, THREAD_GAP, thread_gap or 0, starts, log_type)
            summary.thread_seeds.append(ThreadGapSeed(key, thread_gap, conditional, item))
        elif summary.thread_gaps.would_keep(thread_gap):
            summary.thread_gaps.offer(candidate(rec, THREAD_GAP, thread_gap, starts, log_type))

    def _finish(self) -> None:
        summary = self.summary
        summary.last_line_ts = self._line_ts.get(self.file_number)
        summary.api = self.api.state
        summary.sql = self.sql.state
        summary.fltr = self.fltr.state
        summary.escl = self.escl.state
        summary.legend = self.api.legend
        summary.filter_language = self.fltr.language
        summary.locale = self.timestamps.detected_locale
        summary.iso_timestamps = self.timestamps.iso_seen


def _pool_key(user: str) -> str:
    start = user.find("(Pool ")
    return user[start:] if start >= 0 else ""


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
