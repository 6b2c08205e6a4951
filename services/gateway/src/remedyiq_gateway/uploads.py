"""Receiving a log file: streamed from the request straight into S3, checked on the way.

The first 64 KiB are held back to decide whether the upload is an AR System log (plain, gzip or
zip); then the file row is registered (``uploading``), the bytes stream to S3 in multipart parts
(memory stays about two parts), and the row is marked ``ready`` with the size and SHA-256
computed on the way. Any failure — too large, not a log, client gone — leaves no object behind
and the row marked ``deleted``.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

from starlette.requests import Request

from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import ApiError
from remedyiq_gateway.multipart import MultipartFile
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_gateway.sniff import HEAD_BYTES, NotArLogError, Sniffed, sniff
from remedyiq_platform.stores import files_repo, tenants_repo
from remedyiq_platform.stores.errors import ObjectTooLargeError
from remedyiq_platform.stores.files_repo import LogFile
from remedyiq_platform.stores.objects_keys import file_key

logger = logging.getLogger(__name__)

MULTIPART_OVERHEAD = 1024 * 1024  # boundaries and part headers on top of the file itself


def display_name(filename: str) -> str:
    """The name shown to users: the base name of what the client sent, at most 255 chars."""
    base = posixpath.basename(filename.replace("\\", "/")).strip() or "upload.log"
    return "".join(ch for ch in base if ch.isprintable())[:255] or "upload.log"


async def upload_limit(resources: Resources, settings: GatewaySettings, tenant_id: UUID) -> int:
    """The largest file this tenant may upload (its plan's limit, capped by the server's)."""
    async with resources.db.tenant(tenant_id, readonly=True) as conn:
        tenant = await tenants_repo.get_tenant(conn, tenant_id)
    plan = tenant.max_upload_bytes if tenant is not None else settings.upload_max_bytes
    return min(plan, settings.upload_max_bytes)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "file_too_large",
        f"the file exceeds this tenant's limit of {limit} bytes",
        {"max_bytes": limit},
    )


def not_a_log(exc: NotArLogError) -> ApiError:
    return ApiError(422, "not_an_ar_log", f"not an AR System log: {exc}")


async def _head(chunks: AsyncIterator[bytes], limit: int) -> list[bytes]:
    """The first chunks, at least HEAD_BYTES of them unless the file is shorter."""
    held: list[bytes] = []
    size = 0
    async for chunk in chunks:
        held.append(chunk)
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        if size >= HEAD_BYTES:
            break
    return held


async def _replay(held: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in held:
        yield chunk
    held.clear()
    async for chunk in rest:
        yield chunk


async def receive_upload(
    request: Request, resources: Resources, settings: GatewaySettings, tenant_id: UUID
) -> LogFile:
    """Stream the request's ``file`` part into S3 and register it (see the module docstring)."""
    limit = await upload_limit(resources, settings, tenant_id)
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
        raise too_large(limit)
    upload = MultipartFile(request.stream(), request.headers.get("content-type"))
    part = await upload.start()
    data = upload.data()
    held = await _head(data, limit)
    try:
        sniffed = sniff(b"".join(held)[:HEAD_BYTES])
    except NotArLogError as exc:
        raise not_a_log(exc) from None
    return await _store(
        resources,
        tenant_id,
        filename=display_name(part.filename),
        sniffed=sniffed,
        chunks=_replay(held, data),
        limit=limit,
    )


async def _store(
    resources: Resources,
    tenant_id: UUID,
    *,
    filename: str,
    sniffed: Sniffed,
    chunks: AsyncIterator[bytes],
    limit: int,
) -> LogFile:
    file_id = uuid4()
    key = file_key(tenant_id, file_id, filename)
    async with resources.db.tenant(tenant_id) as conn:
        await files_repo.create_file(
            conn,
            file_id=file_id,
            filename=filename,
            s3_bucket=resources.bucket,
            s3_key=key,
            content_type=sniffed.content_type,
            compression=sniffed.compression,
        )
    try:
        stored = await resources.objects.upload_stream(
            tenant_id, key, chunks, content_type=sniffed.content_type, max_bytes=limit
        )
    except BaseException as exc:
        await _forget(resources, tenant_id, file_id)
        if isinstance(exc, ObjectTooLargeError):
            raise too_large(limit) from None
        raise
    async with resources.db.tenant(tenant_id) as conn:
        return await files_repo.mark_file_ready(
            conn,
            file_id,
            size_bytes=stored.size,
            checksum_sha256=stored.sha256,
            detected_types=sniffed.detected_types,
            ar_version=sniffed.ar_version,
        )


async def _forget(resources: Resources, tenant_id: UUID, file_id: UUID) -> None:
    """Mark a failed upload's row deleted (upload_stream already aborted the object)."""
    try:
        async with resources.db.tenant(tenant_id) as conn:
            await files_repo.delete_file(conn, file_id)
    except Exception:
        logger.exception("could not mark the failed upload %s deleted", file_id)


async def delete_stored_file(resources: Resources, tenant_id: UUID, file_id: UUID) -> None:
    """Mark the file deleted and remove its object (jobs made from it keep their results)."""
    async with resources.db.tenant(tenant_id) as conn:
        row = await files_repo.delete_file(conn, file_id)
    try:
        await resources.objects.delete(tenant_id, row.s3_key)
    except Exception:  # the file is gone for users either way; the object is orphaned
        logger.exception("the object of deleted file %s could not be removed", file_id)
