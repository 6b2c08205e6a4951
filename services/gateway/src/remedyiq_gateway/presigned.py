"""Presigned multipart uploads: very large files go from the browser straight to S3.

1. ``start``: the file row is registered (``uploading``), S3 starts a multipart upload, and the
   first part URLs are presigned. The browser PUTs each part and keeps the returned ETags.
2. ``presign_parts``: more URLs (or the same ones again to resume after a reload or a failure).
3. ``complete``: S3 assembles the parts; the gateway checks the size against the tenant's limit
   and the first 64 KiB for an AR System log, then computes the SHA-256 in the background (the
   file is ``ready`` once it is known). Completing again is harmless (idempotent).
4. ``abort``: the parts are freed and the row is marked deleted.
"""

from __future__ import annotations

import hashlib
import logging
import math
from uuid import UUID, uuid4

from botocore.exceptions import ClientError

from remedyiq_gateway.background import Background
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import ApiError, not_found
from remedyiq_gateway.schemas.files import (
    LogFileOut,
    PartsRequest,
    PartsResponse,
    PartUrl,
    UploadComplete,
    UploadCreate,
    UploadedPartOut,
    UploadedParts,
    UploadSession,
)
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_gateway.sniff import HEAD_BYTES, NotArLogError, sniff
from remedyiq_gateway.uploads import display_name, not_a_log, too_large, upload_limit
from remedyiq_platform.stores import files_repo
from remedyiq_platform.stores.files_repo import FileStatus, LogFile
from remedyiq_platform.stores.objects_keys import file_key
from remedyiq_platform.stores.objects_presign import CompletedPart

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
MAX_PARTS = 10_000
FIRST_URLS = 100


def _part_size(size: int, wanted: int) -> int:
    """``wanted``, or the smallest whole MiB that keeps the upload within S3's 10,000 parts."""
    needed = math.ceil(size / MAX_PARTS)
    return max(wanted, math.ceil(needed / MIB) * MIB)


def _compression(filename: str) -> tuple[str | None, str]:
    lowered = filename.lower()
    if lowered.endswith(".gz"):
        return "gzip", "application/gzip"
    if lowered.endswith(".zip"):
        return "zip", "application/zip"
    return None, "text/plain"


async def _uploading(resources: Resources, tenant_id: UUID, file_id: UUID) -> LogFile:
    async with resources.db.tenant(tenant_id, readonly=True) as conn:
        row = await files_repo.get_file(conn, file_id)
    if row is None or row.status is FileStatus.DELETED:
        raise not_found("upload", file_id)
    return row


async def start(
    resources: Resources, settings: GatewaySettings, tenant_id: UUID, body: UploadCreate
) -> UploadSession:
    limit = await upload_limit(resources, settings, tenant_id)
    if body.size_bytes > limit:
        raise too_large(limit)
    part_size = _part_size(
        body.size_bytes, body.part_size_bytes or settings.upload_part_size_mib * MIB
    )
    count = math.ceil(body.size_bytes / part_size)
    filename = display_name(body.filename)
    compression, content_type = _compression(filename)
    file_id = uuid4()
    key = file_key(tenant_id, file_id, filename)
    async with resources.db.tenant(tenant_id) as conn:
        row = await files_repo.create_file(
            conn,
            file_id=file_id,
            filename=filename,
            s3_bucket=resources.bucket,
            s3_key=key,
            content_type=content_type,
            compression=compression,
            size_bytes=body.size_bytes,
        )
    upload_id = await resources.objects.create_multipart(tenant_id, key, content_type=content_type)
    expires = settings.presign_expiry_s
    parts = [
        PartUrl(
            part_number=n,
            url=await resources.objects.presign_part(
                tenant_id, key, upload_id, n, expires_s=expires
            ),
        )
        for n in range(1, min(count, FIRST_URLS) + 1)
    ]
    return UploadSession(
        file=LogFileOut.of(row),
        upload_id=upload_id,
        part_size_bytes=part_size,
        part_count=count,
        parts=parts,
        expires_in_s=expires,
    )


async def presign_parts(
    resources: Resources,
    settings: GatewaySettings,
    tenant_id: UUID,
    file_id: UUID,
    body: PartsRequest,
) -> PartsResponse:
    row = await _uploading(resources, tenant_id, file_id)
    if row.status is not FileStatus.UPLOADING:
        raise ApiError(409, "upload_finished", "this upload is already complete")
    if any(not 1 <= n <= MAX_PARTS for n in body.part_numbers):
        raise ApiError(400, "invalid_request", f"part numbers are 1..{MAX_PARTS}")
    expires = settings.presign_expiry_s
    urls = [
        PartUrl(
            part_number=n,
            url=await resources.objects.presign_part(
                tenant_id, row.s3_key, body.upload_id, n, expires_s=expires
            ),
        )
        for n in sorted(set(body.part_numbers))
    ]
    return PartsResponse(parts=urls, expires_in_s=expires)


async def list_parts(
    resources: Resources, tenant_id: UUID, file_id: UUID, upload_id: str
) -> UploadedParts:
    row = await _uploading(resources, tenant_id, file_id)
    if row.status is not FileStatus.UPLOADING:
        raise ApiError(409, "upload_finished", "this upload is already complete")
    try:
        parts = await resources.objects.list_parts(tenant_id, row.s3_key, upload_id)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "error"))
        if code == "NoSuchUpload":
            raise not_found("upload", file_id) from None
        raise ApiError(400, "invalid_upload", f"S3 refused to list the parts ({code})") from None
    return UploadedParts(
        upload_id=upload_id,
        parts=[
            UploadedPartOut(part_number=p.part_number, etag=p.etag, size_bytes=p.size)
            for p in parts
        ],
    )


async def complete(
    resources: Resources,
    settings: GatewaySettings,
    background: Background,
    *,
    tenant_id: UUID,
    file_id: UUID,
    body: UploadComplete,
) -> LogFile:
    row = await _uploading(resources, tenant_id, file_id)
    if row.status is FileStatus.READY:
        return row
    parts = [CompletedPart(p.part_number, p.etag) for p in body.parts]
    try:
        await resources.objects.complete_multipart(tenant_id, row.s3_key, body.upload_id, parts)
    except ClientError as exc:
        # Completed by an earlier call (a retry): the object is there. Otherwise: bad parts.
        if await resources.objects.head(tenant_id, row.s3_key) is None:
            code = str(exc.response.get("Error", {}).get("Code", "error"))
            raise ApiError(
                400, "invalid_upload", f"S3 refused to complete the upload ({code})"
            ) from None
    info = await resources.objects.head(tenant_id, row.s3_key)
    if info is None:
        raise ApiError(400, "invalid_upload", "the uploaded object is missing")
    limit = await upload_limit(resources, settings, tenant_id)
    try:
        if info.size > limit:
            raise too_large(limit)
        head = b"".join(
            [c async for c in resources.objects.read_range(tenant_id, row.s3_key, 0, HEAD_BYTES)]
        )
        try:
            sniffed = sniff(head)
        except NotArLogError as exc:
            raise not_a_log(exc) from None
    except ApiError:
        await discard(resources, tenant_id, row)
        raise
    background.spawn(
        _checksum(resources, tenant_id, row, sniffed.detected_types, sniffed.ar_version),
        name=f"checksum-{file_id}",
    )
    return row


async def _checksum(
    resources: Resources, tenant_id: UUID, row: LogFile, types: list[str], version: str | None
) -> None:
    digest = hashlib.sha256()
    size = 0
    async for chunk in resources.objects.read_stream(tenant_id, row.s3_key, chunk_size=4 * MIB):
        digest.update(chunk)
        size += len(chunk)
    async with resources.db.tenant(tenant_id) as conn:
        await files_repo.mark_file_ready(
            conn,
            row.id,
            size_bytes=size,
            checksum_sha256=digest.hexdigest(),
            detected_types=types,
            ar_version=version,
        )
    logger.info("upload %s verified: %d bytes", row.id, size)


async def discard(resources: Resources, tenant_id: UUID, row: LogFile) -> None:
    """Remove a refused upload's object and mark its row deleted."""
    await resources.objects.delete(tenant_id, row.s3_key)
    async with resources.db.tenant(tenant_id) as conn:
        await files_repo.delete_file(conn, row.id)


async def abort(resources: Resources, tenant_id: UUID, file_id: UUID, upload_id: str) -> None:
    row = await _uploading(resources, tenant_id, file_id)
    if row.status is not FileStatus.UPLOADING:
        raise ApiError(409, "upload_finished", "this upload is already complete; delete the file")
    try:
        await resources.objects.abort_multipart(tenant_id, row.s3_key, upload_id)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "error"))
        raise ApiError(400, "invalid_upload", f"S3 refused to abort the upload ({code})") from None
    async with resources.db.tenant(tenant_id) as conn:
        await files_repo.delete_file(conn, file_id)
