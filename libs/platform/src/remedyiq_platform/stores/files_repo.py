"""Uploaded log files: registered while uploading, marked ready once stored and verified.

Every function takes a connection from ``Database.tenant(...)``: rows belong to that tenant
(``tenant_id`` defaults to the transaction's tenant, and RLS hides every other tenant's rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from remedyiq_platform.stores.errors import ConflictError, NotFoundError
from remedyiq_platform.stores.pgpage import Page, encode_cursor, keyset_query


class FileStatus(StrEnum):
    """Upload lifecycle of a log file."""

    UPLOADING = "uploading"
    READY = "ready"
    DELETED = "deleted"


class LogFile(BaseModel):
    """A ``log_files`` row."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    tenant_id: UUID
    filename: str
    size_bytes: int
    s3_bucket: str
    s3_key: str
    content_type: str
    compression: str | None
    status: FileStatus
    checksum_sha256: str | None
    detected_types: list[str]
    ar_version: str | None
    uploaded_at: datetime
    ready_at: datetime | None
    deleted_at: datetime | None
    updated_at: datetime


def _file(row: Any) -> LogFile:
    return LogFile.model_validate(dict(row))


async def create_file(
    conn: Any,
    *,
    file_id: UUID,
    filename: str,
    s3_bucket: str,
    s3_key: str,
    content_type: str = "text/plain",
    compression: str | None = None,
    size_bytes: int = 0,
) -> LogFile:
    """Register a file whose upload is starting (status ``uploading``).

    The caller chooses ``file_id`` first, because the object key contains it.
    """
    row = await conn.fetchrow(
        """
        INSERT INTO log_files (id, filename, s3_bucket, s3_key, content_type, compression,
                               size_bytes)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        RETURNING *
        """,
        file_id,
        filename,
        s3_bucket,
        s3_key,
        content_type,
        compression,
        size_bytes,
    )
    return _file(row)


async def get_file(conn: Any, file_id: UUID) -> LogFile | None:
    """The file, or None if it does not exist for this tenant."""
    row = await conn.fetchrow("SELECT * FROM log_files WHERE id = $1", file_id)
    return None if row is None else _file(row)


async def list_files(
    conn: Any,
    *,
    status: FileStatus | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[LogFile]:
    """The tenant's files, newest first (keyset pagination on ``(uploaded_at, id)``).

    Deleted files are listed only when ``status`` asks for them.
    """
    sql, args = keyset_query(
        "log_files",
        "uploaded_at",
        equals={} if status is None else {"status": str(status)},
        where=["status <> 'deleted'"] if status is None else [],
        cursor=cursor,
        limit=limit,
    )
    rows = await conn.fetch(sql, *args)
    items = [_file(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items, encode_cursor(items[-1].uploaded_at, items[-1].id) if more else None)


async def mark_file_ready(
    conn: Any,
    file_id: UUID,
    *,
    size_bytes: int,
    checksum_sha256: str,
    detected_types: Sequence[str] = (),
    ar_version: str | None = None,
) -> LogFile:
    """Mark an uploaded file ready with its verified size and checksum.

    Idempotent: marking a ready file ready again with the same checksum returns it unchanged;
    a different checksum, or a deleted file, raises :class:`ConflictError`.
    """
    row = await conn.fetchrow(
        """
        UPDATE log_files
        SET status = 'ready', size_bytes = $2, checksum_sha256 = $3, detected_types = $4,
            ar_version = $5, ready_at = now()
        WHERE id = $1 AND status = 'uploading'
        RETURNING *
        """,
        file_id,
        size_bytes,
        checksum_sha256,
        list(detected_types),
        ar_version,
    )
    if row is not None:
        return _file(row)
    current = await get_file(conn, file_id)
    if current is None:
        raise NotFoundError(f"file {file_id} not found")
    if current.status == FileStatus.READY and current.checksum_sha256 == checksum_sha256:
        return current
    raise ConflictError(f"file {file_id} is {current.status}, cannot mark it ready")


async def delete_file(conn: Any, file_id: UUID) -> LogFile:
    """Mark a file deleted (its row stays for the jobs that used it; delete the object too).

    Idempotent; raises :class:`NotFoundError` if the file does not exist for this tenant.
    """
    row = await conn.fetchrow(
        """
        UPDATE log_files SET status = 'deleted', deleted_at = coalesce(deleted_at, now())
        WHERE id = $1
        RETURNING *
        """,
        file_id,
    )
    if row is None:
        raise NotFoundError(f"file {file_id} not found")
    return _file(row)
