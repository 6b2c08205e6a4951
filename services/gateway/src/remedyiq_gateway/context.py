"""The original lines around an entry, read from the uploaded file by byte offset.

A plain file is read with one S3 ranged request of the window the explorer asks for
(``context_window``); a gzip file is decompressed as a stream up to the window (bounded: past
:data:`MAX_GZIP_SKIP` decompressed bytes the answer is 422, a zip member is not addressable).
"""

from __future__ import annotations

import zlib
from typing import Final

from remedyiq_analysis.explore import ContextLine, EntryDetail, context_window, lines_around
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import ApiError
from remedyiq_platform.stores.errors import NotFoundError
from remedyiq_platform.stores.files_repo import LogFile

MAX_GZIP_SKIP: Final = 2 * 1024**3


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


async def _gzip(resources: Resources, file: LogFile, start: int, end: int) -> tuple[bytes, bool]:
    if start > MAX_GZIP_SKIP:
        raise unavailable("context this deep into a compressed upload is not available")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    position = 0
    kept = bytearray()
    stream = resources.objects.read_stream(file.tenant_id, file.s3_key, chunk_size=1024 * 1024)
    try:
        async for chunk in stream:
            data = inflate.decompress(chunk)
            low, high = max(start - position, 0), min(end - position, len(data))
            if low < high:
                kept += data[low:high]
            position += len(data)
            if position >= end:
                return bytes(kept), False
    finally:
        await stream.aclose()  # type: ignore[attr-defined]  # an async generator
    return bytes(kept), True


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
    resources: Resources, file: LogFile, entry: EntryDetail, before: int, after: int
) -> list[ContextLine]:
    """±N lines around ``entry`` from ``file`` (its job's uploaded file)."""
    compression = file.compression or await _magic(resources, file)
    if entry.file_number != 1 or compression == "zip":
        raise unavailable("context lines are available for single plain or gzip uploads")
    start, end = context_window(entry, before, after)
    if compression == "gzip":
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
