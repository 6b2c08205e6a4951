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
from remedyiq_arlog.summary import GapSeed, RangeSummary
from remedyiq_arlog.timestamps import TimestampError, TimestampParser

_TS_COLUMN = 7
# plain ints: enum attribute access costs a descriptor call per record in the hot loop
_API, _SQL, _FLTR, _ESCL, _OTHER = (
    int(t) for t in (LogType.API, LogType.SQL, LogType.FLTR, LogType.ESCL, LogType.OTHER)
)
_SQL_CLOSES = frozenset({SQL_OK_WORD, SQL_FAIL_WORD})
_GAP_QUEUES = frozenset({"Fast", "List"})  # thread gaps are only looked for in these queues
_TYPE_CODES = {tag: int(code) for tag, code in TYPE_TAGS.items()}


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
        self._folders = folders or {}
        self.file_number = file_number
        self.summary = RangeSummary(
            file_number=file_number, start=start, file_start=start == 0, folder=folder
        )
        self.summary.line_gaps = GapBoard(options.gap_candidates)
        self.summary.thread_gaps = GapBoard(options.gap_candidates)
        self.timestamps = timestamps or TimestampParser(options.locale)
        self._out: deque[Row] = deque()
        self._pending: Record | None = None
        self._types = frozenset(int(t) for t in options.types)
        self._record_filters = (
            len(self._types) < 4
            or bool(options.users)
            or bool(options.exclude_users)
            or options.client_rpc is not None
        )
        self._window = options.begin_ms is not None or options.end_ms is not None
        self._multi_folder = folders is not None and len(set(folders.values())) > 1
        self._parse_ts = self.timestamps.parse
        self._type_counts = [0] * (len(LogType) + 1)
        self._type_seen: dict[int | str, list[int]] = {}
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
        yield from self.feed(lines)
        yield from self.finish()

    def feed(self, lines: Iterable[tuple[int, int, int, str]]) -> Iterator[Row]:
        """Rows completed by these lines; the last record waits for the next line (a live
        source feeds its lines as they come)."""
        out = self._out
        stats = self.summary.stats
        pending = self._pending
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
        self._pending = pending

    def finish(self) -> Iterator[Row]:
        """The rows of the last record; then the summary is complete."""
        if self._pending is not None:
            self._dispatch(self._pending)
            self._pending = None
        self._finish()
        out = self._out
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
        log_type = _TYPE_CODES.get(rec.tag, _OTHER)
        if self._record_filters and self._filtered(rec, log_type):
            stats.filtered_records += 1
            return
        stats.records += 1
        folder = self._folders[rec.file_number] if self._multi_folder else self.folder
        key = folder + rec.thread_id if folder else rec.thread_id
        thread_ts = summary.thread_last_ts
        ts_text = rec.ts_text
        ts: int | None = None
        if ts_text is not None:
            try:
                ts = self._parse_ts(ts_text)
                rec.has_ts = True
            except TimestampError:
                stats.bad_timestamps += 1
        if ts is None:
            ts = thread_ts.get(key)
        rec.ts = ts
        if rec.has_ts and ts is not None:
            seen = self._type_seen.get(log_type if log_type != _OTHER else rec.tag)
            if seen is None:
                self._type_seen[log_type if log_type != _OTHER else rec.tag] = [ts, ts]
            else:
                seen[1] = ts
        if (
            log_type > _ESCL
            or (rec.queue == "FTS" and not options.fts)
            or (self._window and ts is not None and not self._in_window(ts))
        ):
            stats.ignored_records += 1
            self._emit(entry(rec, log_type, Kind.IGNORED))
            return
        self._type_counts[log_type] += 1
        if rec.has_ts:
            assert ts is not None
            if stats.first_ts is None or ts < stats.first_ts:
                stats.first_ts = ts
            if stats.last_ts is None or ts > stats.last_ts:
                stats.last_ts = ts
        details = rec.details
        if log_type == _FLTR:
            summary.saw_sql_fltr = True
            starts = self.fltr.feed(rec, key)
            rule = 1
        elif log_type == _SQL:
            summary.saw_sql_fltr = True
            word = sql_word_class(details)
            self.sql.feed(rec, key, word)
            starts = word == SQL_START_WORD
            rule = 0 if word in _SQL_CLOSES else 1
        elif log_type == _API:
            first = self.api.feed(rec, key)
            starts = first == "+"
            rule = 0 if starts else (2 if first == "-" else 1)
        else:
            starts = self.escl.feed(rec, folder + _pool_key(rec.user))
            rule = 1
            if "Trace Log" in details:
                self._note_version(details)
        self._gaps(rec, log_type, key, starts, rule, thread_ts.get(key))
        if rec.has_ts and ts is not None:
            thread_ts[key] = ts

    def _filtered(self, rec: Record, log_type: int) -> bool:
        options = self.options
        if log_type <= _ESCL and log_type not in self._types:
            return True
        if (options.users and rec.user not in options.users) or rec.user in options.exclude_users:
            return True
        return options.client_rpc is not None and _int(rec.client_rpc) != options.client_rpc

    def _in_window(self, ts: int) -> bool:
        options = self.options
        return not (
            (options.begin_ms is not None and ts < options.begin_ms)
            or (options.end_ms is not None and ts > options.end_ms)
        )

    def _note_version(self, details: str) -> None:
        start = details.find("(AR Server ")
        if start >= 0:
            version = details[start + 11 :].split(")", 1)[0].split(maxsplit=1)[0]
            if version not in self.summary.server_versions:
                self.summary.server_versions.append(version)

    def _gaps(  # noqa: PLR0917 — the hot loop passes what it already has
        self, rec: Record, log_type: int, key: str, starts: bool, rule: int, previous: int | None
    ) -> None:
        summary = self.summary
        ts = rec.ts if rec.has_ts else None
        # a record without a time sorts by its thread's last time; if the range does not know it,
        # the join does
        fill_time = rec.ts is None and not summary.file_start
        # line gap
        if ts is None:
            item = candidate(rec, LINE_GAP, 0, starts, log_type)
            if fill_time:
                summary.gap_seeds.append(GapSeed(key, 0, False, True, item))
            else:
                summary.line_gaps.offer(item)
        else:
            last = self._line_ts.get(rec.file_number)
            if last is None and not summary.file_start:
                summary.first_line_gap = candidate(rec, LINE_GAP, 0, starts, log_type)
            else:
                gap = ts - last if last is not None and ts > last else 0
                if summary.line_gaps.would_keep(gap, ts):
                    summary.line_gaps.offer(candidate(rec, LINE_GAP, gap, starts, log_type))
            self._line_ts[rec.file_number] = ts
        # thread gap
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
        if thread_gap is None or conditional or fill_time:
            item = candidate(rec, THREAD_GAP, thread_gap or 0, starts, log_type)
            summary.gap_seeds.append(GapSeed(key, thread_gap, conditional, fill_time, item))
        elif summary.thread_gaps.would_keep(thread_gap, ts):
            summary.thread_gaps.offer(candidate(rec, THREAD_GAP, thread_gap, starts, log_type))

    def _finish(self) -> None:
        summary = self.summary
        stats = summary.stats
        for code, count in enumerate(self._type_counts):
            if count:
                stats.records_per_type[LogType(code).name] = count
        for code_or_tag, (first, last) in self._type_seen.items():
            name = (
                LogType(code_or_tag).name if isinstance(code_or_tag, int) else code_or_tag.strip()
            )
            stats.type_first_ts[name] = first
            stats.type_last_ts[name] = last
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
