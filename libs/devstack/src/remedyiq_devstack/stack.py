"""All of RemedyIQ's servers together, started in parallel and stopped in reverse order."""

from __future__ import annotations

import atexit
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, fields
from pathlib import Path
from types import FrameType
from typing import ClassVar, Literal, Self

from remedyiq_devstack._server import Lifecycle, Server
from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.postgres_server import PostgresServer
from remedyiq_devstack.redis_server import RedisServer
from remedyiq_devstack.s3 import S3Service
from remedyiq_devstack.s3_moto import MotoS3Server
from remedyiq_devstack.s3_seaweedfs import SeaweedS3Server

logger = logging.getLogger(__name__)

S3Backend = Literal["seaweedfs", "moto"]


@dataclass(frozen=True)
class StackSettings(Mapping[str, str]):
    """The stack's endpoints, typed, and readable as a mapping of environment variables.

    ``os.environ.update(stack.settings)`` or ``subprocess.run(..., env={**os.environ,
    **stack.settings})`` hands them to services.
    """

    nats_url: str
    postgres_dsn: str
    redis_url: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    s3_region: str

    ENV_PREFIX: ClassVar[str] = "REMEDYIQ_"

    @classmethod
    def env_name(cls, field: str) -> str:
        """Environment variable name of a field, e.g. ``nats_url`` -> ``REMEDYIQ_NATS_URL``."""
        return cls.ENV_PREFIX + field.upper()

    def as_env(self) -> dict[str, str]:
        """``{"REMEDYIQ_NATS_URL": ..., ...}``."""
        return {self.env_name(f.name): getattr(self, f.name) for f in fields(self)}

    def __getitem__(self, key: str) -> str:
        return self.as_env()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_env())

    def __len__(self) -> int:
        return len(fields(self))


class Stack(Lifecycle):
    """NATS, PostgreSQL, Redis and S3 (SeaweedFS by default, moto for tests).

    With ``data_dir`` each server keeps its data in a subdirectory (``nats/``, ``postgres/``,
    ``redis/``, ``s3/``) across runs; without it everything lives in temporary directories
    that ``cleanup()`` (or leaving the ``with`` block) deletes. The stack is also stopped at
    interpreter exit, and every server dies with this process even on SIGKILL.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        s3: S3Backend = "seaweedfs",
        s3_access_key: str = "remedyiq",
        s3_secret_key: str | None = None,
        postgres_prefer: Literal["system", "embedded"] = "system",
    ) -> None:
        root = Path(data_dir).absolute() if data_dir is not None else None

        def sub(name: str) -> Path | None:
            return root / name if root is not None else None

        self.nats = NatsServer(sub("nats"))
        self.postgres = PostgresServer(sub("postgres"), prefer=postgres_prefer)
        self.redis = RedisServer(sub("redis"))
        self.s3: S3Service
        if s3 == "moto":
            self.s3 = MotoS3Server(access_key=s3_access_key, secret_key=s3_secret_key or "testing")
        else:
            self.s3 = SeaweedS3Server(sub("s3"), access_key=s3_access_key, secret_key=s3_secret_key)
        self._lock = threading.RLock()

    @property
    def services(self) -> tuple[Lifecycle, ...]:
        """The servers in start order (they are stopped in reverse)."""
        return (self.nats, self.postgres, self.redis, self.s3)

    @property
    def settings(self) -> StackSettings:
        """Endpoints of the running stack."""
        s3 = self.s3.endpoint
        return StackSettings(
            nats_url=self.nats.url,
            postgres_dsn=self.postgres.dsn,
            redis_url=self.redis.url,
            s3_endpoint=s3.endpoint_url,
            s3_access_key=s3.access_key,
            s3_secret_key=s3.secret_key,
            s3_region=s3.region,
        )

    def pids(self) -> dict[str, int]:
        """Process (and process-group) ids of the servers that run as child processes."""
        return {s.name: s.pid for s in self.services if isinstance(s, Server) and s.pid is not None}

    def start(self) -> Self:
        """Start every server in parallel; on any failure stop the others and raise."""
        with self._lock:
            errors: list[BaseException] = []
            try:
                with ThreadPoolExecutor(len(self.services), "devstack-start") as pool:
                    futures = [pool.submit(s.start) for s in self.services]
                    wait(futures)
                errors = [e for f in futures if (e := f.exception()) is not None]
            except BaseException:  # Ctrl-C while waiting: the pool has finished by now
                self.stop()
                raise
            if errors:
                self.stop()
                if len(errors) == 1:
                    raise errors[0]
                raise BaseExceptionGroup("devstack: servers failed to start", errors)
            atexit.register(self.cleanup)
            logger.info("devstack ready: %s", self.describe())
            return self

    def describe(self) -> str:
        """One line with every endpoint (no secrets)."""
        s = self.settings
        return f"nats={s.nats_url} postgres={s.postgres_dsn} redis={s.redis_url} s3={s.s3_endpoint}"

    def stop(self) -> None:
        """Stop every server, in reverse start order, even if one of them fails to stop."""
        with self._lock:
            atexit.unregister(self.cleanup)
            errors: list[Exception] = []
            for service in reversed(self.services):
                try:
                    service.stop()
                except Exception as exc:
                    logger.exception("devstack: could not stop %r", service)
                    errors.append(exc)
            if errors:
                raise errors[0]

    def cleanup(self) -> None:
        """Stop everything and delete the temporary data directories."""
        with self._lock:
            self.stop()
            for service in reversed(self.services):
                service.cleanup()

    def run_until_interrupted(self) -> None:
        """Start, block until Ctrl-C, SIGTERM or SIGHUP, then stop (for a foreground launcher)."""
        with contextlib.suppress(KeyboardInterrupt), interrupt_on_sigterm(), self:
            threading.Event().wait()


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt in the main thread, so ``with`` blocks
    unwind and stop their servers. Does nothing outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    for sig in previous:
        signal.signal(sig, raise_interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def env_names() -> Mapping[str, str]:
    """Field name -> environment variable name, e.g. ``{"nats_url": "REMEDYIQ_NATS_URL"}``."""
    return {f.name: StackSettings.env_name(f.name) for f in fields(StackSettings)}
