"""The server's threads (queues, TIDs, users) and the script each one runs."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from .calls import api_call
from .catalog import ADMIN_USER, POOL_ESCALATIONS, SERVICE_USER, UNICODE_ESCALATION, Escalation
from .config import AnomalyKind as K
from .escalations import ESCALATOR, pool_thread
from .ids import Session
from .sqltext import SqlText
from .worker import Worker
from .world import Event, World


def _weighted(**weights: int) -> tuple[str, ...]:
    return tuple(abbr for abbr, n in weights.items() for _ in range(n))


LIST_OPS: Final = _weighted(GLEWF=45, GLE=15, GE=20, GME=5, GLS=3, GS=3, GSF=3, GSI=4, VER=2)
FAST_OPS: Final = _weighted(SE=31, CE=20, SGE=8, GE=10, DE=3, ME=3, EXEC=8, GSI=5, VER=5, GLEWF=7)
PRV_OPS: Final = _weighted(SE=30, CE=10, GE=30, GLEWF=30)
ASSIGN_OPS: Final = _weighted(GLEWF=50, SE=50)
ADMIN_OPS: Final = _weighted(GS=30, GSF=20, GLS=20, EXP=10, GLE=20)


@dataclass(frozen=True, slots=True)
class ThreadSpec:
    queue: str
    client_rpc: str
    count: int
    ops: tuple[str, ...]
    idle_ms: int  # mean pause between two calls of one thread
    service_client: str = ""  # fixed session (service account) instead of end users


ROSTER: Final = (
    ThreadSpec("Fast", "390620", 6, FAST_OPS, 700),
    ThreadSpec("List", "390620", 10, LIST_OPS, 250),
    ThreadSpec("Prv:390680", "390680", 2, PRV_OPS, 1500, "Approval Server"),
    ThreadSpec("AssignEng", "390620", 1, ASSIGN_OPS, 3000, "Assignment Engine"),
    ThreadSpec("Admin", "390600", 1, ADMIN_OPS, 9000, "Developer Studio"),
)
ORPHAN_OPS: Final = {"Fast": ("SGE", "SE"), "List": ("GLEWF",)}


@dataclass(slots=True)
class Roster:
    scripts: list[tuple[Worker, Iterator[Event]]]
    demo: Worker  # the Admin thread that switched the trace logs on; writes the last line
    demo_trid: str
    sql: SqlText


def _idle(rng: random.Random, mean_ms: int) -> int:
    return int(-mean_ms * 1000 * math.log(1.0 - rng.random())) + 200


def user_thread(
    w: Worker, sql: SqlText, spec: ThreadSpec, session: Session | None, orphan_op: str
) -> Iterator[Event]:
    world = w.world
    rng = world.rng
    gaps_ok = spec.queue == "Fast"
    if orphan_op:  # the log starts while this thread is inside a call
        w.hidden_until = world.start_us + 1_000
        w.t = world.start_us - 500 - int(rng.random() * 2_500)
        yield w.t, ""
        yield from api_call(w, sql, orphan_op, session or world.sessions.pick(), gaps_ok)
        w.hidden_until = 0
    else:
        w.t = world.start_us + int(rng.random() * spec.idle_ms * 1000)
    while True:
        w.t += _idle(rng, spec.idle_ms)
        yield w.t, ""
        if world.stop_requested():
            if w.fire_on_stop:  # open_at_end: the log ends a few lines into this call
                abbr = "SE" if gaps_ok else "GLEWF"
                call = api_call(w, sql, abbr, session or world.sessions.pick(), gaps_ok)
                yield from _interrupted(w, call, 1 + int(rng.random() * 3))
            return
        abbr = spec.ops[int(rng.random() * len(spec.ops))]
        yield from api_call(w, sql, abbr, session or world.sessions.pick(), gaps_ok)


def _interrupted(w: Worker, call: Iterator[Event], lines: int) -> Iterator[Event]:
    """The first events of ``call``, stopping inside it (the rest is never generated)."""
    for event in call:
        yield event
        lines -= bool(event[1])
        if lines <= 0 and w.in_call:
            return


def demo_thread(w: Worker, sql: SqlText, session: Session, trid: str) -> Iterator[Event]:
    """``… Trace Log -- ON`` lines at the very start, then occasional admin calls."""
    world = w.world
    w.set_context(trid, 0, ADMIN_USER)
    version = world.config.ar_version
    for write, label in (
        (w.api, "Api"),
        (w.sql, "SQL"),
        (w.fltr, "Filter"),
        (w.escl, "Escalation"),
    ):
        yield w.t, write(f"{label} Trace Log -- ON (AR Server {version})")
    spec = ROSTER[-1]
    while True:
        w.t += _idle(world.rng, spec.idle_ms * 2)
        yield w.t, ""
        if world.stop_requested():
            return
        abbr = spec.ops[int(world.rng.random() * len(spec.ops))]
        yield from api_call(w, sql, abbr, session, gaps_ok=False)


def build_roster(world: World) -> Roster:
    rng = random.Random(f"{world.config.seed}/roster")
    sql = SqlText(world.oracle, world.rng)
    tid = rng.randint(200, 260)
    orphans = world.has(K.ORPHANS_AT_START)
    pending = dict(ORPHAN_OPS) if orphans else {}
    scripts: list[tuple[Worker, Iterator[Event]]] = []

    demo = Worker(world, tid, "Admin", "390600")
    demo_session = world.sessions.fixed(ADMIN_USER, "Developer Studio")
    demo_trid = demo_session.next_trid()
    scripts.append((demo, demo_thread(demo, sql, demo_session, demo_trid)))
    orphan_threads = 0
    for spec in ROSTER:
        tid += rng.randint(30, 90)
        for _ in range(spec.count):
            tid += rng.randint(1, 3)
            w = Worker(world, tid, spec.queue, spec.client_rpc)
            session = None
            if spec.service_client:
                user = "appadmin" if spec.queue == "Admin" else SERVICE_USER
                session = world.sessions.fixed(user, spec.service_client)
            todo = pending.get(spec.queue, ())
            orphan_op = todo[0] if todo else ""
            if todo:
                pending[spec.queue] = todo[1:]
                orphan_threads += 1
            scripts.append((w, user_thread(w, sql, spec, session, orphan_op)))
    tid += rng.randint(60, 150)
    pools: list[tuple[Escalation, ...]] = list(POOL_ESCALATIONS)
    if world.has(K.NON_ASCII):
        pools[1] = (*pools[1], UNICODE_ESCALATION)
    for n, escalations in enumerate(pools, start=1):
        tid += rng.randint(1, 3)
        w = Worker(world, tid, "Escalation", "390603")
        session = world.sessions.fixed(ESCALATOR, "Escalation")
        orphan = orphans and n == 1
        orphan_threads += orphan
        scripts.append((w, pool_thread(w, n, escalations, sql, session, orphan=orphan)))
    world.plan.note(K.ORPHANS_AT_START, orphan_threads)
    return Roster(scripts, demo, demo_trid, sql)
