"""Request dependencies shared by every route module (FastAPI ``Annotated`` aliases).

Route modules take what they need as parameters: ``resources: ResourcesDep`` for the clients and
``principal: PrincipalDep`` for the authenticated caller — whose ``tenant_id`` scopes every data
access (PostgreSQL through ``resources.db.tenant(principal.tenant_id)``, ClickHouse through
``resources.clickhouse.scope(...)``, object keys through the tenant prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Request
from faststream.nats import NatsBroker

from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.clickhouse import ClickHouse
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.stores.status import StatusCache


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the tenant every data access is scoped to, and the user."""

    tenant_id: UUID
    user_id: str
    via: Literal["jwt", "token", "dev"]
    scopes: frozenset[str] = frozenset()


@dataclass(slots=True)
class Resources:
    """The clients the gateway opens in its lifespan (never at import time)."""

    db: Database
    objects: ObjectStore
    status: StatusCache
    clickhouse: ClickHouse
    broker: NatsBroker
    bucket: str


def resources_of(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


# Dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in a worker
# thread, a thread hop per request for what is an attribute lookup.
async def get_resources(request: Request) -> Resources:
    return resources_of(request)


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
