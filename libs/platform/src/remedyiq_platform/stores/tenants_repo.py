"""Tenants: created on first use from the identity provider's organisation id."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Tenant(BaseModel):
    """A tenant row (plan and limits)."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    clerk_org_id: str
    name: str
    plan: str
    storage_limit_gb: int
    max_upload_bytes: int
    retention_days: int
    created_at: datetime
    updated_at: datetime


async def ensure_tenant(conn: Any, org_id: str, name: str) -> UUID:
    """The tenant id of organisation ``org_id``, creating the tenant (named ``name``) if new.

    Use a ``Database.system()`` connection: this calls the SECURITY DEFINER function, the only
    way the services' role can create a tenant or see one before its id is known.
    """
    if not org_id.strip():
        raise ValueError("organisation id must not be empty")
    tenant_id = await conn.fetchval("SELECT ensure_tenant($1, $2)", org_id, name)
    return UUID(str(tenant_id))


async def get_tenant(conn: Any, tenant_id: UUID) -> Tenant | None:
    """The tenant row, or None; only the connection's own tenant is visible."""
    row = await conn.fetchrow("SELECT * FROM tenants WHERE id = $1", tenant_id)
    return None if row is None else Tenant.model_validate(dict(row))
