"""Tenant ids: canonical UUIDs, validated once for every store (SQL, object keys, Redis keys)."""

from __future__ import annotations

from uuid import UUID

from remedyiq_platform.stores.errors import InvalidTenantError

_NIL = UUID(int=0)


def parse_tenant_id(value: UUID | str) -> UUID:
    """Return ``value`` as a UUID, refusing empty, malformed and nil ids.

    Only the canonical 36-character form (any case) is accepted for strings: ``uuid.UUID``
    alone would also accept braces, ``urn:uuid:`` prefixes and hex without dashes, and a
    tenant id must be spelt one way wherever it becomes part of a key.
    """
    if isinstance(value, UUID):
        parsed = value
    else:
        if not isinstance(value, str) or len(value) != 36:
            raise InvalidTenantError(f"not a tenant id: {value!r}")
        try:
            parsed = UUID(value)
        except ValueError:
            raise InvalidTenantError(f"not a tenant id: {value!r}") from None
        if str(parsed) != value.lower():
            raise InvalidTenantError(f"not a tenant id: {value!r}")
    if parsed == _NIL:
        raise InvalidTenantError("the nil UUID is not a tenant id")
    return parsed
