"""Port allocation, retries after a lost port race, and start-up errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from remedyiq_devstack import RedisServer, ServerStartError, free_port, free_ports
from remedyiq_devstack import _server as server_module
from remedyiq_devstack.ports import WELL_KNOWN_PORTS


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_free_ports_are_distinct_and_avoid_well_known_ports() -> None:
    ports = free_ports(50)
    assert len(set(ports)) == 50
    assert not set(ports) & WELL_KNOWN_PORTS


def test_fixed_port_in_use_fails_with_the_log_tail(busy_port: int) -> None:
    server = RedisServer(port=busy_port)
    with pytest.raises(ServerStartError, match=r"(?s)exited during start-up.*in use"):
        server.start()
    server.cleanup()


def test_lost_port_race_is_retried_on_a_new_port(
    busy_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered = iter([busy_port])
    monkeypatch.setattr(
        server_module, "free_port", lambda owner=None: next(offered, None) or free_port(owner)
    )
    with RedisServer() as server:
        assert server.port != busy_port
        assert server.command("PING") == b"PONG"
        assert "in use" in server.log_path.read_text()


def test_kept_data_dir_keeps_its_ports(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as first:
        port = first.port
    with RedisServer(tmp_path) as second:
        assert second.port == port


def test_kept_port_that_is_now_taken_is_replaced(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as first:
        port = first.port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with RedisServer(tmp_path) as second:
            assert second.port != port


def test_importing_the_plugin_starts_nothing() -> None:
    code = (
        "import sys, threading\n"
        "import remedyiq_devstack.pytest_plugin\n"
        "from remedyiq_devstack import _process\n"
        "assert not list(_process._LIVE)\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "heavy = {'moto', 'boto3', 'botocore'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
