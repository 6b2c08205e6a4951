"""Rate limits (fixed windows in Redis, per tenant or per user) and their 429 answers."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from uuid import UUID

from redis.exceptions import RedisError

from remedyiq_gateway.errors import ApiError
from remedyiq_platform.stores.status import StatusCache

logger = logging.getLogger(__name__)


def user_key(user_id: str) -> str:
    """A Redis-key-safe stand-in for a user id (ids may hold ``:`` and other characters)."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:32]


async def enforce(
    status: StatusCache, tenant: UUID, name: Sequence[str], *, limit: int, window_s: float
) -> None:
    """Count one call under ``rate:{tenant}:{name…}``; 429 with ``Retry-After`` past ``limit``.

    If Redis cannot be reached the call is let through (and logged): an outage of the limiter
    must not take the API down with it.
    """
    try:
        outcome = await status.rate_limit(tenant, name, limit=limit, window_s=window_s)
    except (RedisError, OSError) as exc:
        logger.warning("rate limiter unavailable, letting %s through: %s", ":".join(name), exc)
        return
    if not outcome.allowed:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: at most {limit} per {window_s:g} s",
            {"limit": limit, "window_s": window_s, "retry_after_s": outcome.retry_after_s},
            headers={"Retry-After": str(outcome.retry_after_s)},
        )
