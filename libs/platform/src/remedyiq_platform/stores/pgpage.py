"""Keyset pagination on ``(timestamp, id)`` with opaque cursors.

A cursor is the position of the last row of a page, encoded as URL-safe base64 so that an
API can hand it out as is; ``decode_cursor`` refuses anything it did not produce.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

T = TypeVar("T")

MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of rows, newest first, and the cursor of the next page (None: no more)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(at: datetime, row_id: UUID) -> str:
    """The cursor that continues after the row ``(at, row_id)``."""
    raw = f"{at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The ``(timestamp, id)`` a cursor points after; ValueError if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, row_id = raw.split("|")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive timestamp")
        return parsed, UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError(f"invalid page cursor: {cursor!r}") from None


def keyset_query(
    table: str,
    order_column: str,
    *,
    equals: dict[str, object],
    where: Sequence[str] = (),
    cursor: str | None,
    limit: int,
) -> tuple[str, list[object]]:
    """SQL and arguments for one page of ``table``, newest first on ``(order_column, id)``.

    ``equals`` maps column names to values compared with ``=``; ``where`` adds constant SQL
    conditions. Both come from the repositories, never from callers. Only the conditions in
    use are written out, so the planner sees a plain index range scan (``$1 IS NULL OR
    col = $1`` tricks make it sort the tenant's whole table instead).
    """
    conditions: list[str] = list(where)
    args: list[object] = []
    for column, value in equals.items():
        args.append(value)
        conditions.append(f"{column} = ${len(args)}")
    if cursor is not None:
        at, row_id = decode_cursor(cursor)
        args += [at, row_id]
        conditions.append(f"({order_column}, id) < (${len(args) - 1}, ${len(args)})")
    args.append(check_limit(limit) + 1)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"SELECT * FROM {table} {where} ORDER BY {order_column} DESC, id DESC LIMIT ${len(args)}"
    return sql, args


def check_limit(limit: int) -> int:
    """``limit`` if it is a sane page size (1..MAX_PAGE_SIZE), else ValueError."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"page size must be 1..{MAX_PAGE_SIZE}, got {limit}")
    return limit
