"""Process groups and process trees (Linux ``/proc``), for stopping servers completely."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from pathlib import Path

logger = logging.getLogger(__name__)


def signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to process group ``pgid``, ignoring a group that is already gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of ``pid`` from /proc; None if it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the command name may contain spaces
    if fields[0] == "Z":
        return None
    return int(fields[1]), int(fields[19])


def descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every live descendant of ``pid`` (Linux /proc; [] elsewhere)."""
    children: dict[int, list[tuple[int, int]]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None:
                children.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: list[tuple[int, int]] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def kill_leftovers(tree: list[tuple[int, int]]) -> None:
    """SIGKILL the processes of ``tree`` that are still alive (same pid *and* start time)."""
    for pid, started in tree:
        stat = _proc_stat(pid)
        if stat is not None and stat[1] == started:
            logger.warning("killing leftover process %d", pid)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
