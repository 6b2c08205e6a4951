"""``remedyiq up`` — what ``make run``, the README's first command, runs — end to end: the
servers and every service start, a log submitted from the command line completes with the
figures ``remedyiq analyze`` gives, the gateway answers, and Ctrl-C stops everything it started."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from remedyiq_devstack.ports import free_port

from .helpers import process_tree, wait_until_gone

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
REMEDYIQ = Path(sys.executable).with_name("remedyiq")
LOG = "sample2_legacy_oracle.log"


class Output:
    """The lines a process prints, collected by a thread (its pipe never fills)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stdout is not None
        stream = self._stream = process.stdout
        self._thread = threading.Thread(target=lambda: self.lines.extend(stream), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._thread.join(5)
        self._stream.close()

    def wait_for(self, text: str, process: subprocess.Popen[str], within_s: float) -> None:
        deadline = time.monotonic() + within_s
        while not any(text in line for line in self.lines):
            if process.poll() is not None or time.monotonic() > deadline:
                self._thread.join(2)
                raise AssertionError(f"no {text!r} in:\n{''.join(self.lines)}")
            threading.Event().wait(0.1)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A state folder the postgres OS user can reach (pytest's tmp_path parents are 0700)."""
    base = Path(tempfile.mkdtemp(prefix="remedyiq-up-"))
    base.chmod(0o711)
    yield base / "stack"
    shutil.rmtree(base, ignore_errors=True)


def _ready(port: int, within_s: float) -> dict[str, object]:
    deadline = time.monotonic() + within_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                body: dict[str, object] = json.loads(answer.read())
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            threading.Event().wait(0.5)


def _cli(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(REMEDYIQ), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_up_runs_the_platform_and_ctrl_c_stops_it(
    tmp_path: Path, data_dir: Path, fixtures_dir: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMEDYIQ_")}
    data, port = data_dir, free_port("test-up")
    up = subprocess.Popen(
        [str(REMEDYIQ), "up", "--data-dir", str(data), "--api-port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    output = Output(up)
    try:
        output.wait_for("RemedyIQ is running", up, within_s=180)
        assert _ready(port, within_s=120)["status"] == "ready"

        settings = ("--env-file", str(data / "stack.env"))
        log = fixtures_dir / LOG
        submitted = _cli("submit", str(log), "--wait", *settings, env=env, cwd=tmp_path)
        assert "complete in" in submitted, submitted
        job = submitted.split()[1]
        stored = json.loads(
            _cli("report", job, "--format", "json", *settings, env=env, cwd=tmp_path)
        )
        local = json.loads(
            _cli("analyze", str(log), "-q", "--format", "json", env=env, cwd=tmp_path)
        )
        assert stored == local
        text = _cli("report", job, "--format", "text", *settings, env=env, cwd=tmp_path)
        last = text.rstrip().splitlines()[-1]  # the reference's "Duration:": the job's own time
        assert last.startswith("Duration: ")
        assert last != "Duration: 0.000"

        servers = process_tree([up.pid])
        assert len(servers) >= 5  # up, NATS, PostgreSQL (with its backends), Redis, SeaweedFS…
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=90) == 0
        output.wait_for("RemedyIQ stopped", up, within_s=5)
        assert wait_until_gone(servers, timeout=30) == []
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        output.close()
