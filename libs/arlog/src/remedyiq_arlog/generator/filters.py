"""Filter (server workflow) processing: phases, checks, actions, Push Fields nesting."""

from __future__ import annotations

from collections.abc import Iterator

from .catalog import FIELDS, Form
from .config import AnomalyKind
from .sqltext import SqlText
from .worker import Worker
from .world import Event

MAX_LEVEL = 3
PUSH_CHANCE = (0.10, 0.07, 0.04)  # per passed action, by filter level
RUN_PROCESS_COMMANDS = (
    'Application-Generate-GUID "IDGH"',
    "Application-Query-Delete-Entry \"NTE:SYS-NT Process Control\" '1' = $1$",
    '@@:Application-Parse-Qual-SField "HPD:Help Desk" "Status" = 4',
)


class FilterRun:
    """State of one transaction's filter processing (shared by all nesting levels)."""

    __slots__ = ("budget", "gaps_ok", "number", "sql")

    def __init__(self, sql: SqlText, budget: int, gaps_ok: bool) -> None:
        self.number = 0  # "Number Of Filters": checks so far in this transaction
        self.budget = budget  # checks still allowed (keeps pathological nesting bounded)
        self.sql = sql
        self.gaps_ok = gaps_ok  # Fast/List thread: may block inside a filter (thread gap)


def _field_lines(w: Worker, null: bool) -> Iterator[Event]:
    rng = w.world.rng
    for _ in range(1 if null or rng.random() < 0.6 else 2):
        name, fid, values = FIELDS[int(rng.random() * len(FIELDS))]
        value = "$NULL$" if null else values[int(rng.random() * len(values))]
        w.t += int(rng.random() * 40)
        yield w.t, w.fltr_action(f"             {name} ({fid}) = {value}")


def _actions(w: Worker, run: FilterRun, level: int) -> Iterator[Event]:
    world = w.world
    rng = world.rng
    for idx in range(1 + int(rng.random() * 3)):
        w.t += 5 + int(rng.random() * 60)
        roll = rng.random()
        if level < MAX_LEVEL and run.budget > 3 and roll < PUSH_CHANCE[level]:
            target = world.forms[int(rng.random() * len(world.forms))]
            yield w.t, w.fltr_action(f"        {idx} : Push Fields")
            yield w.t, w.fltr_action(f"             {target.name}")
            if rng.random() < 0.6:
                yield from operation(w, run, "CREATE", target, eid="", level=level + 1)
            else:
                eid = world.entries.existing(target.schema_id)
                yield from operation(w, run, "SET", target, eid=eid, level=level + 1)
        elif run.gaps_ok and w.hit(AnomalyKind.THREAD_GAPS):
            yield w.t, w.fltr_action(f"        {idx} : Run Process")
            yield w.t, w.fltr_action("             /opt/bmc/scripts/cmdb_sync.sh $1000000161$")
            w.t += 3_000_000 + int(rng.random() * 12_000_000)  # the thread blocks here
        elif roll > 0.97:
            cmd = RUN_PROCESS_COMMANDS[int(rng.random() * len(RUN_PROCESS_COMMANDS))]
            yield w.t, w.fltr_action(f"        {idx} : Run Process")
            yield w.t, w.fltr_action(f"             {cmd}")
        else:
            yield w.t, w.fltr_action(f"        {idx} : Set Fields")
            yield from _field_lines(w, null=False)


def check_filters(
    w: Worker,
    run: FilterRun,
    form: Form,
    *,
    level: int,
    share: float,
    fail_with: tuple[int, str] | None = None,
) -> Iterator[Event]:
    """Check a subset (``share``) of the form's filters in execution order."""
    rng = w.world.rng
    chosen = [f for f in form.filters if rng.random() < share]
    for i, (name, order) in enumerate(chosen):
        if run.budget <= 0:
            return
        run.budget -= 1
        w.t += 40 + int(rng.random() * 500)
        yield w.t, w.f_check(level, run.number, name, order)
        run.number += 1
        if fail_with is not None and i == len(chosen) - 1:
            yield w.t, w.f_result(0)  # the last one raises the error that fails the call
            yield w.t, w.fltr_action("        0 : Message")
            yield w.t, w.fltr_action(f"             {fail_with[1]}")
            return
        roll = rng.random()
        if roll < 0.55:
            yield w.t, w.f_result(0)
            yield from _actions(w, run, level)
        elif roll < 0.85:
            yield w.t, w.f_result(1)
        else:
            yield w.t, w.f_result(2)
            yield w.t, w.fltr_action("        0 : Set Fields")
            yield from _field_lines(w, null=True)


def phase(
    w: Worker,
    run: FilterRun,
    num: int,
    op: str,
    form: Form,
    *,
    eid: str,
    level: int,
    share: float,
    fail_with: tuple[int, str] | None = None,
) -> Iterator[Event]:
    """``Start filter processing (phase N)`` … checks … ``End of filter processing``."""
    rng = w.world.rng
    shown = eid or "<NULL>"
    w.t += 100 + int(rng.random() * 900)
    yield w.t, w.f_processing(True, num, op, form.name, shown)
    yield from check_filters(w, run, form, level=level, share=share, fail_with=fail_with)
    w.t += 20 + int(rng.random() * 300)
    yield w.t, w.f_processing(False, num, op, form.name, shown)


def operation(
    w: Worker, run: FilterRun, op: str, form: Form, *, eid: str, level: int
) -> Iterator[Event]:
    """A nested (Push Fields) create/set: phase 1, the DB write, phase 2."""
    world = w.world
    rng = world.rng
    sql = run.sql
    yield from phase(w, run, 1, op, form, eid=eid, level=level, share=0.45)
    now_s = world.clock.real(w.t) // 1_000_000
    w.t += 50 + int(rng.random() * 400)
    if op == "CREATE":
        eid = world.entries.create(form.schema_id)
        yield w.t, w.sql_stmt(sql.insert(form, eid, w.user, now_s, "New request"))
    else:
        yield w.t, w.sql_stmt(sql.update(form, eid, w.user, now_s, int(rng.random() * 6)))
    w.t += 300 + int(rng.random() * 3000)
    yield w.t, w.sql_close()
    yield from phase(w, run, 2, op, form, eid=eid, level=level, share=0.25)
