"""The bench's view of processes: CPU by thread, and work in a fresh interpreter."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

MERGES = "MergeMutate"  # the embedded ClickHouse's background merge threads


def cpu_by_thread_name(pid: int) -> dict[str, float]:
    """CPU seconds of a process's live threads, summed by thread name: the embedded ClickHouse
    names its threads (``ThreadPool``, ``MergeMutate`` …); Python's are ``python``."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text(encoding="utf-8").strip()
            fields = (task / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return found


def minor_faults(pid: int) -> int:
    """Minor page faults of a process so far (``/proc/<pid>/stat``, its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return int(fields[7])


def in_fresh_process(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a new Python process (``fn`` a module-level function): chDB allows one
    data directory per process, and a process that opened one keeps it."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()
