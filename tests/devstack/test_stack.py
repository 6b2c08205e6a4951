"""The whole stack: parallel start, one settings mapping, and no orphan processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from remedyiq_devstack import Stack, StackSettings, env_names

from .helpers import process_tree, wait_until_gone

ENV_NAMES = {
    "REMEDYIQ_NATS_URL",
    "REMEDYIQ_POSTGRES_DSN",
    "REMEDYIQ_REDIS_URL",
    "REMEDYIQ_S3_ENDPOINT",
    "REMEDYIQ_S3_ACCESS_KEY",
    "REMEDYIQ_S3_SECRET_KEY",
    "REMEDYIQ_S3_REGION",
}


def test_env_names() -> None:
    assert set(env_names().values()) == ENV_NAMES


def test_stack_start_and_stop_leaves_no_processes() -> None:
    with Stack() as stack:
        settings = stack.settings
        assert isinstance(settings, StackSettings)
        assert set(settings) == ENV_NAMES
        assert settings["REMEDYIQ_NATS_URL"] == stack.nats.url == settings.nats_url
        assert settings.postgres_dsn.startswith("postgresql://postgres@127.0.0.1:")
        assert stack.redis.command("PING") == b"PONG"
        assert stack.postgres.psql("SELECT 1").strip() == "1"
        pids = stack.pids()
        assert set(pids) == {"nats", "postgres", "redis", "seaweedfs"}
        # PostgreSQL's helpers setsid() into groups of their own: stop() must take them too.
        tree = process_tree(pids.values())
        assert len(tree) > len(pids) + 3
        data_dirs = [stack.nats.data_dir, stack.postgres.data_dir, stack.redis.data_dir]
    assert wait_until_gone(tree, timeout=0) == []
    assert not any(d.exists() for d in data_dirs)


_CHILD = textwrap.dedent(
    """
    import json, sys
    from remedyiq_devstack import Stack

    stack = Stack(sys.argv[1], s3="moto").start()
    print(json.dumps(stack.pids()), flush=True)
    stack.run_until_interrupted()  # already started: just waits, then stops
    """
)


def _start_child(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, int]]:
    # A data dir under /tmp: tmp_path's parents are private to root, and PostgreSQL runs
    # as the postgres user.
    data_dir = Path(f"/tmp/remedyiq-devstack-test-{os.getpid()}-{tmp_path.name}")
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"child stack did not start:\n{err}")
    return proc, json.loads(line)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_no_orphans_when_the_owner_process_is_terminated(
    tmp_path: Path, sig: signal.Signals
) -> None:
    proc, pids = _start_child(tmp_path)
    data_dir = Path(f"/tmp/remedyiq-devstack-test-{os.getpid()}-{tmp_path.name}")
    try:
        assert set(pids) == {"nats", "postgres", "redis"}
        tree = process_tree(pids.values())
        assert len(tree) > len(pids) + 3
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == (0 if sig == signal.SIGTERM else -sig), err
        # SIGTERM: the handler unwinds the `with` block. SIGKILL: nothing runs in the owner,
        # the servers get their parent-death signal from the kernel.
        assert wait_until_gone(tree) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        shutil.rmtree(data_dir, ignore_errors=True)


_EXITING_CHILD = textwrap.dedent(
    """
    import json, sys
    from remedyiq_devstack import Stack

    stack = Stack(s3="moto").start()  # never stopped explicitly
    dirs = [str(s.data_dir) for s in (stack.nats, stack.postgres, stack.redis)]
    print(json.dumps({"pids": stack.pids(), "dirs": dirs}), flush=True)
    sys.stdin.readline()
    """
)


def test_interpreter_exit_stops_the_stack_and_removes_its_temp_dirs() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _EXITING_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        started = json.loads(proc.stdout.readline() or "{}")
        assert started, proc.communicate(timeout=30)[1]
        tree = process_tree(started["pids"].values())
        _, err = proc.communicate("\n", timeout=30)
        assert proc.returncode == 0, err
        assert wait_until_gone(tree, timeout=0) == []  # stopped before the interpreter left
        assert not any(Path(d).exists() for d in started["dirs"])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
