"""Presigned multipart uploads for very large files (resumable: parts can be presigned again)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from remedyiq_gateway import presigned
from remedyiq_gateway.auth import PrincipalDep
from remedyiq_gateway.background import Background
from remedyiq_gateway.deps import ResourcesDep, SettingsDep
from remedyiq_gateway.errors import responses
from remedyiq_gateway.limits import enforce
from remedyiq_gateway.schemas.files import (
    UPLOAD_ID,
    LogFileOut,
    PartsRequest,
    PartsResponse,
    UploadComplete,
    UploadCreate,
    UploadedParts,
    UploadSession,
)

router = APIRouter(prefix="/files/uploads", tags=["Files"])


@router.post(
    "",
    operation_id="startUpload",
    summary="Start a presigned multipart upload (the browser PUTs parts straight to S3)",
    status_code=201,
    response_model=UploadSession,
    responses=responses(413, 429),
)
async def start_upload(
    body: UploadCreate, principal: PrincipalDep, resources: ResourcesDep, settings: SettingsDep
) -> UploadSession:
    await enforce(
        resources.status,
        principal.tenant_id,
        ("upload",),
        limit=settings.upload_rate_limit,
        window_s=settings.upload_rate_window_s,
    )
    return await presigned.start(resources, settings, principal.tenant_id, body)


@router.post(
    "/{file_id}/parts",
    operation_id="presignUploadParts",
    summary="Presign part URLs (more parts, or again to resume)",
    response_model=PartsResponse,
    responses=responses(404),
)
async def presign_parts(
    file_id: UUID,
    body: PartsRequest,
    principal: PrincipalDep,
    resources: ResourcesDep,
    settings: SettingsDep,
) -> PartsResponse:
    return await presigned.presign_parts(resources, settings, principal.tenant_id, file_id, body)


@router.get(
    "/{file_id}/parts",
    operation_id="listUploadParts",
    summary="The parts uploaded so far, with their ETags (resume after a reload)",
    response_model=UploadedParts,
    responses=responses(404, 409),
)
async def list_upload_parts(
    file_id: UUID,
    upload_id: Annotated[str, Query(pattern=UPLOAD_ID)],
    principal: PrincipalDep,
    resources: ResourcesDep,
) -> UploadedParts:
    return await presigned.list_parts(resources, principal.tenant_id, file_id, upload_id)


@router.post(
    "/{file_id}/complete",
    operation_id="completeUpload",
    summary="Assemble the parts; the file is checked, then checksummed in the background",
    status_code=202,
    response_model=LogFileOut,
    responses=responses(404, 413, 422),
)
async def complete_upload(
    *,
    file_id: UUID,
    body: UploadComplete,
    request: Request,
    principal: PrincipalDep,
    resources: ResourcesDep,
    settings: SettingsDep,
) -> LogFileOut:
    background: Background = request.app.state.background
    row = await presigned.complete(
        resources, settings, background, tenant_id=principal.tenant_id, file_id=file_id, body=body
    )
    return LogFileOut.of(row)


@router.delete(
    "/{file_id}",
    operation_id="abortUpload",
    summary="Abort a multipart upload and free its parts",
    status_code=204,
    responses=responses(404),
)
async def abort_upload(
    file_id: UUID,
    upload_id: Annotated[str, Query(pattern=UPLOAD_ID)],
    principal: PrincipalDep,
    resources: ResourcesDep,
) -> Response:
    await presigned.abort(resources, principal.tenant_id, file_id, upload_id)
    return Response(status_code=204)
