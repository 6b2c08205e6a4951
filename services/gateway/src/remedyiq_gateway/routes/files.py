"""Log files: streaming upload (multipart, straight to S3), list, get, delete."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import not_found, responses
from remedyiq_gateway.limits import enforce
from remedyiq_gateway.paging import fetch_page, pagination
from remedyiq_gateway.schemas.files import FileList, LogFileOut
from remedyiq_gateway.uploads import delete_stored_file, receive_upload
from remedyiq_platform.stores import files_repo
from remedyiq_platform.stores.files_repo import FileStatus, LogFile
from remedyiq_platform.stores.pgpage import MAX_PAGE_SIZE, Page

router = APIRouter(prefix="/files", tags=["Files"])

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "an AR System log (plain, .gz or .zip), any size "
                            "up to the tenant's limit; streamed, never buffered",
                        }
                    },
                }
            }
        },
    }
}
_ERRORS = responses(413, 415, 422, 429)


@router.post(
    "/upload",
    operation_id="uploadFile",
    summary="Upload a log file",
    status_code=201,
    response_model=LogFileOut,
    responses=_ERRORS,
    openapi_extra=_UPLOAD_BODY,
)
async def upload_file(
    request: Request, principal: PrincipalDep, resources: ResourcesDep, settings: SettingsDep
) -> LogFileOut:
    await enforce(
        resources.status,
        principal.tenant_id,
        ("upload",),
        limit=settings.upload_rate_limit,
        window_s=settings.upload_rate_window_s,
    )
    row = await receive_upload(request, resources, settings, principal.tenant_id)
    return LogFileOut.of(row)


@router.get("", operation_id="listFiles", summary="List uploaded files", response_model=FileList)
async def list_files(
    *,
    principal: PrincipalDep,
    resources: ResourcesDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    status: FileStatus | None = None,
) -> FileList:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:

        async def fetch(limit: int, after: str | None) -> Page[LogFile]:
            return await files_repo.list_files(conn, status=status, limit=limit, cursor=after)

        found = await fetch_page(fetch, page=page, page_size=page_size, cursor=cursor)
        if status is None:
            total = await conn.fetchval("SELECT count(*) FROM log_files WHERE status <> 'deleted'")
        else:
            total = await conn.fetchval(
                "SELECT count(*) FROM log_files WHERE status = $1", status.value
            )
    return FileList(
        files=[LogFileOut.of(row) for row in found.items],
        pagination=pagination(page, page_size, int(total), found.next_cursor),
    )


@router.get(
    "/{file_id}",
    operation_id="getFile",
    summary="Get one file",
    response_model=LogFileOut,
    responses=responses(404),
)
async def get_file(file_id: UUID, principal: PrincipalDep, resources: ResourcesDep) -> LogFileOut:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        row = await files_repo.get_file(conn, file_id)
    if row is None or row.status is FileStatus.DELETED:
        raise not_found("file", file_id)
    return LogFileOut.of(row)


@router.delete(
    "/{file_id}",
    operation_id="deleteFile",
    summary="Delete a file (its object is removed; jobs made from it keep their results)",
    status_code=204,
    responses=responses(404),
)
async def delete_file(file_id: UUID, principal: PrincipalDep, resources: ResourcesDep) -> Response:
    async with resources.db.tenant(principal.tenant_id, readonly=True) as conn:
        row = await files_repo.get_file(conn, file_id)
    if row is None or row.status is FileStatus.DELETED:
        raise not_found("file", file_id)
    await delete_stored_file(resources, principal.tenant_id, file_id)
    return Response(status_code=204)
