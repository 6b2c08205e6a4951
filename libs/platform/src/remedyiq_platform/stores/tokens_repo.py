"""API tokens for other systems: ``riq_`` + 32 random URL-safe characters.

The plaintext is returned once, by :func:`create_token`; only its SHA-256 is stored. A
presented token is resolved with :func:`verify_token` on a ``Database.system()`` connection
(the SECURITY DEFINER function ``tenant_for_token``); everything else takes a tenant
connection from ``Database.tenant(...)``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

TOKEN_PREFIX = "riq_"
_TOKEN = re.compile(r"^riq_[A-Za-z0-9_-]{32}$")
_SHOWN = 12  # characters of the plaintext kept to recognise a token ("riq_" + 8)


class ApiToken(BaseModel):
    """An ``api_tokens`` row, without its hash."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    tenant_id: UUID
    name: str
    token_prefix: str
    scopes: list[str]
    created_by: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIdentity(BaseModel):
    """Who a verified token speaks for."""

    model_config = ConfigDict(frozen=True)

    tenant_id: UUID
    token_id: UUID
    scopes: list[str]


_COLUMNS = (
    "id, tenant_id, name, token_prefix, scopes, created_by, created_at, last_used_at, revoked_at"
)


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token: ``riq_`` + 32 URL-safe characters (192 random bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


async def create_token(
    conn: Any, *, name: str, scopes: Sequence[str] = (), created_by: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the connection's tenant; returns the row and the plaintext token.

    The plaintext is not stored anywhere: show it to the user now or never.
    """
    token = new_token()
    row = await conn.fetchrow(
        f"""
        INSERT INTO api_tokens (name, token_prefix, token_hash, scopes, created_by)
        VALUES ($1, $2, $3, $4, $5)
        RETURNING {_COLUMNS}
        """,
        name,
        token[:_SHOWN],
        hash_token(token),
        list(scopes),
        created_by,
    )
    return ApiToken.model_validate(dict(row)), token


async def verify_token(conn: Any, token: str) -> TokenIdentity | None:
    """The tenant, token id and scopes of a valid, unrevoked token; None otherwise.

    Use a ``Database.system()`` connection. Malformed tokens are refused without a query.
    """
    if not _TOKEN.fullmatch(token):
        return None
    row = await conn.fetchrow(
        "SELECT tenant_id, token_id, scopes FROM tenant_for_token($1)", hash_token(token)
    )
    return None if row is None else TokenIdentity.model_validate(dict(row))


async def list_tokens(conn: Any, *, include_revoked: bool = False) -> list[ApiToken]:
    """The tenant's tokens, newest first."""
    rows = await conn.fetch(
        f"""
        SELECT {_COLUMNS} FROM api_tokens
        WHERE $1 OR revoked_at IS NULL
        ORDER BY created_at DESC, id DESC
        """,
        include_revoked,
    )
    return [ApiToken.model_validate(dict(row)) for row in rows]


async def revoke_token(conn: Any, token_id: UUID) -> bool:
    """Revoke a token; True if it was active, False if already revoked or not found."""
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", token_id
    )
    return bool(status == "UPDATE 1")
