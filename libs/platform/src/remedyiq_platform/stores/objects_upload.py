"""Streaming upload of an async byte stream to S3 with bounded memory.

The stream is cut into parts of ``part_size`` bytes (8–16 MiB). One part uploads while the
next one fills, so memory stays near two parts whatever the object's size; a stream shorter
than one part becomes a single PUT. Parts are ``io.BytesIO`` buffers filled here: botocore
hashes them and aiohttp sends them in small chunks, where a ``bytes`` body would be copied
whole once more into the socket transport's buffer (measured: +1 part per request).

On any error (including cancellation) the multipart upload is aborted, so no invisible parts
are left to bill. The SHA-256 and size are computed on the way through.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any

from remedyiq_platform.stores.errors import ObjectTooLargeError

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
MIN_PART_SIZE = 8 * MIB
MAX_PART_SIZE = 16 * MIB
MAX_PARTS = 10_000  # S3's limit: 8 MiB parts allow objects up to ~78 GiB


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What was stored: key, size in bytes, SHA-256 (hex) and the store's ETag."""

    key: str
    size: int
    sha256: str
    etag: str
    parts: int


async def upload_stream(
    client: Any,
    bucket: str,
    key: str,
    chunks: AsyncIterable[bytes],
    *,
    part_size: int,
    content_type: str,
    max_bytes: int | None,
) -> UploadResult:
    """Upload ``chunks`` to ``bucket/key``; see the module docstring."""
    if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
        raise ValueError(f"part size must be 8..16 MiB, got {part_size}")
    digest = hashlib.sha256()
    size = 0
    buffer = io.BytesIO()
    upload_id: str | None = None
    done: list[dict[str, Any]] = []
    pending: asyncio.Task[dict[str, Any]] | None = None

    async def send(part: io.BytesIO) -> None:
        """Start uploading ``part`` once the previous part is done."""
        nonlocal upload_id, pending
        if upload_id is None:
            created = await client.create_multipart_upload(
                Bucket=bucket, Key=key, ContentType=content_type
            )
            upload_id = str(created["UploadId"])
        if pending is not None:
            done.append(await pending)  # at most one part in flight
        number = len(done) + 1
        if number > MAX_PARTS:
            raise ObjectTooLargeError(f"more than {MAX_PARTS} parts of {part_size} bytes")
        pending = asyncio.create_task(
            _upload_part(client, bucket, key, upload_id=upload_id, number=number, body=part)
        )

    try:
        async for chunk in chunks:
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise ObjectTooLargeError(f"upload exceeds {max_bytes} bytes")
            digest.update(chunk)
            buffer.write(chunk)
            if buffer.tell() >= part_size:
                # Hand the buffer itself to the part (parts may differ in size): no copy.
                part, buffer = buffer, io.BytesIO()
                await send(part)
        if upload_id is None:
            buffer.seek(0)
            put = await client.put_object(
                Bucket=bucket, Key=key, Body=buffer, ContentType=content_type
            )
            return UploadResult(key, size, digest.hexdigest(), str(put["ETag"]), 0)
        if buffer.tell():
            await send(buffer)
        if pending is not None:  # always: send() leaves the last part in flight
            done.append(await pending)
            pending = None
        completed = await client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
        )
        return UploadResult(key, size, digest.hexdigest(), str(completed["ETag"]), len(done))
    except BaseException:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        if upload_id is not None:
            await _abort(client, bucket, key, upload_id)
        raise


async def _upload_part(
    client: Any, bucket: str, key: str, *, upload_id: str, number: int, body: io.BytesIO
) -> dict[str, Any]:
    body.seek(0)
    response = await client.upload_part(
        Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
    )
    return {"PartNumber": number, "ETag": response["ETag"]}


async def _abort(client: Any, bucket: str, key: str, upload_id: str) -> None:
    # Shielded: a cancelled upload must still release its parts.
    try:
        await asyncio.shield(
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        )
    except Exception:
        logger.exception("could not abort multipart upload %s of %s", upload_id, key)
