"""MVP ``page``/``page_size`` on top of keyset pagination.

The repositories page by cursor (no OFFSET). The MVP's ``page=N`` is served by walking the
cursors of pages 1..N-1 (index range scans, bounded to the first :data:`MAX_WALK_ROWS` rows);
clients that follow ``next_cursor`` never pay for that.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

from remedyiq_gateway.errors import ApiError
from remedyiq_gateway.schemas.common import Pagination
from remedyiq_platform.stores.pgpage import Page

T = TypeVar("T")
MAX_WALK_ROWS = 10_000


async def fetch_page(
    fetch: Callable[[int, str | None], Awaitable[Page[T]]],
    *,
    page: int,
    page_size: int,
    cursor: str | None,
) -> Page[T]:
    """Page ``page`` (1-based) or the page after ``cursor`` (which wins when given)."""
    if cursor is not None or page == 1:
        try:
            return await fetch(page_size, cursor)
        except ValueError as exc:  # a cursor we did not issue
            raise ApiError(400, "invalid_cursor", str(exc)) from None
    if (page - 1) * page_size > MAX_WALK_ROWS:
        raise ApiError(
            400,
            "page_too_deep",
            f"page {page} lies beyond the first {MAX_WALK_ROWS} rows: follow next_cursor",
        )
    current: Page[T] = await fetch(page_size, None)
    for _ in range(page - 1):
        if current.next_cursor is None:
            return Page([], None)
        current = await fetch(page_size, current.next_cursor)
    return current


def pagination(page: int, page_size: int, total: int, next_cursor: str | None) -> Pagination:
    return Pagination(
        page=page,
        page_size=page_size,
        total_count=total,
        total_pages=math.ceil(total / page_size) if total else 0,
        next_cursor=next_cursor,
    )
