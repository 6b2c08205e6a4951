"""The original lines around an entry, read from the uploaded file by byte offset.

A plain file is read with one S3 ranged request of the window the explorer asks for
(``context_window``). A gzip file, or the member of a zip archive an entry's file number names
(the job's file list maps numbers to members), is decompressed as a stream up to the window —
for a zip, ``zipfile`` reads the archive's directory and the member through S3 ranged requests.
Bounded: past :data:`MAX_SKIP` decompressed bytes the answer is 422.
"""

from __future__ import annotations

import asyncio
import zipfile
import zlib
from collections.abc import Iterable
from typing import Final
from uuid import UUID

from remedyiq_analysis.explore import ContextLine, EntryDetail, context_window, lines_around
from remedyiq_analysis.meta import FileMeta, JobMeta
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import ApiError
from remedyiq_gateway.remote_file import open_remote
from remedyiq_platform.stores import results_repo
from remedyiq_platform.stores.errors import NotFoundError
from remedyiq_platform.stores.files_repo import LogFile

MAX_SKIP: Final = 2 * 1024**3
CHUNK: Final = 1024 * 1024


def unavailable(message: str) -> ApiError:
    return ApiError(422, "context_unavailable", message)


async def _plain(resources: Resources, file: LogFile, start: int, end: int) -> tuple[bytes, bool]:
    info = await resources.objects.head(file.tenant_id, file.s3_key)
    if info is None:
        raise ApiError(404, "file_gone", "the uploaded file is no longer stored")
    stop = min(end, info.size)
    if start >= stop:
        return b"", True
    parts = [
        chunk
        async for chunk in resources.objects.read_range(file.tenant_id, file.s3_key, start, stop)
    ]
    return b"".join(parts), stop >= info.size


class _Window:
    """The bytes ``[start, end)`` of a stream of decompressed chunks."""

    def __init__(self, start: int, end: int) -> None:
        if start > MAX_SKIP:
            raise unavailable("context this deep into a compressed upload is not available")
        self.start, self.end = start, end
        self.position = 0
        self.kept = bytearray()

    def add(self, data: bytes) -> bool:
        """Keep what of ``data`` falls in the window; True once the window is complete."""
        low = max(self.start - self.position, 0)
        high = min(self.end - self.position, len(data))
        if low < high:
            self.kept += data[low:high]
        self.position += len(data)
        return self.position >= self.end


async def _gzip(resources: Resources, file: LogFile, start: int, end: int) -> tuple[bytes, bool]:
    window = _Window(start, end)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    stream = resources.objects.read_stream(file.tenant_id, file.s3_key, chunk_size=CHUNK)
    try:
        async for chunk in stream:
            if window.add(inflate.decompress(chunk)):
                return bytes(window.kept), False
    finally:
        await stream.aclose()  # type: ignore[attr-defined]  # an async generator
    return bytes(window.kept), True


async def _zip_member(
    resources: Resources, file: LogFile, member: str, start: int, end: int
) -> tuple[bytes, bool]:
    info = await resources.objects.head(file.tenant_id, file.s3_key)
    if info is None:
        raise ApiError(404, "file_gone", "the uploaded file is no longer stored")
    window = _Window(start, end)
    loop = asyncio.get_running_loop()

    def read() -> bool:  # in a worker thread: zipfile is blocking
        with (
            open_remote(loop, resources.objects, file.tenant_id, file.s3_key, info.size) as raw,
            zipfile.ZipFile(raw) as archive,
            archive.open(member) as stream,
        ):
            while chunk := stream.read(CHUNK):
                if window.add(chunk):
                    return False
        return True

    try:
        at_eof = await asyncio.to_thread(read)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise unavailable(f"the archive's member {member!r} cannot be read: {exc}") from None
    return bytes(window.kept), at_eof


def member_of(files: Iterable[FileMeta], file_number: int) -> str:
    """The zip member of file ``file_number`` in a job's file list (named ``archive!member``,
    as the parser names members)."""
    for meta in files:
        if meta.number == file_number and "!" in meta.name:
            return meta.name.split("!", 1)[1]
    raise unavailable(f"the job lists no archive member for file {file_number}")


async def _job_files(resources: Resources, tenant_id: UUID, job_id: UUID) -> list[FileMeta]:
    async with resources.db.tenant(tenant_id, readonly=True) as conn:
        result = await results_repo.get_result(conn, job_id)
    if result is None:
        raise unavailable("context lines of an archive's members exist once the job is complete")
    return JobMeta.model_validate(result.meta).files


async def _magic(resources: Resources, file: LogFile) -> str | None:
    """The compression of a file registered without it (e.g. by ``remedyiq submit``)."""
    head = b""
    try:
        async for chunk in resources.objects.read_range(file.tenant_id, file.s3_key, 0, 4):
            head += chunk
    except NotFoundError:
        raise ApiError(404, "file_gone", "the uploaded file is no longer stored") from None
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return "zip" if head.startswith(b"PK\x03\x04") else None


async def lines_of(
    resources: Resources,
    file: LogFile,
    job_id: UUID,
    entry: EntryDetail,
    *,
    before: int,
    after: int,
) -> list[ContextLine]:
    """±N lines around ``entry`` from ``file`` (the uploaded file of job ``job_id``)."""
    compression = file.compression or await _magic(resources, file)
    start, end = context_window(entry, before, after)
    if compression == "zip":
        files = await _job_files(resources, file.tenant_id, job_id)
        member = member_of(files, entry.file_number)
        data, at_eof = await _zip_member(resources, file, member, start, end)
    elif entry.file_number != 1:
        raise unavailable(f"the upload is one file; there is no file {entry.file_number}")
    elif compression == "gzip":
        data, at_eof = await _gzip(resources, file, start, end)
    else:
        data, at_eof = await _plain(resources, file, start, end)
    if entry.byte_offset - start > len(data):
        raise unavailable("the entry's offset lies outside the stored file")
    return lines_around(
        data,
        entry.byte_offset - start,
        before,
        after,
        target_line=entry.line_number,
        window_start=start,
        at_eof=at_eof,
    )
