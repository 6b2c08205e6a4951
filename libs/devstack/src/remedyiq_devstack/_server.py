"""Base classes: the start/stop lifecycle every server shares."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import signal
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from remedyiq_devstack._process import ManagedProcess, ServerStartError, format_tail, wait_until
from remedyiq_devstack.ports import free_port, reserve_if_free

logger = logging.getLogger(__name__)

_BIND_ERRORS = ("address already in use", "eaddrinuse")
_PORTS_FILE = "devstack-ports.json"
_PORT_ATTEMPTS = 4


class Lifecycle(ABC):
    """``start``/``stop``/``cleanup`` plus sync and async context-manager support."""

    @abstractmethod
    def start(self) -> Self:
        """Start the server and wait until it is ready; a no-op if it is running."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the server, keeping its data (so ``start`` can resume it); idempotent."""

    def cleanup(self) -> None:
        """Stop the server and delete data it created itself (temporary directories)."""
        self.stop()

    def restart(self) -> Self:
        """Stop and start again, on the same ports and data."""
        self.stop()
        return self.start()

    async def astart(self) -> Self:
        """``start`` in a worker thread, for use inside an event loop."""
        return await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        """``stop`` in a worker thread, for use inside an event loop."""
        await asyncio.to_thread(self.stop)

    async def arestart(self) -> Self:
        """``restart`` in a worker thread, for use inside an event loop."""
        return await asyncio.to_thread(self.restart)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.cleanup()  # __exit__ will not run
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    async def __aenter__(self) -> Self:
        try:
            return await self.astart()
        except BaseException:
            await asyncio.to_thread(self.cleanup)
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.cleanup)


class Server(Lifecycle):
    """A server run as a child process, with its data in one directory.

    ``data_dir=None`` means a fresh temporary directory, deleted by ``cleanup()`` (and so on
    leaving a ``with`` block); ``stop()`` alone keeps the data so ``start()`` can resume.
    Ports chosen automatically are kept across restarts.
    """

    name: ClassVar[str]
    log_name: ClassVar[str]
    port_names: ClassVar[tuple[str, ...]]
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        ports: Mapping[str, int | None] | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._data_dir = Path(data_dir).absolute() if data_dir is not None else None
        self._owns_data_dir = False
        self._proc: ManagedProcess | None = None
        self._requested_ports = {k: v for k, v in (ports or {}).items() if v}
        unknown = set(self._requested_ports) - set(self.port_names)
        if unknown:
            raise ValueError(f"{self.name} has no listener named {sorted(unknown)}")
        self._ports: dict[str, int] = {}
        self._ports_fixed = set(self._requested_ports) == set(self.port_names)
        self._lock = threading.RLock()
        self.startup_seconds: float | None = None

    # -- hooks for subclasses -------------------------------------------------------------

    @abstractmethod
    def _command(self) -> list[str]:
        """The argv that starts the server in the foreground."""

    @abstractmethod
    def _is_ready(self) -> bool:
        """One cheap readiness probe."""

    def _prepare(self) -> None:
        """Prepare the data directory before the first spawn (e.g. ``initdb``)."""

    def _env(self) -> Mapping[str, str] | None:
        return None

    def _run_as(self) -> tuple[int, int] | None:
        return None

    def _after_stop(self) -> None:
        """Remove leftovers of a stopped server (sockets outside the data dir, ...)."""

    # -- public API ------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """The directory holding this server's data and log (created on first use)."""
        with self._lock:
            if self._data_dir is None:
                self._data_dir = Path(tempfile.mkdtemp(prefix=f"remedyiq-{self.name}-"))
                self._owns_data_dir = True
            self._data_dir.mkdir(parents=True, exist_ok=True)
            return self._data_dir

    @property
    def log_path(self) -> Path:
        """The server's combined stdout/stderr log."""
        return self.data_dir / self.log_name

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._proc is not None and self._proc.alive()

    @property
    def pid(self) -> int | None:
        """Process id of the server, which is also its process-group id."""
        return self._proc.pid if self._proc is not None else None

    @property
    def ports(self) -> Mapping[str, int]:
        """Every listener's port by name (empty until the first start)."""
        return dict(self._ports)

    def _port(self, name: str) -> int:
        return self._ports.get(name) or self._requested_ports.get(name) or 0

    def _choose_ports(self, first_attempt: bool) -> None:
        owner = str(self.data_dir)
        remembered = self._remembered_ports(owner) if first_attempt else {}
        self._ports = {
            name: self._requested_ports.get(name) or remembered.get(name) or free_port(owner)
            for name in self.port_names
        }

    def _remembered_ports(self, owner: str) -> dict[str, int]:
        """Ports of the previous run in a kept data dir, if all are still free: stable URLs."""
        if self._owns_data_dir:
            return {}
        try:
            saved = json.loads((self.data_dir / _PORTS_FILE).read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(saved, dict) or set(saved) != set(self.port_names):
            return {}
        ports = {str(k): int(v) for k, v in saved.items()}
        return ports if all(reserve_if_free(p, owner) for p in ports.values()) else {}

    def log_tail(self) -> str:
        """The last lines of the server's log, for error messages."""
        return format_tail(self.log_path)

    def start(self) -> Self:
        """Start the server and wait until it is ready (no-op if it is running).

        Raises ``ServerStartError`` with the tail of the server's log if it does not come up
        within ``startup_timeout``. Automatically chosen ports are retried when another
        process grabbed one of them first.
        """
        with self._lock:
            if self.running:
                return self
            began = time.monotonic()
            self._prepare()
            attempts = 1 if self._ports_fixed else _PORT_ATTEMPTS
            for attempt in range(1, attempts + 1):
                if not self._ports_fixed:
                    self._choose_ports(first_attempt=attempt == 1)
                offset = self.log_path.stat().st_size if self.log_path.exists() else 0
                try:
                    self._spawn_and_wait()
                except ServerStartError:
                    if attempt < attempts and self._bind_failed(offset):
                        logger.info("%s: a port was taken, retrying on new ports", self.name)
                        continue
                    raise
                break
            self._ports_fixed = True  # a restart must come back on the same ports
            if not self._owns_data_dir:
                (self.data_dir / _PORTS_FILE).write_text(json.dumps(self._ports))
            self.startup_seconds = time.monotonic() - began
            logger.info("%s ready in %.2f s (pid %s)", self.name, self.startup_seconds, self.pid)
            return self

    def _spawn_and_wait(self) -> None:
        run_as = self._run_as()
        proc = ManagedProcess(
            self._command(),
            log_path=self.log_path,
            env=self._env(),
            cwd=self.data_dir,
            user=run_as[0] if run_as else None,
            group=run_as[1] if run_as else None,
            stop_signal=self.stop_signal,
        )
        proc.start()
        self._proc = proc
        try:
            wait_until(
                self._is_ready,
                timeout=self.startup_timeout,
                what=f"{self.name} ({' '.join(proc.argv[:1])})",
                alive=proc.alive,
                log_path=self.log_path,
            )
            if not proc.alive():  # a foreign server on our port answered the probe
                raise ServerStartError(f"{self.name} exited during start-up{self.log_tail()}")
        except BaseException:
            self._proc = None
            proc.stop(self.stop_timeout)
            self._after_stop()
            raise

    def _bind_failed(self, offset: int) -> bool:
        if not self.log_path.exists():
            return False
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", errors="replace").lower()
        return any(marker in text for marker in _BIND_ERRORS)

    def stop(self) -> None:
        """Stop the server (its whole process group) and keep its data; idempotent."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            proc.stop(self.stop_timeout)
            self._after_stop()
            logger.info("%s stopped", self.name)

    def cleanup(self) -> None:
        """Stop the server and delete its data directory if this object created it."""
        with self._lock:
            self.stop()
            if self._owns_data_dir and self._data_dir is not None:
                shutil.rmtree(self._data_dir, ignore_errors=True)
                self._data_dir = None
                self._owns_data_dir = False
