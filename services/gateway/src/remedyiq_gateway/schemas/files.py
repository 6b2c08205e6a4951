"""Log files: the MVP ``LogFile`` plus status, checksum and presigned multipart uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from remedyiq_gateway.schemas.common import Pagination
from remedyiq_platform.stores.files_repo import LogFile

UPLOAD_ID = r"^[A-Za-z0-9._~=+/-]{1,1024}$"


class LogFileOut(BaseModel):
    """An uploaded file (MVP ``LogFile`` fields first)."""

    id: UUID
    filename: str
    size_bytes: int
    detected_types: list[str]
    uploaded_at: datetime
    status: Literal["uploading", "ready", "deleted"]
    sha256: str | None
    content_type: str
    compression: str | None
    ar_version: str | None
    ready_at: datetime | None

    @classmethod
    def of(cls, row: LogFile) -> LogFileOut:
        return cls(
            id=row.id,
            filename=row.filename,
            size_bytes=row.size_bytes,
            detected_types=row.detected_types,
            uploaded_at=row.uploaded_at,
            status=row.status.value,
            sha256=row.checksum_sha256,
            content_type=row.content_type,
            compression=row.compression,
            ar_version=row.ar_version,
            ready_at=row.ready_at,
        )


class FileList(BaseModel):
    files: list[LogFileOut]
    pagination: Pagination


class UploadCreate(BaseModel):
    """Start a presigned multipart upload (the browser sends the parts straight to S3)."""

    filename: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(gt=0, description="the file's exact size")
    part_size_bytes: int | None = Field(
        None, ge=5 * 1024 * 1024, le=5 * 1024**3, description="default: the server's"
    )


class PartUrl(BaseModel):
    part_number: int
    url: str


class UploadSession(BaseModel):
    """A started multipart upload: PUT each part to its URL, keep each response's ETag."""

    file: LogFileOut
    upload_id: str
    part_size_bytes: int
    part_count: int
    parts: list[PartUrl]
    expires_in_s: int


class PartsRequest(BaseModel):
    """Presign (again) some parts: more of them, or the ones to retry after a reload."""

    upload_id: str = Field(pattern=UPLOAD_ID)
    part_numbers: list[int] = Field(min_length=1, max_length=1000)


class PartsResponse(BaseModel):
    parts: list[PartUrl]
    expires_in_s: int


class UploadedPartOut(BaseModel):
    part_number: int
    etag: str = Field(description="pass it back to complete the upload")
    size_bytes: int


class UploadedParts(BaseModel):
    """The parts S3 holds: a client that lost its ETags resumes from these."""

    upload_id: str
    parts: list[UploadedPartOut]


class CompletedPartIn(BaseModel):
    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(pattern=r'^"?[A-Za-z0-9-]{1,128}"?$', description="as S3 returned it")


class UploadComplete(BaseModel):
    upload_id: str = Field(pattern=UPLOAD_ID)
    parts: list[CompletedPartIn] = Field(min_length=1, max_length=10_000)
