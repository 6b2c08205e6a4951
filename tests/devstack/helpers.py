"""Shared helpers for the devstack tests."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterable
from typing import Any

from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]

from remedyiq_devstack import S3Endpoint


def _ps() -> list[tuple[int, int, str, str]]:
    out = subprocess.run(
        ["ps", "-eo", "pid=,ppid=,stat=,args="], capture_output=True, text=True, check=True
    ).stdout
    rows = []
    for line in out.splitlines():
        pid, ppid, stat, *args = line.split(None, 3)
        rows.append((int(pid), int(ppid), stat, args[0] if args else ""))
    return rows


def process_tree(roots: Iterable[int]) -> set[int]:
    """``roots`` and all their live descendants, according to ``ps``."""
    rows = _ps()
    found = set(roots)
    grew = True
    while grew:
        extra = {pid for pid, ppid, _, _ in rows if ppid in found and pid not in found}
        found |= extra
        grew = bool(extra)
    return found


def live(pids: Iterable[int]) -> list[str]:
    """``ps`` lines of the processes among ``pids`` that are still running (not zombies)."""
    wanted = set(pids)
    return [
        f"{pid} {stat} {args}"
        for pid, _, stat, args in _ps()
        if pid in wanted and not stat.startswith("Z")
    ]


def wait_until_gone(pids: Iterable[int], timeout: float = 15.0) -> list[str]:
    """Poll ``ps`` until none of ``pids`` runs; return what still runs at the deadline."""
    wanted = list(pids)
    deadline = time.monotonic() + timeout
    while True:
        left = live(wanted)
        if not left or time.monotonic() > deadline:
            return left
        threading.Event().wait(0.1)


def aio_s3_kwargs(endpoint: S3Endpoint) -> dict[str, Any]:
    """Keyword arguments for ``aioboto3.Session().client("s3", **kwargs)``."""
    return {
        "endpoint_url": endpoint.endpoint_url,
        "aws_access_key_id": endpoint.access_key,
        "aws_secret_access_key": endpoint.secret_key,
        "region_name": endpoint.region,
        "config": Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    }
