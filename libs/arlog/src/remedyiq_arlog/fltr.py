"""Filter checks and filter-processing phases (arlog-format §a.5).

A check runs from its ``<Filter Level:L Number Of Filters:K> Checking "NAME"`` record to the next
``Checking`` or ``End of filter processing`` record on the same thread (the reference's rule); its
result (``--> Passed`` / ``--> Failed qualification`` [``-- perform else actions``]) and its action
lines (``0 : Set Fields`` and the indented value lines) are absorbed into it. Start / End / Restart
records become ``PHASE`` rows (operation, form, request id), which the transaction tables use.

Across byte ranges: records before a thread's first ``Checking``/``End`` in a range may continue a
check an earlier range left open; they are the thread's *head*, resolved when ranges are joined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from remedyiq_arlog.phrases import (
    CHECKING,
    filter_result,
    is_filter_action,
    phase_fields,
    phase_marker,
)
from remedyiq_arlog.records import Record
from remedyiq_arlog.rows import Row, entry
from remedyiq_arlog.schema import Kind, LogType, Phase


@dataclass(slots=True)
class OpenCheck:
    rec: Record
    name: str
    level: int
    number: int
    result: int = 0
    actions: int = 0
    records: int = 1
    lines: int = 1
    raw: list[str] = field(default_factory=list)

    def absorb(self, rec: Record) -> None:
        result = filter_result(rec.details)
        if result:
            self.result = result
        elif is_filter_action(rec.details):
            self.actions += 1
        self.records += 1
        self.lines += rec.lines
        self.raw.append(rec.raw)


def open_check(rec: Record, level: str, number: str, name: str) -> OpenCheck:
    return OpenCheck(rec, name, int(level), int(number), lines=rec.lines, raw=[rec.raw])


def check_row(check: OpenCheck, terminator: Record | None) -> Row:
    """A check closed by ``terminator`` (``None``: still running at the end of the log)."""
    rec = check.rec
    duration = 0
    if terminator is not None and terminator.ts is not None and rec.ts is not None:
        duration = terminator.ts - rec.ts
    return entry(
        rec,
        LogType.FLTR,
        Kind.CHECK if terminator is not None else Kind.CHECK_OPEN,
        end_line=terminator.end_line if terminator is not None else None,
        records=check.records,
        lines=check.lines,
        raw="\n".join(check.raw),
        duration_ms=duration,
        filter_name=check.name,
        filter_level=check.level,
        filter_number=check.number,
        filter_result=check.result,
        actions=check.actions,
    )


def phase_row(rec: Record, marker: int) -> Row:
    phase, operation, form, request_id = phase_fields(rec.details)
    return entry(
        rec,
        LogType.FLTR,
        Kind.PHASE,
        filter_phase=phase,
        phase_marker=marker,
        operation=operation,
        form=form,
        request_id=request_id,
    )


@dataclass(slots=True)
class FilterHead:
    """A thread's records before its first terminator in a range (see the module docstring)."""

    absorbed: list[Record] = field(default_factory=list)
    terminator: Record | None = None


@dataclass(slots=True)
class FltrState:
    heads: dict[str, FilterHead] = field(default_factory=dict)
    open: dict[str, OpenCheck | None] = field(default_factory=dict)  # keys present = synced


def resolve(
    prior: OpenCheck | None, head: FilterHead, emit: Callable[[Row], None]
) -> OpenCheck | None:
    """Apply a head to the check an earlier range left open; returns what stays open."""
    for rec in head.absorbed:
        if prior is not None:
            prior.absorb(rec)
        else:
            emit(entry(rec, LogType.FLTR, Kind.LINE))
    if head.terminator is not None and prior is not None:
        emit(check_row(prior, head.terminator))
        return None
    return prior


# result lines ("-->"), action lines ("0 : …") and value lines never start a phase phrase
_NOT_PHASE = frozenset("-0123456789<")


class FltrMachine:
    def __init__(self, emit: Callable[[Row], None]) -> None:
        self.emit = emit
        self.state = FltrState()
        self.language: str | None = None

    def feed(self, rec: Record, key: str) -> bool:
        """Process one FLTR record; returns whether it is a ``Checking`` record."""
        state = self.state
        synced = key in state.open
        details = rec.details
        first = details.lstrip()[:1]
        checking = CHECKING.match(details) if first == "<" else None
        if checking is not None:
            self._terminate(rec, key, synced)
            level, number, name = checking.group(1, 2, 3)
            state.open[key] = open_check(rec, level, number, name)
            return True
        marker = None if first in _NOT_PHASE else phase_marker(details)
        if marker is not None:
            kind, language = marker
            if self.language is None:
                self.language = language
            if kind == Phase.END:
                self._terminate(rec, key, synced)
                state.open[key] = None
            self.emit(phase_row(rec, kind))
            return False
        if not synced:
            state.heads.setdefault(key, FilterHead()).absorbed.append(rec)
            return False
        current = state.open[key]
        if current is not None:
            current.absorb(rec)
        else:
            self.emit(entry(rec, LogType.FLTR, Kind.LINE))
        return False

    def _terminate(self, rec: Record, key: str, synced: bool) -> None:
        if not synced:
            self.state.heads.setdefault(key, FilterHead()).terminator = rec
            return
        current = self.state.open[key]
        if current is not None:
            self.emit(check_row(current, rec))
