"""Live job events for SSE and WebSocket clients, from ``jobs.{tenant}.progress|complete``.

One core NATS subscription per tenant *and* per subject, on the tenant's own concrete subjects
(``jobs.<tenant>.progress``, never ``jobs.*.progress``): a tenant's listeners can only ever see
that tenant's messages, and the server does the filtering. Subscriptions are reference-counted:
the first listener of a tenant subscribes, the last one to leave unsubscribes. Messages are
validated with ``open_envelope`` (subject, header and body tenant must agree); invalid ones are
dropped and logged. A listener's queue is bounded: when a client falls behind, its oldest
events are dropped and ``dropped`` counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from uuid import UUID

from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from remedyiq_platform.contracts.messages import JobComplete, JobProgress
from remedyiq_platform.contracts.subjects import subject
from remedyiq_platform.messaging import PoisonMessage, open_envelope

logger = logging.getLogger(__name__)

JobEvent = JobProgress | JobComplete


@dataclass(eq=False)
class Listener:
    """One client's view of a tenant's job events (optionally only some jobs)."""

    tenant_id: UUID
    queue: asyncio.Queue[JobEvent]
    jobs: set[UUID] | None = None  # None: every job of the tenant
    dropped: int = 0

    def offer(self, event: JobEvent) -> None:
        if self.jobs is not None and event.job_id not in self.jobs:
            return
        while True:
            try:
                self.queue.put_nowait(event)
                return
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueEmpty):
                    self.queue.get_nowait()
                    self.dropped += 1


@dataclass
class _TenantFeed:
    subscriptions: list[Subscription]
    listeners: set[Listener] = field(default_factory=set)


class ProgressHub:
    """Fan-out of job events to listeners (see the module docstring)."""

    def __init__(self, broker: Callable[[], NatsBroker]) -> None:
        self._broker = broker
        self._feeds: dict[UUID, _TenantFeed] = {}
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def listen(
        self, tenant_id: UUID, *, jobs: set[UUID] | None = None, maxsize: int = 1000
    ) -> AsyncIterator[Listener]:
        """Receive the tenant's events while the block runs (subscribed before it starts)."""
        listener = Listener(tenant_id, asyncio.Queue(maxsize), jobs)
        await self._join(listener)
        try:
            yield listener
        finally:
            self._leave(listener)

    async def _join(self, listener: Listener) -> None:
        async with self._lock:
            feed = self._feeds.get(listener.tenant_id)
            if feed is None:
                feed = _TenantFeed(await self._subscribe(listener.tenant_id))
                self._feeds[listener.tenant_id] = feed
            feed.listeners.add(listener)

    def _leave(self, listener: Listener) -> None:
        # Synchronous on purpose: it runs while the listener's task is being cancelled (a
        # client went away), where any await could be interrupted and leak the listener.
        feed = self._feeds.get(listener.tenant_id)
        if feed is None:
            return
        feed.listeners.discard(listener)
        if not feed.listeners:
            del self._feeds[listener.tenant_id]
            task = asyncio.create_task(_unsubscribe(feed.subscriptions))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _subscribe(self, tenant_id: UUID) -> list[Subscription]:
        connection = self._broker().connection
        subs = []
        for key, model in (("jobs.progress", JobProgress), ("jobs.complete", JobComplete)):
            handler = self._handler(tenant_id, model)
            subs.append(await connection.subscribe(subject(key, tenant_id), cb=handler))
        await connection.flush(timeout=5)  # the server has the interest before we go on
        return subs

    def _handler(
        self, tenant_id: UUID, model: type[JobProgress] | type[JobComplete]
    ) -> Callable[[Msg], Awaitable[None]]:
        async def handle(msg: Msg) -> None:
            try:
                tenant, event = open_envelope(msg, model)
            except PoisonMessage as exc:
                logger.warning("dropping an invalid job event on %s: %s", msg.subject, exc)
                return
            if tenant != str(tenant_id):  # open_envelope checked the subject; belt and braces
                return
            feed = self._feeds.get(tenant_id)
            for listener in list(feed.listeners) if feed else ():
                listener.offer(event)

        return handle

    @property
    def tenants(self) -> int:
        """How many tenants have listeners (tests, metrics)."""
        return len(self._feeds)


async def _unsubscribe(subscriptions: list[Subscription]) -> None:
    for sub in subscriptions:
        with contextlib.suppress(Exception):  # the connection may be closing
            await sub.unsubscribe()
