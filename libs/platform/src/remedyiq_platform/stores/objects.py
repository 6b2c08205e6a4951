"""S3 object storage through aioboto3, tenant-scoped.

Every operation takes the tenant id and refuses a key outside ``tenants/{tenant_id}/``
(:mod:`objects_keys`). The client uses path-style addressing and SigV4 (what MinIO, SeaweedFS
and moto need), explicit connect/read timeouts and standard retries. Checksums are computed
only where S3 requires them: the newer default (CRC on every request) is not supported by all
S3-compatible stores, and uploads carry our own SHA-256 anyway.

Open one store per process in the lifespan (``store = await ObjectStore.open(...)``) and
``await store.close()`` on shutdown; it is safe to share between tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import aioboto3
from botocore.config import Config
from botocore.exceptions import ClientError

from remedyiq_platform.stores import objects_presign
from remedyiq_platform.stores.errors import NotFoundError, ObjectTooLargeError
from remedyiq_platform.stores.objects_keys import check_key, check_prefix
from remedyiq_platform.stores.objects_upload import MIB, UploadResult, upload_stream
from remedyiq_platform.stores.settings import S3Settings

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
DEFAULT_CHUNK = 1 * MIB


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """An object's size, ETag, content type and modification time."""

    key: str
    size: int
    etag: str
    content_type: str
    last_modified: datetime


def _is_not_found(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND


class ObjectStore(objects_presign.PresignMixin):
    """One bucket, many tenants: see the module docstring."""

    def __init__(
        self,
        client: Any,
        stack: contextlib.AsyncExitStack,
        *,
        bucket: str,
        part_size: int,
        create_bucket: bool,
    ) -> None:
        """Use :meth:`open`."""
        self._client = client
        self._stack = stack
        self.bucket = bucket
        self.part_size = part_size
        self._create_bucket = create_bucket
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        max_attempts: int = 5,
        part_size: int = 8 * MIB,
        max_connections: int = 20,
        create_bucket: bool = True,
    ) -> ObjectStore:
        """Create the client. No request is made until the first operation."""
        config = Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": max_attempts, "mode": "standard"},
            max_pool_connections=max_connections,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        stack = contextlib.AsyncExitStack()
        client = await stack.enter_async_context(
            session.client("s3", endpoint_url=endpoint_url, config=config)
        )
        return cls(client, stack, bucket=bucket, part_size=part_size, create_bucket=create_bucket)

    @classmethod
    async def from_settings(cls, settings: S3Settings) -> ObjectStore:
        """:meth:`open` with the values of an :class:`S3Settings`."""
        key, secret = settings.access_key, settings.secret_key
        return await cls.open(
            bucket=settings.bucket,
            endpoint_url=settings.endpoint,
            region=settings.region,
            access_key_id=key.get_secret_value() if key else None,
            secret_access_key=secret.get_secret_value() if secret else None,
            connect_timeout=settings.connect_timeout_s,
            read_timeout=settings.read_timeout_s,
            max_attempts=settings.max_attempts,
            part_size=settings.part_size_mib * MIB,
            create_bucket=settings.create_bucket,
        )

    async def close(self) -> None:
        """Close the client and its connections."""
        await self._stack.aclose()

    async def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (checked once per store)."""
        async with self._bucket_lock:
            if not self._bucket_ready:
                await self._create_bucket_if_missing()
                self._bucket_ready = True

    async def _create_bucket_if_missing(self) -> None:
        try:
            await self._client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if not _is_not_found(error) or not self._create_bucket:
                raise
            region = self._client.meta.region_name
            extra: dict[str, Any] = {}
            if region != "us-east-1":
                extra["CreateBucketConfiguration"] = {"LocationConstraint": region}
            with contextlib.suppress(self._client.exceptions.BucketAlreadyOwnedByYou):
                await self._client.create_bucket(Bucket=self.bucket, **extra)

    async def upload_stream(
        self,
        tenant_id: UUID | str,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
        max_bytes: int | None = None,
    ) -> UploadResult:
        """Stream ``chunks`` into ``key`` (multipart, bounded memory); size and SHA-256 back.

        More than ``max_bytes`` aborts the upload with :class:`ObjectTooLargeError`.
        """
        key = check_key(tenant_id, key)
        await self.ensure_bucket()
        return await upload_stream(
            self._client,
            self.bucket,
            key,
            chunks,
            part_size=self.part_size,
            content_type=content_type,
            max_bytes=max_bytes,
        )

    async def head(self, tenant_id: UUID | str, key: str) -> ObjectInfo | None:
        """Size, ETag and content type of ``key``, or None if there is no such object."""
        key = check_key(tenant_id, key)
        await self.ensure_bucket()
        try:
            found = await self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_not_found(error):
                return None
            raise
        return ObjectInfo(
            key,
            int(found["ContentLength"]),
            str(found["ETag"]),
            str(found.get("ContentType", "")),
            found["LastModified"],
        )

    async def read_range(
        self,
        tenant_id: UUID | str,
        key: str,
        start: int,
        end: int | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> AsyncIterator[bytes]:
        """Stream bytes ``[start, end)`` of ``key`` (``end=None``: to the end of the object).

        Yields chunks of at most ``chunk_size`` bytes; wrap the iteration in
        ``contextlib.aclosing`` when you may stop early, to release the connection at once.
        """
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"invalid byte range [{start}, {end})")
        if end == start:
            return
        span = f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"
        async for chunk in self._stream(tenant_id, key, chunk_size, Range=span):
            yield chunk

    async def read_stream(
        self, tenant_id: UUID | str, key: str, *, chunk_size: int = DEFAULT_CHUNK
    ) -> AsyncIterator[bytes]:
        """Stream the whole object in chunks of at most ``chunk_size`` bytes."""
        async for chunk in self._stream(tenant_id, key, chunk_size):
            yield chunk

    async def put_bytes(
        self,
        tenant_id: UUID | str,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Store a small object (an artefact) in one request; returns its ETag."""
        key = check_key(tenant_id, key)
        await self.ensure_bucket()
        put = await self._client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
        )
        return str(put["ETag"])

    async def get_bytes(
        self, tenant_id: UUID | str, key: str, *, max_bytes: int = 64 * MIB
    ) -> bytes:
        """A small object's bytes; NotFoundError if missing, ObjectTooLargeError if big."""
        parts = []
        size = 0
        async for chunk in self._stream(tenant_id, key, DEFAULT_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise ObjectTooLargeError(f"{key} is larger than {max_bytes} bytes")
            parts.append(chunk)
        return b"".join(parts)

    async def delete(self, tenant_id: UUID | str, key: str) -> None:
        """Delete ``key`` (no error if it does not exist)."""
        key = check_key(tenant_id, key)
        await self.ensure_bucket()
        await self._client.delete_object(Bucket=self.bucket, Key=key)

    async def delete_prefix(self, tenant_id: UUID | str, prefix: str) -> int:
        """Delete every object under the folder ``prefix`` (ends in ``/``); returns how many."""
        prefix = check_prefix(tenant_id, prefix)
        await self.ensure_bucket()
        deleted = 0
        paginator = self._client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:  # a page holds at most 1000 keys, delete_objects' limit
                await self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True}
                )
                deleted += len(keys)
        return deleted

    async def _stream(
        self, tenant_id: UUID | str, key: str, chunk_size: int, **extra: str
    ) -> AsyncIterator[bytes]:
        key = check_key(tenant_id, key)
        await self.ensure_bucket()
        try:
            response = await self._client.get_object(Bucket=self.bucket, Key=key, **extra)
        except ClientError as error:
            if _is_not_found(error):
                raise NotFoundError(f"no object {key}") from None
            if error.response.get("Error", {}).get("Code") == "InvalidRange":
                raise ValueError(f"{extra.get('Range')} starts past the end of {key}") from None
            raise
        body = response["Body"]
        async with body:
            while chunk := await body.read(chunk_size):
                yield chunk
