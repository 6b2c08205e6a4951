"""Child-process plumbing shared by every server: spawn, wait, stop, read the log.

Every server runs in its own session (``setsid``); stopping it signals the whole process
group, then kills any descendant left over (PostgreSQL's helpers ``setsid()`` into groups of
their own). Children also get a parent-death signal, so they go away even if the Python
process is killed with SIGKILL.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any, TypeVar

from remedyiq_devstack._proctree import descendants, kill_leftovers, signal_group

logger = logging.getLogger(__name__)

T = TypeVar("T")

LOG_TAIL_LINES = 40

_PR_SET_PDEATHSIG = 1


class ServerStartError(RuntimeError):
    """A server did not become ready; the message ends with the tail of its log."""


def pause(seconds: float) -> None:
    """Block the calling thread for ``seconds`` (never call this on an event loop)."""
    threading.Event().wait(seconds)


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    log_path: Path | None = None,
) -> None:
    """Poll ``ready`` until it returns True; fail with the log tail on timeout or early exit."""
    deadline = time.monotonic() + timeout
    interval = 0.005
    while True:
        if alive is not None and not alive():
            raise ServerStartError(f"{what} exited during start-up{format_tail(log_path)}")
        if ready():
            return
        if time.monotonic() > deadline:
            raise ServerStartError(
                f"{what} was not ready after {timeout:.1f} s{format_tail(log_path)}"
            )
        pause(interval)
        interval = min(interval * 1.5, 0.1)


def read_tail(path: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    """Return the last ``lines`` lines of a log file ('' if it does not exist)."""
    if path is None or not path.exists():
        return ""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 64 * 1024))
        data = fh.read().decode("utf-8", errors="replace")
    return "\n".join(data.splitlines()[-lines:])


def format_tail(path: Path | None) -> str:
    """Render a log tail for an error message."""
    tail = read_tail(path)
    if not tail:
        return f" (log {path} is empty)" if path else ""
    return f"; last lines of {path}:\n{tail}"


@functools.cache
def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


def _make_preexec(death_signal: signal.Signals) -> Callable[[], None] | None:
    # prctl is resolved here, in the parent: the pre-exec hook must not import or allocate.
    prctl = _load_prctl()
    if prctl is None:
        return None
    signum = int(death_signal)

    def set_parent_death_signal() -> None:
        # Runs in the child after setuid (CPython applies user= before preexec_fn), so the
        # setting survives the credential change and the exec.
        prctl(_PR_SET_PDEATHSIG, signum)

    return set_parent_death_signal


class _Spawner:
    """One daemon thread that forks every child.

    Trap: the parent-death signal fires when the *thread* that forked the child exits, not
    the process. Forking from a ThreadPoolExecutor worker would kill the server as soon as
    the pool shuts down, so every fork happens on this thread, which lives as long as the
    process does.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="remedyiq-devstack-spawner", daemon=True
                )
                self._thread.start()
        future: Future[T] = Future()
        self._jobs.put((fn, future))
        return future

    def _loop(self) -> None:
        while True:
            fn, future = self._jobs.get()
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)


_SPAWNER = _Spawner()
_LIVE: weakref.WeakSet[ManagedProcess] = weakref.WeakSet()


class ManagedProcess:
    """A server child process in its own session, with stdout and stderr going to a log file."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: int | None = None,
        group: int | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        self.stop_signal = stop_signal
        self._env = dict(env) if env is not None else None
        self._cwd = cwd
        self._user = user
        self._group = group
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process-group id), or None if not started."""
        return self._popen.pid if self._popen is not None else None

    def start(self) -> None:
        """Spawn the process (returns at once; readiness is the caller's business)."""
        if self._popen is not None:
            raise RuntimeError(f"{self.argv[0]} already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        logger.debug("starting %s", " ".join(self.argv))
        future = _SPAWNER.submit(self._spawn)
        try:
            self._popen = future.result()
        except BaseException as exc:
            if not isinstance(exc, Exception):
                # Interrupted (Ctrl-C) while the spawner thread forks: let it finish (that
                # takes milliseconds), then stop what it started instead of losing track of it.
                with contextlib.suppress(Exception):
                    self._popen = future.result(timeout=10)
                    _LIVE.add(self)
                    self.stop(timeout=2)
            if self._log is not None:
                self._log.close()
                self._log = None
            raise
        _LIVE.add(self)

    def _spawn(self) -> subprocess.Popen[bytes]:
        extra: dict[str, Any] = {}
        if self._user is not None:
            extra = {"user": self._user, "group": self._group, "extra_groups": []}
        return subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self._env,
            cwd=self._cwd,
            start_new_session=True,
            preexec_fn=_make_preexec(self.stop_signal),  # noqa: PLW1509 - see _Spawner
            close_fds=True,
            **extra,
        )

    def alive(self) -> bool:
        """True while the process has not exited."""
        return self._popen is not None and self._popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Signal the process group, wait, escalate to SIGKILL, then kill any descendant left
        (PostgreSQL's backends ``setsid()`` into groups of their own); idempotent."""
        popen = self._popen
        if popen is None:
            return
        pgid = popen.pid
        try:
            tree = descendants(pgid)
            if popen.poll() is None:
                signal_group(pgid, self.stop_signal)
                if not _wait_exited(popen, timeout):
                    logger.warning("%s did not stop in %.1f s; killing it", self.argv[0], timeout)
                    signal_group(pgid, signal.SIGKILL)
                    _wait_exited(popen, 5.0)
            # Leftovers are killed while the leader is still unreaped, so its pid (= the pgid)
            # cannot have been reused yet; descendants are matched by pid and start time.
            signal_group(pgid, signal.SIGKILL)
            kill_leftovers(tree)
            popen.wait(timeout=5.0)
        finally:
            self._popen = None
            _LIVE.discard(self)
            if self._log is not None:
                self._log.close()
                self._log = None


def _wait_exited(popen: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for exit without reaping the child (``WNOWAIT``)."""
    if popen.returncode is not None:
        return True
    deadline = time.monotonic() + timeout
    interval = 0.005
    while True:
        try:
            info = os.waitid(os.P_PID, popen.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        if info is not None:
            return True
        if time.monotonic() > deadline:
            return False
        pause(interval)
        interval = min(interval * 1.5, 0.05)


def stop_all(timeout: float = 5.0) -> None:
    """Stop every process this module started that is still running."""
    for proc in list(_LIVE):
        try:
            proc.stop(timeout)
        except Exception:
            logger.exception("could not stop %s", proc.argv[0])


atexit.register(stop_all)
