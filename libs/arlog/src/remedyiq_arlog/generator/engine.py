"""Merge the threads' timelines into one file, stop at the target size, build the truth."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from typing import BinaryIO

from .catalog import ADMIN_USER
from .config import DEFAULT_LINES, AnomalyKind, GeneratorConfig
from .threads import Roster, build_roster
from .truth import ApiTruth, EsclTruth, FltrTruth, GenerationTruth, SqlTruth
from .worker import Worker
from .world import Event, World, build_world

CHUNK_CHARS = 1 << 18  # join + encode + write in pieces of ~256 kB
CUT_USER_THREADS = 2  # plus one escalation pool
_NEVER = 2**62

HeapEntry = tuple[int, int, str, Worker, Iterator[Event]]


def generate(config: GeneratorConfig, out: BinaryIO) -> GenerationTruth:
    """Write one AR System log (API+SQL+FLTR+ESCL lines, interleaved threads) to ``out``.

    Streams: memory stays flat whatever the size. Deterministic: the same config gives the same
    bytes. Returns the figures known by construction (see ``truth.py``).
    """
    world = build_world(config)
    return _Merger(world, build_roster(world), out).run()


class _Merger:
    def __init__(self, world: World, roster: Roster, out: BinaryIO) -> None:
        self.world = world
        self.roster = roster
        self.out = out
        self.cut: set[int] = set()  # tids of threads left inside a call at the end
        self.written = 0
        self.first_t = -1
        self.last_t = -1
        config = world.config
        self.line_limit = config.target_lines or (
            _NEVER if config.target_bytes is not None else DEFAULT_LINES
        )
        self.byte_limit = config.target_bytes or _NEVER

    def run(self) -> GenerationTruth:
        heap: list[HeapEntry] = []
        seq = 0
        for worker, script in self.roster.scripts:
            first = next(script, None)
            if first is not None:
                heap.append((first[0], seq, first[1], worker, script))
                seq += 1
        heapq.heapify(heap)
        buf: list[str] = []
        chars = lines = 0
        first_t = last_t = -1
        line_limit, byte_limit = self.line_limit, self.byte_limit
        cut = self.cut
        stopping = False
        while heap:
            t, _, text, worker, script = heap[0]
            if text:
                buf.append(text)
                chars += len(text)
                lines += 1
                if " */ " in text:  # timed line (untimed and torn lines have no /* ts */)
                    last_t = t
                    if first_t < 0:
                        first_t = t
            if cut and worker.tid in cut:
                heapq.heappop(heap)
                continue
            n = len(heap)
            if n > 2:
                rest = heap[1][0] if heap[1][0] < heap[2][0] else heap[2][0]
            else:
                rest = heap[1][0] if n == 2 else _NEVER
            for t2, text2 in script:  # stay on this thread while it is the earliest
                if t2 < rest:
                    if text2:
                        buf.append(text2)
                        chars += len(text2)
                        lines += 1
                        if " */ " in text2:
                            last_t = t2
                            if first_t < 0:
                                first_t = t2
                    continue
                seq += 1
                heapq.heapreplace(heap, (t2, seq, text2, worker, script))
                break
            else:
                heapq.heappop(heap)
            if chars >= CHUNK_CHARS:
                self._flush(buf)
                chars = 0
            if not stopping and (lines >= line_limit or self.written + chars >= byte_limit):
                stopping = True
                self._stop(heap)
        self.first_t, self.last_t = first_t, last_t
        if self.world.has(AnomalyKind.TRUNCATED_LAST_LINE):
            buf.append(self._truncated_last_line())
        self._flush(buf)
        return self._truth()

    def _flush(self, buf: list[str]) -> None:
        if buf:
            data = "".join(buf).encode("utf-8", "surrogateescape")
            self.out.write(data)
            self.written += len(data)
            buf.clear()

    def _stop(self, heap: list[HeapEntry]) -> None:
        """Target reached: threads finish their current call and end — except (``open_at_end``)
        two user threads and one escalation pool: if inside a call, their pending line is the
        last one they write; if idle, they start a call/run that the end of the log cuts."""
        world = self.world
        world.stopping = True
        if not world.has(AnomalyKind.OPEN_AT_END):
            return
        rng = random.Random(f"{world.config.seed}/cut")
        workers = sorted((e[3] for e in heap if e[3] is not self.roster.demo), key=lambda w: w.tid)
        rng.shuffle(workers)
        users = [w for w in workers if w.queue != "Escalation"]
        pools = [w for w in workers if w.queue == "Escalation"]
        busy = [w for w in users if w.in_call]
        busy.sort(key=lambda w: not w.sql_open)  # stable: one with an open statement first
        chosen = busy[:CUT_USER_THREADS]
        self.cut.update(w.tid for w in chosen)
        # not enough threads inside a call right now: idle ones start a call the end interrupts
        idle = [w for w in users if not w.in_call and w.queue in ("Fast", "List")]  # wake soon
        for w in idle[: CUT_USER_THREADS - len(chosen)]:
            w.fire_on_stop = True
            chosen.append(w)
        busy_pools = [w for w in pools if w.in_call]
        if busy_pools:
            self.cut.add(busy_pools[0].tid)
            chosen.append(busy_pools[0])
        elif pools:
            pools[0].fire_on_stop = True
            chosen.append(pools[0])
        world.plan.note(AnomalyKind.OPEN_AT_END, len(chosen))

    def _truncated_last_line(self) -> str:
        """An internal SELECT on the trace-switching Admin thread, cut mid-line (no newline)."""
        world = self.world
        demo = self.roster.demo
        demo.t = self.last_t + 1_000 + int(world.rng.random() * 20_000)
        demo.set_context(self.roster.demo_trid, 0, ADMIN_USER)
        form = world.busy_forms[0]
        line = demo.sql_stmt(
            self.roster.sql.get_entry(form, world.entries.existing(form.schema_id))
        )
        start = line.index(" */ ") + 4
        keep = start + 12 + int(world.rng.random() * (len(line) - start - 20))
        self.last_t = demo.t
        world.plan.note(AnomalyKind.TRUNCATED_LAST_LINE)
        return line[:keep]

    def _truth(self) -> GenerationTruth:
        world = self.world
        tally = world.tally
        clock = world.clock
        workers = [w for w, _ in self.roster.scripts]
        per_type = {
            "API": sum(w.n_api for w in workers),
            "SQL": sum(w.n_sql for w in workers),
            "FLTR": sum(w.n_fltr for w in workers),
            "ESCL": sum(w.n_escl for w in workers),
        }
        queues: dict[str, int] = {}
        for w in workers:
            if w.n_api + w.n_sql + w.n_fltr + w.n_escl:
                queues[w.queue] = queues.get(w.queue, 0) + 1
        if world.has(AnomalyKind.LINE_GAPS) and self.first_t >= 0:
            world.plan.note(AnomalyKind.LINE_GAPS, clock.freezes_between(self.first_t, self.last_t))
        world.plan.note(AnomalyKind.INVALID_BYTES, world.sessions.invalid_picks)
        with_header = sum(per_type.values())
        truncated = world.has(AnomalyKind.TRUNCATED_LAST_LINE)
        return GenerationTruth(
            total_lines=with_header + tally.continuation,
            lines_with_header=with_header,
            lines_per_type=per_type,
            continuation_lines=tally.continuation,
            malformed_lines=tally.malformed,
            untimed_lines=tally.untimed,
            bytes=self.written,
            ends_with_newline=not truncated,
            start_time_ms=clock.real(max(self.first_t, 0)) // 1000,
            end_time_ms=clock.real(max(self.last_t, 0)) // 1000,
            api=ApiTruth(
                calls_completed=tally.api_completed,
                ok=tally.api_ok,
                fail=tally.api_fail,
                sub_calls_completed=tally.api_sub,
                queued_calls=tally.api_queued,
                by_abbreviation=dict(sorted(tally.api_by_abbr.items())),
                exceptions_start_without_end=sum(len(w.api_stack) for w in workers),
                exceptions_end_without_start=tally.api_end_orphans,
            ),
            sql=SqlTruth(
                statements_completed=tally.sql_completed,
                ok=tally.sql_ok,
                fail=tally.sql_fail,
                exceptions_start_without_end=sum(w.sql_open for w in workers),
            ),
            fltr=FltrTruth(
                operations_started=tally.f_ops,
                filters_checked=tally.f_checked,
                passed=tally.f_passed,
                failed_with_else_actions=tally.f_else,
                failed_without_else_actions=tally.f_noelse,
                max_filter_level=tally.f_max_level,
            ),
            escl=EsclTruth(
                runs_completed=tally.e_completed,
                runs_with_error=tally.e_error,
                runs_delayed_over_5s=tally.e_delayed,
                exceptions_start_without_end=sum(w.escl_open for w in workers),
            ),
            threads_per_queue=dict(sorted(queues.items())),
            threads_total=sum(queues.values()),
            anomalies_injected={k.value: v for k, v in sorted(world.plan.injected.items())},
            meta=world.config.describe(),
        )
