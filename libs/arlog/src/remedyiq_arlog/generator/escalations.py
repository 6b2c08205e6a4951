"""Escalation pool threads: schedule lines, runs (SQL + filters + field dumps), delays, errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .api_calls import simple_sql
from .catalog import FIELDS, Escalation
from .config import AnomalyKind as K
from .filters import FilterRun, phase
from .ids import Session
from .sqltext import SqlText
from .worker import Worker
from .world import Event

ESCALATOR = "AR_ESCALATOR"
DELAY_LIMIT_MS = 5_000  # the reference analyzer lists |delay| > 5 s
WAIT_STEP_US = 2_000_000
ESC_ERROR = "Error while performing escalation action"  # the analyzer's marker phrase


@dataclass(slots=True)
class _Schedule:
    esc: Escalation
    due: int  # printed ms at which it is scheduled to fire
    line_ms: int  # printed ms of the last "going to fire in N seconds" line
    seconds: int


def _quoted(esc: Escalation) -> str:
    return f"{esc.name} (Overlay Group 1)"


def _going_to_fire(w: Worker, s: _Schedule) -> str:
    s.line_ms = w.world.clock.real(w.t) // 1000
    s.due = s.line_ms + s.seconds * 1000  # printed ms
    return w.escl(
        f'Checking "{_quoted(s.esc)}" (enabled) : going to fire in {s.seconds} seconds '
        f'on "{s.esc.form}"'
    )


def _run(w: Worker, sql: SqlText, esc: Escalation, delayed: bool) -> Iterator[Event]:
    """One firing: ready line, qualification query, per matching entry a SET with filters."""
    world = w.world
    rng = world.rng
    form = world.form(esc.form)
    started = world.clock.real(w.t)
    failing = w.hit(K.FAILING_ESCALATIONS)
    yield w.t, w.escl_ready(_quoted(esc), esc.form, delayed)
    yield from simple_sql(w, sql.select_ids(form, sql.qualification(form)))
    for i in range(int(rng.random() * 4)):
        eid = world.entries.existing(form.schema_id)
        if failing and i == 0:
            w.t += 200 + int(rng.random() * 2_000)
            yield (
                w.t,
                w.escl_error_line(
                    f'{ESC_ERROR} : escalation "{_quoted(esc)}" on form "{esc.form}" '
                    f"entry {eid} -- AR Error(302) Entry does not exist in database"
                ),
            )
            continue
        w.t += 50 + int(rng.random() * 400)
        yield w.t, w.escl("        0 : Set Fields")
        name, fid, values = FIELDS[int(rng.random() * len(FIELDS))]
        value = values[int(rng.random() * len(values))]
        yield w.t, w.escl(f"              {name} ({fid}) = {value}")
        run = FilterRun(sql, budget=10, gaps_ok=False)
        yield from phase(w, run, 1, "SET", form, eid=eid, level=0, share=0.3)
        now_s = world.clock.real(w.t) // 1_000_000
        yield from simple_sql(w, sql.update(form, eid, ESCALATOR, now_s, 4))
        yield from phase(w, run, 2, "SET", form, eid=eid, level=0, share=0.2)
    if failing and w.escl_open and not w.escl_error:  # no entry matched: fail on the query
        yield (
            w.t,
            w.escl_error_line(
                f'{ESC_ERROR} : escalation "{_quoted(esc)}" on form "{esc.form}" -- '
                "AR Error(552) The SQL database operation failed."
            ),
        )
    w.t += 100 + int(rng.random() * 3_000)
    elapsed = (world.clock.real(w.t) - started) / 1_000_000
    yield w.t, w.escl_completed(_quoted(esc), esc.form, elapsed)


def pool_thread(
    w: Worker,
    pool: int,
    escalations: tuple[Escalation, ...],
    sql: SqlText,
    session: Session,
    *,
    orphan: bool,
) -> Iterator[Event]:
    world = w.world
    rng = world.rng
    pool_user = f"{ESCALATOR} (Pool {pool})"
    if orphan:  # a run that began before the log did: only its tail is visible
        w.hidden_until = world.start_us + 1_000
        w.t = world.start_us - 1_000 - int(rng.random() * 5_000)
        w.set_context(session.next_trid(), world.rpc(), ESCALATOR, pool_user)
        yield from _run(w, sql, escalations[0], delayed=False)
        w.hidden_until = 0
    w.t = max(w.t, world.start_us) + 20_000 + int(rng.random() * 250_000)
    yield w.t, ""
    w.set_context(session.next_trid(), world.rpc(), ESCALATOR, pool_user)
    # the first escalation of each pool is due soon, so that short logs show runs too
    schedule = [
        _Schedule(e, 0, 0, 1 + int(rng.random() * (4 if i == 0 else e.interval_s)))
        for i, e in enumerate(escalations)
    ]
    for s in schedule:
        yield w.t, _going_to_fire(w, s)
    while True:
        if world.stop_requested():
            return
        s = min(schedule, key=lambda item: item.due)
        late = w.hit(K.DELAYED_ESCALATIONS)
        extra = 6_000_000 + int(rng.random() * 20_000_000) if late else int(rng.random() * 600_000)
        # the scheduler runs on the wall clock: a server freeze only delays what fell due in it
        due_real = s.due * 1000 + extra
        target = max(w.t, world.clock.nominal_for(due_real))
        while True:  # wait in short steps so that the end of the log is noticed soon
            w.t = min(target, w.t + WAIT_STEP_US)
            yield w.t, ""
            if world.stop_requested():
                if w.fire_on_stop:  # open_at_end: the log ends while this run is going on
                    w.set_context(session.next_trid(), world.rpc(), ESCALATOR, pool_user)
                    yield w.t, w.escl_ready(_quoted(s.esc), s.esc.form, delayed=False)
                    form = world.form(s.esc.form)
                    w.t += 100 + int(rng.random() * 500)
                    yield w.t, w.sql_stmt(sql.select_ids(form, sql.qualification(form)))
                return
            if w.t >= target:
                break
        delay = world.clock.real(w.t) // 1000 - (s.line_ms + s.seconds * 1000)
        if DELAY_LIMIT_MS - 100 <= abs(delay) <= DELAY_LIMIT_MS + 100:
            w.t += 250_000  # keep clear of the analyzer's threshold
            delay = world.clock.real(w.t) // 1000 - (s.line_ms + s.seconds * 1000)
        w.set_context(session.next_trid(), world.rpc(), ESCALATOR, pool_user)
        yield from _run(w, sql, s.esc, abs(delay) > DELAY_LIMIT_MS)
        w.t += 100 + int(rng.random() * 2_000)
        s.seconds = s.esc.interval_s
        yield w.t, _going_to_fire(w, s)
