"""uvicorn inside an event loop someone else owns (the launcher's one-process mode, tests).

The process's signals belong to the launcher (``remedyiq_platform.service.serve``): this server
never installs handlers; it is stopped by :meth:`EmbeddedServer.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator
from typing import Any

import uvicorn

logger = logging.getLogger(__name__)


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server run as a task: ``await start()`` … ``await stop()``."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the owner of the loop handles SIGTERM/SIGINT and calls stop()

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        for server in self.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        raise RuntimeError("the server is not listening")

    async def start(self, timeout_s: float = 30.0) -> None:
        self._task = asyncio.create_task(self.serve(), name="gateway-http")
        async with asyncio.timeout(timeout_s):
            while not self.started:
                if self._task.done():
                    self._task.result()  # raises what stopped it
                    raise RuntimeError("the HTTP server stopped during start-up")
                await asyncio.sleep(0.02)
        logger.info("gateway listening on %s:%d", self.config.host, self.port)

    async def stop(self, grace_s: float = 10.0) -> None:
        if self._task is None:
            return
        self.should_exit = True
        try:
            async with asyncio.timeout(grace_s):
                await asyncio.shield(self._task)
        except TimeoutError:
            self.force_exit = True  # long-lived streams (SSE, WebSocket) are cut
            await self._task
        self._task = None


def embedded(app: Any, host: str, port: int) -> EmbeddedServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        access_log=False,
        timeout_graceful_shutdown=5,
        proxy_headers=True,
    )
    return EmbeddedServer(config)
