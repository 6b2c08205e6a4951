"""Saved searches (PostgreSQL): create, list, get, update, pin, delete; and the search history.

Anyone in the tenant may read its saved searches (team searches); only their author changes or
deletes them. Queries are checked when saved: a query that does not compile is refused with the
position of the problem.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from remedyiq_gateway import history
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import Principal, ResourcesDep, SettingsDep
from remedyiq_gateway.errors import ApiError, not_found, responses
from remedyiq_platform.stores import searches_repo
from remedyiq_platform.stores.searches_repo import SavedSearch
from remedyiq_query import compile_query

router = APIRouter(prefix="/search", tags=["Search"])


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kql_query: str = Field(max_length=10_000)
    filters: dict[str, Any] = Field(
        default_factory=dict, description="time range, job ids, sort, columns … (free form)"
    )
    is_pinned: bool = False


class SavedSearchPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    kql_query: str | None = Field(None, max_length=10_000)
    filters: dict[str, Any] | None = None


class SavedSearchOut(BaseModel):
    id: UUID
    user_id: str
    name: str
    kql_query: str
    filters: dict[str, Any]
    is_pinned: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: SavedSearch) -> SavedSearchOut:
        return cls.model_validate(row.model_dump(exclude={"tenant_id"}))


class HistoryEntry(BaseModel):
    q: str
    job_ids: list[str] = Field(default_factory=list)
    at: str


class History(BaseModel):
    searches: list[HistoryEntry]


def _check(kql: str | None) -> None:
    if kql:
        compile_query(kql)  # KqlError -> 400 with the position (error handler)


async def _own(resources: ResourcesDep, principal: Principal, search_id: UUID) -> SavedSearch:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        row = await searches_repo.get_search(conn, search_id)
    if row is None:
        raise not_found("saved search", search_id)
    if row.user_id != principal.user_id:
        raise ApiError(403, "forbidden", "only its author can change a saved search")
    return row


@router.get(
    "/saved",
    operation_id="listSavedSearches",
    summary="Saved searches (pinned first)",
    response_model=list[SavedSearchOut],
)
async def list_saved(
    principal: PrincipalDep,
    resources: ResourcesDep,
    owner: Annotated[Literal["me", "tenant"], Query()] = "me",
) -> list[SavedSearchOut]:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        rows = await searches_repo.list_searches(
            conn, user_id=principal.user_id if owner == "me" else None
        )
    return [SavedSearchOut.of(row) for row in rows]


@router.post(
    "/saved",
    operation_id="createSavedSearch",
    summary="Save a search",
    status_code=201,
    response_model=SavedSearchOut,
    responses=responses(400),
)
async def create_saved(
    body: SavedSearchIn, principal: PrincipalDep, resources: ResourcesDep
) -> SavedSearchOut:
    _check(body.kql_query)
    async with resources.db.tenant(principal.tenant_id) as conn:
        row = await searches_repo.create_search(
            conn,
            user_id=principal.user_id,
            name=body.name,
            kql_query=body.kql_query,
            filters=body.filters,
            is_pinned=body.is_pinned,
        )
    return SavedSearchOut.of(row)


@router.get(
    "/saved/{search_id}",
    operation_id="getSavedSearch",
    summary="One saved search",
    response_model=SavedSearchOut,
    responses=responses(404),
)
async def get_saved(
    search_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> SavedSearchOut:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        row = await searches_repo.get_search(conn, search_id)
    if row is None:
        raise not_found("saved search", search_id)
    return SavedSearchOut.of(row)


@router.patch(
    "/saved/{search_id}",
    operation_id="updateSavedSearch",
    summary="Rename or change a saved search",
    response_model=SavedSearchOut,
    responses=responses(400, 403, 404),
)
async def update_saved(
    search_id: UUID, body: SavedSearchPatch, principal: PrincipalDep, resources: ResourcesDep
) -> SavedSearchOut:
    _check(body.kql_query)
    await _own(resources, principal, search_id)
    async with resources.db.tenant(principal.tenant_id) as conn:
        row = await searches_repo.update_search(
            conn, search_id, name=body.name, kql_query=body.kql_query, filters=body.filters
        )
    return SavedSearchOut.of(row)


@router.put(
    "/saved/{search_id}/pin",
    operation_id="pinSavedSearch",
    summary="Pin",
    response_model=SavedSearchOut,
    responses=responses(403, 404),
)
async def pin(search_id: UUID, principal: PrincipalDep, resources: ResourcesDep) -> SavedSearchOut:
    await _own(resources, principal, search_id)
    async with resources.db.tenant(principal.tenant_id) as conn:
        return SavedSearchOut.of(await searches_repo.set_pinned(conn, search_id, True))


@router.delete(
    "/saved/{search_id}/pin",
    operation_id="unpinSavedSearch",
    summary="Unpin",
    response_model=SavedSearchOut,
    responses=responses(403, 404),
)
async def unpin(
    search_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> SavedSearchOut:
    await _own(resources, principal, search_id)
    async with resources.db.tenant(principal.tenant_id) as conn:
        return SavedSearchOut.of(await searches_repo.set_pinned(conn, search_id, False))


@router.delete(
    "/saved/{search_id}",
    operation_id="deleteSavedSearch",
    summary="Delete",
    status_code=204,
    responses=responses(403, 404),
)
async def delete_saved(
    search_id: UUID, principal: PrincipalDep, resources: ResourcesDep
) -> Response:
    await _own(resources, principal, search_id)
    async with resources.db.tenant(principal.tenant_id) as conn:
        await searches_repo.delete_search(conn, search_id)
    return Response(status_code=204)


@router.get(
    "/history",
    operation_id="getSearchHistory",
    summary="My last searches (newest first)",
    response_model=History,
)
async def get_history(
    principal: PrincipalDep, resources: ResourcesDep, settings: SettingsDep
) -> History:
    found = await history.recent(
        resources.status, principal.tenant_id, principal.user_id, settings.search_history_size
    )
    return History(searches=[HistoryEntry.model_validate(item) for item in found])


@router.delete(
    "/history", operation_id="clearSearchHistory", summary="Forget my searches", status_code=204
)
async def clear_history(principal: PrincipalDep, resources: ResourcesDep) -> Response:
    await history.clear(resources.status, principal.tenant_id, principal.user_id)
    return Response(status_code=204)
