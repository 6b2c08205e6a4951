"""Entry batches waiting for their insert: many pulls make one large insert.

ClickHouse wants few large inserts (each makes a part, and parts are merged again later), while
parsers publish batches of ~20k rows as they go. Accepted batches wait here, unacknowledged,
until they hold ``flush_rows`` rows, or the oldest has waited ``flush_s`` seconds, or a job's
final batch arrives (ingest marks it; the job's other batches came before it); then they are
stored together. A pull that fills a group stores it before the handler returns, so the writer
pulls no more than it can store (back-pressure); the time limit stores a slow trickle.

A group is the oldest waiting batches up to the first that brings it to ``flush_rows``: a pull
of many batches (a writer catching up on a backlog) makes several inserts of about that size,
not one of all of them, because the engine holds a whole insert in memory and a larger one
costs more per row (embedded chDB, a 1 GB log stored by a fresh writer: pulls of 16 batches
made ~240k-row inserts and 0.17-0.23 page faults per row over six runs; groups of ~120k rows,
0.08-0.14 in most runs).

Waiting messages are not acknowledged, so a crash loses none of them: JetStream delivers them
again (``flush_s`` is well under the ack wait). On shutdown, :meth:`Pending.drain` stores what
waits and every later arrival is stored at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from remedyiq_writer.entries import Batch

logger = logging.getLogger(__name__)

Store = Callable[[list[Batch]], Awaitable[None]]


class Pending:
    def __init__(self, store: Store, *, flush_rows: int, flush_s: float) -> None:
        self._store = store
        self.flush_rows = flush_rows
        self.flush_s = flush_s
        self._batches: list[Batch] = []
        self._rows = 0
        self._generation = 0  # the group a timer was started for; stale timers do nothing
        self._timed = -1  # the generation whose timer runs
        self._timer: asyncio.Task[None] | None = None  # (a reference keeps the task alive)
        self._lock = asyncio.Lock()  # one insert at a time, in arrival order
        self._draining = False

    async def add(self, batches: list[Batch]) -> None:
        """Queue ``batches``; store the full groups now, and the rest too if a job's final
        batch came or the writer is stopping; otherwise the rest waits for more, or its timer."""
        if not batches:
            return
        self._batches.extend(batches)
        self._rows += sum(batch.headers.rows for batch in batches)
        if self._rows >= self.flush_rows:
            await self._store_full_groups()
        if self._draining or any(batch.headers.final for batch in batches):
            await self.flush()
        self._time_the_rest()

    async def flush(self) -> None:
        """Store every waiting batch as one group."""
        async with self._lock:
            batches = self._take(len(self._batches))
            if batches:
                await self._store(batches)

    async def drain(self) -> None:
        """Store what waits; from now on, store every arrival at once."""
        self._draining = True
        await self.flush()

    async def _store_full_groups(self) -> None:
        async with self._lock:  # batches that arrive meanwhile join the groups in order
            while self._rows >= self.flush_rows:
                rows = count = 0
                while rows < self.flush_rows:
                    rows += self._batches[count].headers.rows
                    count += 1
                await self._store(self._take(count))

    def _take(self, count: int) -> list[Batch]:
        """The ``count`` oldest waiting batches, out of the queue: a new group begins."""
        batches, self._batches = self._batches[:count], self._batches[count:]
        self._rows -= sum(batch.headers.rows for batch in batches)
        self._generation += 1
        return batches

    def _time_the_rest(self) -> None:
        """The waiting group's timer, if it has none yet."""
        if self._batches and self._timed != self._generation:
            self._timed = self._generation
            self._timer = asyncio.create_task(self._flush_later(self._generation))

    async def _flush_later(self, generation: int) -> None:
        await asyncio.sleep(self.flush_s)
        if generation != self._generation:
            return  # that group was stored when it filled up
        try:
            await self.flush()
        except Exception:  # its messages are not acknowledged: JetStream delivers them again
            logger.exception("waiting entry batches could not be stored")
