"""Every Redis key RemedyIQ uses, built in one place (data-model.md's key schema).

* ``cache:{tenant}:job:{job_id}:status`` — job status (no TTL while running, 1 h once final)
* ``cache:{tenant}:{name...}`` — caches, e.g. ``cache:{tenant}:dashboard:{job_id}``
* ``rate:{tenant}:{name...}`` — rate-limit windows, e.g. ``rate:{tenant}:ai:{user_id}``

Tenant ids must be UUIDs; every other segment is ``[A-Za-z0-9_.@-]``, so no ``:`` (a segment
cannot pose as two) and no glob characters (``*?[]``: a key is never a pattern). An optional
namespace (ending in ``:``) separates deployments or tests sharing one database.
"""

from __future__ import annotations

import re
from uuid import UUID

from remedyiq_platform.stores.tenant_ids import parse_tenant_id

_SEGMENT = re.compile(r"[A-Za-z0-9_.@-]{1,128}")
_NAMESPACE = re.compile(r"(?:[A-Za-z0-9_.-]{1,64}:)?")


def check_segment(segment: str) -> str:
    """``segment`` if it is safe inside a key, else ValueError."""
    if not _SEGMENT.fullmatch(segment):
        raise ValueError(f"unsafe Redis key segment: {segment!r}")
    return segment


class RedisKeys:
    """Key builders, optionally under a namespace such as ``"staging:"``."""

    def __init__(self, namespace: str = "") -> None:
        """Keys start with ``namespace`` (empty, or a name ending in ``:``)."""
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"invalid Redis key namespace: {namespace!r}")
        self.namespace = namespace

    def job_status(self, tenant_id: UUID | str, job_id: UUID | str) -> str:
        """``cache:{tenant}:job:{job_id}:status``."""
        return self.cache(tenant_id, "job", str(job_id), "status")

    def cache(self, tenant_id: UUID | str, *name: str) -> str:
        """``cache:{tenant}:{name...}``."""
        return self._key("cache", tenant_id, name)

    def rate(self, tenant_id: UUID | str, *name: str) -> str:
        """``rate:{tenant}:{name...}``."""
        return self._key("rate", tenant_id, name)

    def _key(self, kind: str, tenant_id: UUID | str, name: tuple[str, ...]) -> str:
        if not name:
            raise ValueError("a key needs a name after the tenant")
        tenant = parse_tenant_id(tenant_id)
        return ":".join([f"{self.namespace}{kind}", str(tenant), *map(check_segment, name)])
