"""Free loopback ports that stay clear of the well-known ports of real servers.

A port is found by binding to port 0 and releasing it, so another process can still take it
before our server binds; servers therefore retry with fresh ports when they fail to bind
(see ``Server.start``). Ports handed out recently are remembered, so two servers started in
parallel never get the same one.
"""

from __future__ import annotations

import socket
import threading
import time

LOOPBACK = "127.0.0.1"

# Default ports of servers a developer may already run, and neighbours they open.
WELL_KNOWN_PORTS: frozenset[int] = frozenset(
    {
        *(3000, 5000, 5432, 5433, 6379, 6380, 7333, 8000, 8080, 8081),
        *(4222, 6222, 8222, 7422, 7522),  # NATS client, cluster, monitor, leaf, gateway
        *(8123, 8443, 9000, 9004, 9005, 9009, 9440),  # ClickHouse
        *(8333, 8888, 9333, 9340, 8181, 9101, 18333, 18888, 19333, 23646, 33646),  # SeaweedFS
        *(9001, 9090, 9200, 9300, 11211, 15672, 5672, 27017, 9092, 2181, 4317, 4318, 16686),
    }
)

_RECENT_SECONDS = 120.0
_recent: dict[int, tuple[float, str | None]] = {}  # port -> (handed out at, owner)
_lock = threading.Lock()


def _bind_ephemeral() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def _expire(now: float) -> None:
    for port, (at, _) in list(_recent.items()):
        if now - at > _RECENT_SECONDS:
            del _recent[port]


def free_port(owner: str | None = None) -> int:
    """Return a loopback TCP port that is free now and was not handed out recently."""
    with _lock:
        now = time.monotonic()
        _expire(now)
        for _ in range(200):
            port = _bind_ephemeral()
            if port in WELL_KNOWN_PORTS or port in _recent:
                continue
            _recent[port] = (now, owner)
            return port
    raise RuntimeError("could not find a free loopback port")


def reserve_if_free(port: int, owner: str | None = None) -> bool:
    """Claim ``port`` if it can be bound now and was not recently handed to someone else."""
    with _lock:
        now = time.monotonic()
        _expire(now)
        if port in _recent and (owner is None or _recent[port][1] != owner):
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                return False
        _recent[port] = (now, owner)
        return True


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct free ports (see ``free_port``)."""
    return [free_port() for _ in range(count)]


def port_accepts(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    """True if something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
