"""Per-tenant API tokens for other systems: created (shown once), listed, revoked.

Only people (a JWT or dev-mode user) manage tokens; a token cannot mint or revoke tokens.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import Principal, ResourcesDep
from remedyiq_gateway.errors import ApiError, not_found, responses
from remedyiq_platform.stores import tokens_repo
from remedyiq_platform.stores.tokens_repo import ApiToken

router = APIRouter(prefix="/tokens", tags=["Auth"])


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(default_factory=list, max_length=20)


class TokenOut(BaseModel):
    id: UUID
    name: str
    token_prefix: str
    scopes: list[str]
    created_by: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenOut:
        return cls.model_validate(row.model_dump(exclude={"tenant_id"}))


class TokenCreated(TokenOut):
    token: str = Field(description="the secret: shown once, store it now")


def _person(principal: Principal) -> None:
    if principal.via == "token":
        raise ApiError(403, "forbidden", "API tokens cannot manage API tokens")


@router.post(
    "",
    operation_id="createToken",
    summary="Create an API token (shown once)",
    status_code=201,
    response_model=TokenCreated,
    responses=responses(403),
)
async def create_token(
    body: TokenCreate, principal: PrincipalDep, resources: ResourcesDep
) -> TokenCreated:
    _person(principal)
    async with resources.db.tenant(principal.tenant_id) as conn:
        row, secret = await tokens_repo.create_token(
            conn, name=body.name, scopes=body.scopes, created_by=principal.user_id
        )
    return TokenCreated(**TokenOut.of(row).model_dump(), token=secret)


@router.get(
    "", operation_id="listTokens", summary="The tenant's API tokens", response_model=list[TokenOut]
)
async def list_tokens(principal: PrincipalDep, resources: ResourcesDep) -> list[TokenOut]:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        rows = await tokens_repo.list_tokens(conn)
    return [TokenOut.of(row) for row in rows]


@router.delete(
    "/{token_id}",
    operation_id="revokeToken",
    summary="Revoke an API token",
    status_code=204,
    responses=responses(403, 404),
)
async def revoke_token(
    token_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> Response:
    _person(principal)
    async with resources.db.tenant(principal.tenant_id) as conn:
        if not await tokens_repo.revoke_token(conn, token_id):
            raise not_found("active token", token_id)
    return Response(status_code=204)
