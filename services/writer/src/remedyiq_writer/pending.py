"""Entry batches waiting for their insert: many pulls make one large insert.

ClickHouse wants few large inserts (each makes a part, and parts are merged again later), while
parsers publish batches of ~20k rows as they go. Accepted batches wait here, unacknowledged,
until they hold ``flush_rows`` rows, or the oldest has waited ``flush_s`` seconds, or a job's
final batch arrives (ingest marks it; the job's other batches came before it); then they are
stored together. A pull that fills the group stores it before the handler returns, so the
writer pulls no more than it can store (back-pressure); the time limit stores a slow trickle.
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
        self._timer: asyncio.Task[None] | None = None  # (a reference keeps the task alive)
        self._lock = asyncio.Lock()  # one insert at a time, in arrival order
        self._draining = False

    async def add(self, batches: list[Batch]) -> None:
        """Queue ``batches``; store the group now if it is full (or the writer is stopping)."""
        if not batches:
            return
        first = not self._batches  # a new group: its own timer
        self._batches.extend(batches)
        self._rows += sum(batch.headers.rows for batch in batches)
        final = any(batch.headers.final for batch in batches)
        if final or self._draining or self._rows >= self.flush_rows:
            await self.flush()
        elif first:
            self._timer = asyncio.create_task(self._flush_later(self._generation))

    async def flush(self) -> None:
        """Store every waiting batch as one group."""
        async with self._lock:
            batches, self._batches, self._rows = self._batches, [], 0
            self._generation += 1
            if batches:
                await self._store(batches)

    async def drain(self) -> None:
        """Store what waits; from now on, store every arrival at once."""
        self._draining = True
        await self.flush()

    async def _flush_later(self, generation: int) -> None:
        await asyncio.sleep(self.flush_s)
        if generation != self._generation:
            return  # that group was stored when it filled up
        try:
            await self.flush()
        except Exception:  # its messages are not acknowledged: JetStream delivers them again
            logger.exception("waiting entry batches could not be stored")
