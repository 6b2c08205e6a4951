"""Who am I: the tenant and user the credentials resolve to (what the UI shows)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from remedyiq_gateway.auth import PrincipalDep

router = APIRouter(tags=["Auth"])


class Me(BaseModel):
    tenant_id: UUID
    user_id: str
    via: Literal["jwt", "token", "dev"]
    scopes: list[str]


@router.get("/me", operation_id="whoAmI", summary="The caller's tenant and user", response_model=Me)
async def me(principal: PrincipalDep) -> Me:
    return Me(
        tenant_id=principal.tenant_id,
        user_id=principal.user_id,
        via=principal.via,
        scopes=sorted(principal.scopes),
    )
