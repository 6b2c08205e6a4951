"""Redis: the job status cache, tenant-scoped caches and a fixed-window rate limiter.

* Job status (``cache:{tenant}:job:{job_id}:status``, JSON): kept without TTL while the job
  runs and with a 1-hour TTL once it is final. Writes are atomic (Lua) and ordered: an update
  older than the stored one, or any update after a final status, is ignored, so progress
  messages arriving out of order cannot move the status backwards. PostgreSQL stays the
  source of truth; this is what the gateway polls and pushes over WebSocket/SSE.
* ``cache_get``/``cache_set``: bytes under ``cache:{tenant}:...`` with a mandatory TTL.
* ``rate_limit``: a fixed window per key (``rate:{tenant}:...``), INCR + PEXPIRE in one Lua
  script; returns whether the call is allowed and, if not, ``retry_after_s`` for a 429.

Every call has the client's socket timeouts (set in :meth:`StatusCache.from_url`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio import Redis

from remedyiq_platform.stores.jobs_repo import Job
from remedyiq_platform.stores.jobstatus import JobStatus
from remedyiq_platform.stores.redis_keys import RedisKeys
from remedyiq_platform.stores.settings import RedisSettings

FINAL_TTL_S = 3600

_SET_STATUS = """
local current = redis.call('GET', KEYS[1])
if current then
  local ok, old = pcall(cjson.decode, current)
  if ok and type(old) == 'table' then
    if old['final'] == true then return 0 end
    if tonumber(old['ts'] or 0) > tonumber(ARGV[2]) then return 0 end
  end
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
"""

_RATE_LIMIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
if count > tonumber(ARGV[1]) then return {0, ttl, 0} end
return {1, ttl, tonumber(ARGV[1]) - count}
"""


class JobStatusSnapshot(BaseModel):
    """What the cache holds for a job: status, progress, counts, when."""

    model_config = ConfigDict(frozen=True)

    job_id: UUID
    status: JobStatus
    progress_pct: int = Field(ge=0, le=100)
    counts: dict[str, int] = Field(default_factory=dict)
    error_message: str | None = None
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Outcome of one rate-limited call."""

    allowed: bool
    remaining: int
    retry_after_s: int  # 0 when allowed; else whole seconds until the window resets
    reset_after_s: float  # seconds until the current window ends


class StatusCache:
    """Job status, caches and rate limits on one Redis client."""

    def __init__(
        self, redis: Redis, *, keys: RedisKeys | None = None, final_ttl_s: int = FINAL_TTL_S
    ) -> None:
        """Use an existing client (its timeouts apply); see :meth:`from_url`."""
        self.redis = redis
        self.keys = keys or RedisKeys()
        self.final_ttl_s = final_ttl_s
        self._set_status = redis.register_script(_SET_STATUS)
        self._rate_limit = redis.register_script(_RATE_LIMIT)

    async def ping(self) -> None:
        """Readiness: Redis answers."""
        await self.redis.ping()

    @classmethod
    def from_settings(cls, settings: RedisSettings) -> StatusCache:
        """The client a service configures with ``REMEDYIQ_REDIS_*``."""
        return cls.from_url(
            settings.url.get_secret_value(),
            socket_timeout=settings.socket_timeout_s,
            connect_timeout=settings.connect_timeout_s,
            final_ttl_s=settings.final_status_ttl_s,
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        socket_timeout: float = 2.0,
        connect_timeout: float = 2.0,
        namespace: str = "",
        final_ttl_s: int = FINAL_TTL_S,
    ) -> StatusCache:
        """A client for ``url`` with timeouts on connect and on every command (no I/O yet)."""
        redis = Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            health_check_interval=30,
        )
        return cls(redis, keys=RedisKeys(namespace), final_ttl_s=final_ttl_s)

    async def close(self) -> None:
        """Close the client's connections."""
        await self.redis.aclose()

    async def set_job_status(self, tenant_id: UUID | str, snapshot: JobStatusSnapshot) -> bool:
        """Store the job's status; False if it was ignored (older, or the job is final)."""
        final = snapshot.status.is_final
        stamp = math.floor(snapshot.updated_at.timestamp() * 1000)
        document = {**snapshot.model_dump(mode="json"), "final": final, "ts": stamp}
        stored = await self._set_status(
            keys=[self.keys.job_status(tenant_id, snapshot.job_id)],
            args=[json.dumps(document), stamp, "1" if final else "0", self.final_ttl_s],
        )
        return bool(stored)

    async def get_job_status(self, tenant_id: UUID | str, job_id: UUID) -> JobStatusSnapshot | None:
        """The cached status, or None (never cached, or expired after the job ended)."""
        raw = await self.redis.get(self.keys.job_status(tenant_id, job_id))
        if raw is None:
            return None
        document: dict[str, Any] = json.loads(raw)
        document.pop("final", None)
        document.pop("ts", None)
        return JobStatusSnapshot.model_validate(document)

    async def cache_get(self, tenant_id: UUID | str, name: Sequence[str]) -> bytes | None:
        """The bytes cached under ``cache:{tenant}:{name...}``, or None."""
        value = await self.redis.get(self.keys.cache(tenant_id, *name))
        if value is None or isinstance(value, bytes):
            return value
        return str(value).encode()  # only with a client built with decode_responses=True

    async def cache_set(
        self, tenant_id: UUID | str, name: Sequence[str], value: bytes, *, ttl_s: float
    ) -> None:
        """Cache ``value`` under ``cache:{tenant}:{name...}`` for ``ttl_s`` seconds (> 0)."""
        if ttl_s <= 0:
            raise ValueError("a cache entry needs a positive TTL")
        await self.redis.set(self.keys.cache(tenant_id, *name), value, px=int(ttl_s * 1000))

    async def cache_delete(self, tenant_id: UUID | str, name: Sequence[str]) -> None:
        """Drop a cache entry (e.g. when the job it summarises changes)."""
        await self.redis.delete(self.keys.cache(tenant_id, *name))

    async def rate_limit(
        self, tenant_id: UUID | str, name: Sequence[str], *, limit: int, window_s: float
    ) -> RateLimit:
        """Count one call against ``limit`` calls per ``window_s`` under ``rate:{tenant}:...``.

        The window starts with its first call (fixed window). Denied calls do not extend it.
        """
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        allowed, ttl_ms, remaining = await self._rate_limit(
            keys=[self.keys.rate(tenant_id, *name)], args=[limit, math.ceil(window_s * 1000)]
        )
        ttl_s = int(ttl_ms) / 1000
        return RateLimit(
            allowed=bool(allowed),
            remaining=int(remaining),
            retry_after_s=0 if allowed else max(1, math.ceil(ttl_s)),
            reset_after_s=ttl_s,
        )


def snapshot_of(job: Job) -> JobStatusSnapshot:
    """The cache entry for a job row just written to PostgreSQL (counts known so far)."""
    counts = {
        "total_lines": job.total_lines,
        "processed_lines": job.processed_lines,
        "api_count": job.api_count,
        "sql_count": job.sql_count,
        "filter_count": job.filter_count,
        "esc_count": job.esc_count,
        "bytes_total": job.bytes_total,
        "bytes_parsed": job.bytes_parsed,
        "rows_stored": job.rows_stored,
    }
    return JobStatusSnapshot(
        job_id=job.id,
        status=job.status,
        progress_pct=job.progress_pct,
        counts={name: value for name, value in counts.items() if value is not None},
        error_message=job.error_message,
        updated_at=job.updated_at,
    )
