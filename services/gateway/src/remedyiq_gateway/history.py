"""Search history: the last N queries of each user, newest first, in a Redis list
(``cache:{tenant}:history:{user}``; 30 days after the last search)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from redis.exceptions import RedisError

from remedyiq_gateway.limits import user_key
from remedyiq_platform.stores.status import StatusCache

logger = logging.getLogger(__name__)

TTL_S = 30 * 86_400


def _key(status: StatusCache, tenant: UUID, user: str) -> str:
    return status.keys.cache(tenant, "history", user_key(user))


async def record(
    status: StatusCache, tenant: UUID, user: str, size: int, entry: dict[str, Any]
) -> None:
    """Remember a search (best effort: a Redis hiccup must not fail the search)."""
    item = json.dumps({**entry, "at": datetime.now(UTC).isoformat()})
    key = _key(status, tenant, user)
    try:
        async with status.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, item)
            pipe.ltrim(key, 0, size - 1)
            pipe.expire(key, TTL_S)
            await pipe.execute()
    except (RedisError, OSError) as exc:
        logger.warning("search history not recorded: %s", exc)


async def recent(status: StatusCache, tenant: UUID, user: str, size: int) -> list[dict[str, Any]]:
    items = await status.redis.lrange(_key(status, tenant, user), 0, size - 1)
    found: list[dict[str, Any]] = [json.loads(item) for item in items]
    return found


async def clear(status: StatusCache, tenant: UUID, user: str) -> None:
    await status.redis.delete(_key(status, tenant, user))
