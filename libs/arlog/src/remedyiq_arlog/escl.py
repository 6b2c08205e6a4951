"""Escalation runs per pool (arlog-format §a.6, confirmed against the reference).

* ``Checking "NAME" … ready to fire now on "FORM"`` (or ``running on demand``) starts a run on
  the pool of its ``AR_ESCALATOR (Pool N)`` user; a new start replaces an open run silently.
* The pool's next line containing ``Elapsed time`` completes it; a completion with no open run is
  reconstructed from its logged elapsed time (the reference then shows the completion line as the
  run's line and its time as the start time).
* ``Error while performing escalation action`` marks the open run as failed when the line names
  the run's escalation and form.
* ``going to fire in N seconds`` lines become ``SCHEDULE`` rows (scheduled time = line + N s); the
  delay of a run (start − latest schedule) is computed in SQL.

Across byte ranges: records before a pool's first start/completion in a range may concern a run
an earlier range left open (the pool's *head*), resolved when ranges are joined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from remedyiq_arlog.phrases import (
    elapsed_seconds,
    escalation_names,
    escalation_pool,
    fire_in_seconds,
)
from remedyiq_arlog.records import Record
from remedyiq_arlog.rows import Row, entry
from remedyiq_arlog.schema import Kind, LogType

_ERROR = "Error while performing escalation action"


def is_start(details: str) -> bool:
    return "ready to fire now" in details or "running on demand" in details


@dataclass(slots=True)
class OpenRun:
    rec: Record
    name: str
    form: str
    pool: str
    error: bool = False
    records: int = 1
    lines: int = 1
    raw: list[str] = field(default_factory=list)

    def absorb_error(self, rec: Record) -> bool:
        """Take an error line if it names this run (the reference's rule)."""
        if self.name in rec.details and self.form in rec.details:
            self.error = True
            self.records += 1
            self.lines += rec.lines
            self.raw.append(rec.raw)
            return True
        return False


def open_run(rec: Record, pool: str) -> OpenRun:
    name, form = escalation_names(rec.details)
    return OpenRun(rec, name, form, pool, lines=rec.lines, raw=[rec.raw])


def run_row(run: OpenRun, end: Record | None) -> Row:
    """A completed run, or (``end`` ``None``) one still open at the end of the log."""
    rec = run.rec
    duration = 0
    if end is not None and end.ts is not None and rec.ts is not None:
        duration = end.ts - rec.ts
    return entry(
        rec,
        LogType.ESCL,
        Kind.RUN if end is not None else Kind.RUN_OPEN,
        end_line=end.end_line if end is not None else None,
        records=run.records + (1 if end is not None else 0),
        lines=run.lines + (end.lines if end is not None else 0),
        raw="\n".join([*run.raw, end.raw] if end is not None else run.raw),
        duration_ms=duration,
        success=not run.error,
        form=run.form,
        esc_name=run.name,
        esc_pool=run.pool,
        error_encountered=run.error,
    )


def replaced_row(run: OpenRun) -> Row:
    """A run replaced by a new start on its pool: the reference drops it silently; its lines
    stay searchable as a plain row (not counted as a run nor as an exception)."""
    return entry(
        run.rec,
        LogType.ESCL,
        Kind.LINE,
        records=run.records,
        lines=run.lines,
        raw="\n".join(run.raw),
        form=run.form,
        esc_name=run.name,
        esc_pool=run.pool,
    )


def reconstructed_row(end: Record, pool: str) -> Row:
    """A completion without a start: start = completion − logged elapsed time."""
    name, form = escalation_names(end.details)
    elapsed_ms = round((elapsed_seconds(end.details) or 0.0) * 1000)
    start = end.ts - elapsed_ms if end.ts is not None else None
    return entry(
        end,
        LogType.ESCL,
        Kind.RUN,
        timestamp=start,
        duration_ms=elapsed_ms,
        form=form,
        esc_name=name,
        esc_pool=pool,
    )


def schedule_row(rec: Record, pool: str, seconds: int) -> Row:
    name, form = escalation_names(rec.details)
    scheduled = rec.ts + seconds * 1000 if rec.ts is not None else None
    return entry(
        rec,
        LogType.ESCL,
        Kind.SCHEDULE,
        form=form,
        esc_name=name,
        esc_pool=pool,
        scheduled_time=scheduled,
    )


@dataclass(slots=True)
class PoolHead:
    errors: list[Record] = field(default_factory=list)
    first: Record | None = None  # the pool's first start or completion in the range


@dataclass(slots=True)
class EsclState:
    heads: dict[str, PoolHead] = field(default_factory=dict)
    open: dict[str, OpenRun | None] = field(default_factory=dict)  # keys present = synced


def resolve(
    prior: OpenRun | None, head: PoolHead, pool: str, emit: Callable[[Row], None]
) -> tuple[OpenRun | None, bool]:
    """Apply a pool's head to the run an earlier range left open.

    Returns what stays open (when the head has no start/completion) and whether the head's
    completion record started a reconstructed run (the reference then prints its Line#).
    """
    for rec in head.errors:
        if prior is None or not prior.absorb_error(rec):
            emit(entry(rec, LogType.ESCL, Kind.LINE))
    first = head.first
    if first is None:
        return prior, False
    if is_start(first.details):
        if prior is not None:
            emit(replaced_row(prior))
        return None, False  # the range's own state takes over
    if prior is not None:
        emit(run_row(prior, first))
        return None, False
    emit(reconstructed_row(first, pool))
    return None, True


class EsclMachine:
    def __init__(self, emit: Callable[[Row], None]) -> None:
        self.emit = emit
        self.state = EsclState()

    def feed(self, rec: Record, pool_key: str) -> bool:
        """Process one ESCL record; returns whether it starts a run (for the gap tables)."""
        details = rec.details
        pool = escalation_pool(rec.user)
        state = self.state
        synced = pool_key in state.open
        if is_start(details):
            if not synced:
                state.heads.setdefault(pool_key, PoolHead()).first = rec
            else:
                replaced = state.open[pool_key]
                if replaced is not None:
                    self.emit(replaced_row(replaced))
            state.open[pool_key] = open_run(rec, pool)
            return True
        if "Elapsed time" in details:
            if not synced:
                state.heads.setdefault(pool_key, PoolHead()).first = rec
                state.open[pool_key] = None
                return False  # decided when ranges are joined
            current = state.open[pool_key]
            state.open[pool_key] = None
            if current is not None:
                self.emit(run_row(current, rec))
                return False
            self.emit(reconstructed_row(rec, pool))
            return True
        seconds = fire_in_seconds(details) if "going to fire in" in details else None
        if seconds is not None:
            self.emit(schedule_row(rec, pool, seconds))
            return False
        if _ERROR in details:
            if not synced:
                state.heads.setdefault(pool_key, PoolHead()).errors.append(rec)
                return False
            current = state.open[pool_key]
            if current is not None and current.absorb_error(rec):
                return False
        self.emit(entry(rec, LogType.ESCL, Kind.LINE))
        return False
