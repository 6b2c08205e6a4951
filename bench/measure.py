"""Running a command while sampling the peak memory of its whole process tree.

Two sums over the tree: RSS counts a page shared by forked workers once per process; PSS
(proportional set size) shares it out, so it is the memory the tree really holds — the figure
the targets are about. For one process (the reference's JVM) the two agree.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True, slots=True)
class Run:
    wall_s: float
    peak_rss_mb: float
    peak_pss_mb: float
    returncode: int


def run_measured(command: list[str], *, cwd: str | None = None, interval: float = 0.05) -> Run:
    """Run ``command``; wall time and the largest sums of RSS and PSS over it and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                tree = [p for p in (root, *root.children(recursive=True)) if p.is_running()]
                memory = [p.memory_full_info() for p in tree]
                peak = max(peak, sum(m.rss for m in memory))
                peak_pss = max(peak_pss, sum(m.pss for m in memory))
            except psutil.Error:
                pass
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {err.decode()[-2000:]}")
    return Run(wall, peak / 1024 / 1024, peak_pss / 1024 / 1024, process.returncode)
