"""Saved searches (KQL) of a tenant's users, with pinning. Connections from ``Database.tenant``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from remedyiq_platform.stores.errors import NotFoundError


class SavedSearch(BaseModel):
    """A ``saved_searches`` row."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    tenant_id: UUID
    user_id: str
    name: str
    kql_query: str
    filters: dict[str, Any]
    is_pinned: bool
    created_at: datetime
    updated_at: datetime


def _search(row: Any) -> SavedSearch:
    return SavedSearch.model_validate(dict(row))


async def create_search(
    conn: Any,
    *,
    user_id: str,
    name: str,
    kql_query: str,
    filters: dict[str, Any] | None = None,
    is_pinned: bool = False,
) -> SavedSearch:
    """Save a search for ``user_id``."""
    row = await conn.fetchrow(
        """
        INSERT INTO saved_searches (user_id, name, kql_query, filters, is_pinned)
        VALUES ($1, $2, $3, $4, $5)
        RETURNING *
        """,
        user_id,
        name,
        kql_query,
        filters or {},
        is_pinned,
    )
    return _search(row)


async def get_search(conn: Any, search_id: UUID) -> SavedSearch | None:
    """The saved search, or None if it does not exist for this tenant."""
    row = await conn.fetchrow("SELECT * FROM saved_searches WHERE id = $1", search_id)
    return None if row is None else _search(row)


async def list_searches(conn: Any, *, user_id: str | None = None) -> list[SavedSearch]:
    """The tenant's saved searches (of one user if given): pinned first, then newest first."""
    rows = await conn.fetch(
        """
        SELECT * FROM saved_searches
        WHERE $1::text IS NULL OR user_id = $1
        ORDER BY is_pinned DESC, created_at DESC, id DESC
        """,
        user_id,
    )
    return [_search(row) for row in rows]


async def update_search(
    conn: Any,
    search_id: UUID,
    *,
    name: str | None = None,
    kql_query: str | None = None,
    filters: dict[str, Any] | None = None,
) -> SavedSearch:
    """Change a saved search's name, query or filters (None: unchanged)."""
    row = await conn.fetchrow(
        """
        UPDATE saved_searches
        SET name = coalesce($2, name), kql_query = coalesce($3, kql_query),
            filters = coalesce($4, filters)
        WHERE id = $1
        RETURNING *
        """,
        search_id,
        name,
        kql_query,
        filters,
    )
    if row is None:
        raise NotFoundError(f"saved search {search_id} not found")
    return _search(row)


async def set_pinned(conn: Any, search_id: UUID, pinned: bool) -> SavedSearch:
    """Pin or unpin a saved search."""
    row = await conn.fetchrow(
        "UPDATE saved_searches SET is_pinned = $2 WHERE id = $1 RETURNING *", search_id, pinned
    )
    if row is None:
        raise NotFoundError(f"saved search {search_id} not found")
    return _search(row)


async def delete_search(conn: Any, search_id: UUID) -> bool:
    """Delete a saved search; True if it existed."""
    status = await conn.execute("DELETE FROM saved_searches WHERE id = $1", search_id)
    return bool(status == "DELETE 1")
