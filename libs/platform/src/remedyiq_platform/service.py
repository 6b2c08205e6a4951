"""The one lifecycle of every service process: start, serve health, drain on SIGTERM, stop.

A :class:`Service` is what a service's composition root (its ``app.py``) builds: a broker with
its subscribers, start/stop hooks for its clients, and readiness checks. :func:`serve` runs one or
several services (the local single-process mode runs them all) until SIGTERM or SIGINT, then
drains: ``before_stop`` hooks first, while the broker still runs (the gateway finishes its HTTP
requests, which may publish), then brokers stop consuming and let running handlers finish, then
the ``on_stop`` hooks close the clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import uvicorn
from faststream.nats import NatsBroker

from remedyiq_platform.health import Check, HealthApp

logger = logging.getLogger(__name__)
Hook = Callable[[], Awaitable[None]]


@dataclass
class Service:
    name: str
    broker: NatsBroker
    on_start: list[Hook] = field(default_factory=list)  # connected, before consuming starts
    after_start: list[Hook] = field(default_factory=list)  # run once it consumes
    before_stop: list[Hook] = field(default_factory=list)  # first, while the broker still runs
    on_stop: list[Hook] = field(default_factory=list)  # run after it has drained
    checks: dict[str, Check] = field(default_factory=dict)

    async def start(self) -> None:
        await self.broker.connect()
        for hook in self.on_start:
            await hook()
        await self.broker.start()
        for hook in self.after_start:
            await hook()
        logger.info("%s started", self.name)

    async def stop(self) -> None:
        await self._run_hooks(self.before_stop)
        await self.broker.stop()
        await self._run_hooks(list(reversed(self.on_stop)))
        logger.info("%s stopped", self.name)

    async def _run_hooks(self, hooks: list[Hook]) -> None:
        for hook in hooks:
            try:
                await hook()
            except Exception:
                logger.exception("%s: a stop hook failed", self.name)


async def serve(
    services: list[Service],
    *,
    health_host: str,
    health_port: int | None,
    stop_event: asyncio.Event | None = None,
) -> None:
    """Run ``services`` until SIGTERM/SIGINT (or ``stop_event``), then drain and stop them."""
    stop = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    draining = False
    health_server: uvicorn.Server | None = None
    health_task: asyncio.Task[None] | None = None
    started: list[Service] = []
    try:
        for service in services:
            await service.start()
            started.append(service)
        if health_port is not None:
            checks = {f"{s.name}.{k}": v for s in services for k, v in s.checks.items()}
            name = services[0].name if len(services) == 1 else "remedyiq"
            app = HealthApp(name, checks, lambda: draining)
            config = uvicorn.Config(
                app, host=health_host, port=health_port, log_level="warning", lifespan="off"
            )
            health_server = uvicorn.Server(config)
            health_task = asyncio.create_task(health_server.serve())
        await stop.wait()
        logger.info("stopping: draining in-flight work")
    finally:
        draining = True
        for service in reversed(started):
            await service.stop()
        if health_server is not None and health_task is not None:
            health_server.should_exit = True
            await health_task
        for sig in handled:  # the loop may live on (tests, an embedding launcher)
            loop.remove_signal_handler(sig)
