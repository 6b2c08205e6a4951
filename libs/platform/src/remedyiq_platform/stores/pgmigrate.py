"""Numbered, reversible PostgreSQL migrations (``migrations/NNNN_name.{up,down}.sql``).

Run by one command, ``python -m remedyiq_platform.stores.pgmigrate up`` (the Kubernetes
migration Job), never at service start. It connects with the OWNER's DSN: the tables,
functions and policies it creates are owned by that role. It also creates (if missing) the
services' LOGIN role, NOSUPERUSER NOBYPASSRLS and owning nothing, whose name and password are
passed in (never defaulted). Applied versions are recorded in ``schema_migrations``; running
it twice, or twice at once (an advisory lock serialises runs), changes nothing.

``{{app_role}}`` in an up-file is replaced by the quoted app role name. The password is sent
as a SCRAM-SHA-256 verifier computed here, so the plaintext never reaches the server's logs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from importlib import resources
from typing import Any

import asyncpg

from remedyiq_platform.stores.errors import MigrationError

logger = logging.getLogger(__name__)

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PASSWORD = re.compile(r"^[\x20-\x7e]{16,1024}$")  # printable ASCII: SASLprep leaves it as is
_PLACEHOLDER = "{{app_role}}"
_LOCK_KEY = 0x5249_5150  # "RIQP": one migration run per database at a time
MIN_PASSWORD_LENGTH = 16

_SCHEMA_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    app_role   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration: its up and down SQL, and the checksum of the up file."""

    version: int
    name: str
    up: str
    down: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the up file as shipped (before the role is substituted)."""
        return hashlib.sha256(self.up.encode()).hexdigest()


def available() -> list[Migration]:
    """All migrations shipped with this package, in version order."""
    folder = resources.files("remedyiq_platform") / "migrations"
    found: dict[int, dict[str, str]] = {}
    for item in folder.iterdir():
        match = _FILE.match(item.name)
        if match:
            parts = found.setdefault(int(match.group(1)), {"name": match.group(2)})
            parts[match.group(3)] = item.read_text(encoding="utf-8")
    migrations = []
    for version, parts in sorted(found.items()):
        if "up" not in parts or "down" not in parts:
            raise MigrationError(f"migration {version:04d} needs both an up and a down file")
        if _PLACEHOLDER in parts["down"]:
            raise MigrationError(f"migration {version:04d}: the down file cannot use the role")
        migrations.append(Migration(version, parts["name"], parts["up"], parts["down"]))
    return migrations


def scram_sha256_verifier(
    password: str, *, salt: bytes | None = None, iterations: int = 4096
) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}"
        f"${b64(stored_key).decode()}:{b64(server_key).decode()}"
    )


def _check_role_args(app_role: str, app_password: str) -> str:
    if not _ROLE.fullmatch(app_role):
        raise MigrationError(f"app role must be a lower-case SQL identifier, got {app_role!r}")
    if not _PASSWORD.fullmatch(app_password):
        raise MigrationError(
            f"app password must be {MIN_PASSWORD_LENGTH}-1024 printable ASCII characters"
        )
    return f'"{app_role}"'


async def _connect(owner_dsn: str, command_timeout: float) -> Any:
    return await asyncpg.connect(
        owner_dsn,
        timeout=10.0,
        command_timeout=command_timeout,
        server_settings={
            "search_path": "public",  # where the tables go, whatever the owner's default
            "lock_timeout": "10s",  # never queue forever behind (or in front of) live traffic
            "application_name": "remedyiq-migrate",
        },
    )


async def _applied(conn: Any) -> dict[int, tuple[str, str]]:
    await conn.execute(_SCHEMA_TABLE)
    rows = await conn.fetch("SELECT version, checksum, app_role FROM schema_migrations")
    return {row["version"]: (row["checksum"], row["app_role"]) for row in rows}


async def _ensure_app_role(conn: Any, app_role: str, quoted: str, app_password: str) -> None:
    if app_role == await conn.fetchval("SELECT current_user"):
        raise MigrationError("the app role must not be the owner role that runs the migrations")
    verifier = await asyncio.to_thread(scram_sha256_verifier, app_password)
    row = await conn.fetchrow(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", app_role
    )
    if row is None:
        await conn.execute(
            f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE "
            f"PASSWORD '{verifier}'"
        )
        logger.info("created role %s", app_role)
    else:
        if row["rolsuper"] or row["rolbypassrls"]:
            raise MigrationError(f"role {app_role} exists and bypasses row-level security")
        # The secret given now is the password: rotating it = change the secret, rerun the Job.
        await conn.execute(f"ALTER ROLE {quoted} LOGIN PASSWORD '{verifier}'")
    if await conn.fetchval("SELECT pg_has_role($1, current_user, 'MEMBER')", app_role):
        raise MigrationError(f"role {app_role} is a member of the owner role")
    # PUBLIC usually has these already; grant them only if a hardened cluster revoked them.
    if not await conn.fetchval(
        "SELECT has_database_privilege($1, current_database(), 'CONNECT')", app_role
    ):
        database = await conn.fetchval("SELECT quote_ident(current_database())")
        await conn.execute(f"GRANT CONNECT ON DATABASE {database} TO {quoted}")
    if not await conn.fetchval("SELECT has_schema_privilege($1, 'public', 'USAGE')", app_role):
        await conn.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")


async def migrate_up(
    owner_dsn: str,
    *,
    app_role: str,
    app_password: str,
    target: int | None = None,
    command_timeout: float = 600.0,
) -> list[int]:
    """Create/refresh the app role, then apply pending migrations up to ``target`` (all by
    default), each in its own transaction. Returns the versions applied (empty if none)."""
    quoted = _check_role_args(app_role, app_password)
    migrations = available()
    conn = await _connect(owner_dsn, command_timeout)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        await _ensure_app_role(conn, app_role, quoted, app_password)
        done = await _applied(conn)
        ran: list[int] = []
        for migration in migrations:
            if migration.version in done:
                checksum, role = done[migration.version]
                if checksum != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:04d} was edited after it was applied"
                    )
                if role != app_role:
                    raise MigrationError(
                        f"migrations were applied for app role {role!r}, not {app_role!r}"
                    )
                continue
            if target is not None and migration.version > target:
                break
            async with conn.transaction():
                await conn.execute(migration.up.replace(_PLACEHOLDER, quoted))
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, app_role) "
                    "VALUES ($1, $2, $3, $4)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                    app_role,
                )
            logger.info("applied migration %04d_%s", migration.version, migration.name)
            ran.append(migration.version)
        return ran
    finally:
        await conn.close(timeout=10.0)


async def migrate_down(owner_dsn: str, target: int, *, command_timeout: float = 600.0) -> list[int]:
    """Revert applied migrations above ``target`` (0 = all), newest first; returns them.

    The app role is left in place: roles belong to the cluster, not to this database.
    """
    if target < 0:
        raise MigrationError("target must be >= 0")
    conn = await _connect(owner_dsn, command_timeout)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        done = await _applied(conn)
        reverted: list[int] = []
        for migration in reversed(available()):
            if migration.version in done and migration.version > target:
                async with conn.transaction():
                    await conn.execute(migration.down)
                    await conn.execute(
                        "DELETE FROM schema_migrations WHERE version = $1", migration.version
                    )
                logger.info("reverted migration %04d_%s", migration.version, migration.name)
                reverted.append(migration.version)
        return reverted
    finally:
        await conn.close(timeout=10.0)


async def applied_versions(owner_dsn: str) -> list[int]:
    """The versions recorded in ``schema_migrations``, in order."""
    conn = await _connect(owner_dsn, 60.0)
    try:
        return sorted(await _applied(conn))
    finally:
        await conn.close(timeout=10.0)
