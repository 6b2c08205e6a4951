"""Opaque keyset cursors: the last row's sort key, tied to the query that produced it.

A cursor is URL-safe base64 of compact JSON ``{"v": 1, "q": digest, "k": [key values]}``. The
digest covers the query, range and sort, so a cursor replayed against another query is refused
(:class:`InvalidCursor`) instead of silently skipping rows. Keys are checked against the types
the caller expects, so a forged cursor can only move the page, never reach another scope.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Final

from remedyiq_analysis.explore.exceptions import InvalidCursor

Key = int | str
VERSION: Final = 1
MAX_CURSOR_CHARS: Final = 4096
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def digest(*parts: object) -> str:
    """A short, stable fingerprint of what a page depends on."""
    text = json.dumps(parts, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(query_digest: str, key: Sequence[Key]) -> str:
    """The cursor that continues after the row whose sort key is ``key``."""
    payload = json.dumps({"v": VERSION, "q": query_digest, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(cursor: str, query_digest: str, types: Sequence[type[Key]]) -> list[Key]:
    """The key a cursor carries, checked against ``types`` (``int`` or ``str`` per position)."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor("malformed cursor") from exc
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        raise InvalidCursor("malformed cursor")
    if payload.get("q") != query_digest:
        raise InvalidCursor("cursor belongs to another query, range or sort order")
    key = payload.get("k")
    if not isinstance(key, list) or len(key) != len(types):
        raise InvalidCursor("malformed cursor")
    for value, expected in zip(key, types, strict=True):
        # bool is an int subclass: refuse it explicitly
        if type(value) is not expected:
            raise InvalidCursor("malformed cursor")
        if isinstance(value, int) and not _INT_MIN <= value <= _INT_MAX:
            raise InvalidCursor("malformed cursor")
    return key
