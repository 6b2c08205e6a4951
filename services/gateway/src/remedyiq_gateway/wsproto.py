"""The MVP WebSocket protocol (``mvp/websocket.md``) for one connection.

Client → server: ``subscribe_job_progress`` / ``unsubscribe_job_progress`` ``{job_id}``,
``subscribe_live_tail`` / ``unsubscribe_live_tail`` (answered with an ``error``: live tail is
served by the tail service, not yet), ``ping``. Server → client: ``job_progress``,
``job_complete``, ``error {code, message, details}``, ``pong``, ``backpressure_warning``.

One listener on the tenant's job events per connection; a subscription starts with the job's
current state. At most ``max_subscriptions`` jobs; a connection silent for ``idle_timeout_s``
(no ping) is closed; when the client falls behind, the oldest frames are dropped (queue of
``queue_size``) and a ``backpressure_warning`` says how many.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from uuid import UUID

from starlette.websockets import WebSocket, WebSocketDisconnect

from remedyiq_gateway.deps import Principal, Resources
from remedyiq_gateway.events import Listener, ProgressHub
from remedyiq_gateway.jobview import event_frame, load_job, snapshot_event
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.contracts.messages import JobComplete

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024
CLOSE_IDLE = 4408  # application close code: no ping within the idle timeout


def frame(kind: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": kind} if payload is None else {"type": kind, "payload": payload}


def error(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return frame("error", {"code": code, "message": message, "details": details or {}})


class Session:
    def __init__(
        self,
        ws: WebSocket,
        principal: Principal,
        resources: Resources,
        hub: ProgressHub,
        settings: GatewaySettings,
    ) -> None:
        self.ws = ws
        self.principal = principal
        self.resources = resources
        self.hub = hub
        self.settings = settings
        self.out: asyncio.Queue[dict[str, Any]] = asyncio.Queue(settings.ws_queue_size)
        self.dropped = 0

    def send(self, message: dict[str, Any]) -> None:
        """Queue a frame; when full, drop the oldest frame (and say so once the queue drains)."""
        while True:
            try:
                self.out.put_nowait(message)
                return
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueEmpty):
                    self.out.get_nowait()
                    self.dropped += 1

    async def _sender(self) -> None:
        while True:
            message = await self.out.get()
            if self.dropped and self.out.empty():
                await self.ws.send_json(frame("backpressure_warning", {"dropped": self.dropped}))
                self.dropped = 0
            await self.ws.send_json(message)

    async def _pump(self, listener: Listener) -> None:
        while True:
            event = await listener.queue.get()
            kind, payload = event_frame(event)
            self.send(frame(kind, payload))
            if isinstance(event, JobComplete) and listener.jobs is not None:
                listener.jobs.discard(event.job_id)

    async def run(self) -> None:
        async with self.hub.listen(
            self.principal.tenant_id, jobs=set(), maxsize=self.settings.ws_queue_size
        ) as listener:
            tasks = [
                asyncio.create_task(self._sender(), name="ws-sender"),
                asyncio.create_task(self._pump(listener), name="ws-pump"),
            ]
            try:
                await self._receive(listener)
            except WebSocketDisconnect:
                pass
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _receive(self, listener: Listener) -> None:
        while True:
            try:
                text = await asyncio.wait_for(
                    self.ws.receive_text(), timeout=self.settings.ws_idle_timeout_s
                )
            except TimeoutError:
                await self.ws.close(code=CLOSE_IDLE, reason="no ping within the idle timeout")
                return
            if len(text) > MAX_FRAME_BYTES:
                self.send(error("message_too_large", "messages are limited to 16 KiB"))
                continue
            try:
                message = json.loads(text)
            except ValueError:
                self.send(error("invalid_message", "messages are JSON objects"))
                continue
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                self.send(error("invalid_message", "a message needs a string 'type'"))
                continue
            await self._handle(listener, message["type"], message.get("payload"))

    async def _handle(self, listener: Listener, kind: str, payload: object) -> None:
        if kind == "ping":
            self.send(frame("pong"))
        elif kind in ("subscribe_job_progress", "unsubscribe_job_progress"):
            job_id = _job_id(payload)
            if job_id is None:
                self.send(error("invalid_message", "payload.job_id must be a UUID"))
            elif kind == "subscribe_job_progress":
                await self._subscribe(listener, job_id)
            elif listener.jobs is not None:
                listener.jobs.discard(job_id)
        elif kind in ("subscribe_live_tail", "unsubscribe_live_tail"):
            self.send(error("not_available", "live tail is not available on this server yet"))
        else:
            self.send(error("unknown_message", f"unknown message type {kind[:50]!r}"))

    async def _subscribe(self, listener: Listener, job_id: UUID) -> None:
        jobs = listener.jobs if listener.jobs is not None else set()
        if job_id not in jobs and len(jobs) >= self.settings.ws_max_subscriptions:
            limit = self.settings.ws_max_subscriptions
            self.send(error("too_many_subscriptions", f"at most {limit} subscriptions"))
            return
        jobs.add(job_id)  # before reading the state: no event can fall in between
        job = await load_job(
            self.resources.db, self.resources.status, self.principal.tenant_id, job_id
        )
        if job is None:
            jobs.discard(job_id)
            self.send(error("subscription_failed", "Job not found", {"job_id": str(job_id)}))
            return
        kind, body = snapshot_event(job)
        self.send(frame(kind, body))
        if kind == "job_complete":
            jobs.discard(job_id)


def _job_id(payload: object) -> UUID | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("job_id"), str):
        return None
    try:
        return UUID(payload["job_id"])
    except ValueError:
        return None
