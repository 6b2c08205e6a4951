"""Presigned URLs and browser-driven multipart uploads (part of :class:`ObjectStore`).

A browser uploads a multi-GB file straight to S3: the gateway creates the multipart upload,
hands out one presigned URL per part, then completes (or aborts) it with the parts' ETags. A
client that lost the ETags (a reloaded page) lists the parts already uploaded and resumes.
Every key is checked against the tenant's prefix first, like every other operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from remedyiq_platform.stores.objects_keys import check_key, safe_filename

MAX_EXPIRY_S = 7 * 24 * 3600  # SigV4's limit


@dataclass(frozen=True, slots=True)
class CompletedPart:
    """A part the client uploaded: its number (1-based) and the ETag S3 returned for it."""

    part_number: int
    etag: str


@dataclass(frozen=True, slots=True)
class UploadedPart:
    """A part S3 holds for an unfinished multipart upload."""

    part_number: int
    etag: str
    size: int


def _expiry(expires_s: int) -> int:
    if not 1 <= expires_s <= MAX_EXPIRY_S:
        raise ValueError(f"expiry must be 1..{MAX_EXPIRY_S} s, got {expires_s}")
    return expires_s


class PresignMixin:
    """Presigning and multipart helpers; mixed into ObjectStore (which sets these fields)."""

    _client: Any
    bucket: str

    async def ensure_bucket(self) -> None:
        """Provided by ObjectStore."""
        raise NotImplementedError

    async def presign_get(
        self,
        tenant_id: UUID | str,
        key: str,
        *,
        expires_s: int = 900,
        download_name: str | None = None,
    ) -> str:
        """A URL that GETs ``key`` without credentials until it expires.

        With ``download_name`` the browser saves it under that (sanitised) name.
        """
        params = {"Bucket": self.bucket, "Key": check_key(tenant_id, key)}
        if download_name is not None:
            params["ResponseContentDisposition"] = (
                f'attachment; filename="{safe_filename(download_name)}"'
            )
        await self.ensure_bucket()
        url = await self._client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=_expiry(expires_s)
        )
        return str(url)

    async def presign_put(
        self,
        tenant_id: UUID | str,
        key: str,
        *,
        expires_s: int = 900,
        content_type: str = "application/octet-stream",
    ) -> str:
        """A URL that PUTs ``key`` in one request; the client must send ``content_type``."""
        params = {
            "Bucket": self.bucket,
            "Key": check_key(tenant_id, key),
            "ContentType": content_type,
        }
        await self.ensure_bucket()
        url = await self._client.generate_presigned_url(
            "put_object", Params=params, ExpiresIn=_expiry(expires_s)
        )
        return str(url)

    async def create_multipart(
        self,
        tenant_id: UUID | str,
        key: str,
        *,
        content_type: str = "application/octet-stream",
    ) -> str:
        """Start a multipart upload of ``key``; returns its upload id."""
        key = check_key(tenant_id, key)
        await self.ensure_bucket()
        created = await self._client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return str(created["UploadId"])

    async def presign_part(
        self,
        tenant_id: UUID | str,
        key: str,
        upload_id: str,
        part_number: int,
        *,
        expires_s: int = 3600,
    ) -> str:
        """A URL that PUTs part ``part_number`` (1..10000) of the multipart upload."""
        if not 1 <= part_number <= 10_000:
            raise ValueError(f"part number must be 1..10000, got {part_number}")
        params = {
            "Bucket": self.bucket,
            "Key": check_key(tenant_id, key),
            "UploadId": upload_id,
            "PartNumber": part_number,
        }
        url = await self._client.generate_presigned_url(
            "upload_part", Params=params, ExpiresIn=_expiry(expires_s)
        )
        return str(url)

    async def complete_multipart(
        self, tenant_id: UUID | str, key: str, upload_id: str, parts: Sequence[CompletedPart]
    ) -> str:
        """Assemble the uploaded parts into the object; returns its ETag."""
        if not parts:
            raise ValueError("a multipart upload needs at least one part")
        ordered = sorted(parts, key=lambda p: p.part_number)
        completed = await self._client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=check_key(tenant_id, key),
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in ordered]
            },
        )
        return str(completed["ETag"])

    async def list_parts(
        self, tenant_id: UUID | str, key: str, upload_id: str
    ) -> list[UploadedPart]:
        """The parts uploaded so far, in order (S3 pages them by 1000)."""
        key = check_key(tenant_id, key)
        parts: list[UploadedPart] = []
        marker = 0
        while True:
            page = await self._client.list_parts(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker
            )
            parts += [
                UploadedPart(int(p["PartNumber"]), str(p["ETag"]), int(p["Size"]))
                for p in page.get("Parts", [])
            ]
            if not page.get("IsTruncated"):
                return parts
            marker = int(page["NextPartNumberMarker"])

    async def abort_multipart(self, tenant_id: UUID | str, key: str, upload_id: str) -> None:
        """Abandon a multipart upload and free its parts."""
        await self._client.abort_multipart_upload(
            Bucket=self.bucket, Key=check_key(tenant_id, key), UploadId=upload_id
        )
