"""A stored object seen as a seekable, read-only file, for code that wants one (``zipfile``).

The file is used from a worker thread; each read that misses its buffer is one S3 ranged GET,
run on the event loop that owns the object store's client. ``io.BufferedReader`` around it
turns ``zipfile``'s many small header reads into a few large requests.
"""

from __future__ import annotations

import asyncio
import io
from uuid import UUID

from remedyiq_platform.stores.objects import ObjectStore

READ_AHEAD = 1024 * 1024
"""Bytes fetched per request (the buffer of the reader :func:`open_remote` returns)."""


class _RemoteRaw(io.RawIOBase):
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        objects: ObjectStore,
        tenant_id: UUID,
        key: str,
        size: int,
    ) -> None:
        super().__init__()
        self._loop, self._objects = loop, objects
        self._tenant_id, self._key, self._size = tenant_id, key, size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        end = min(self._position + len(buffer), self._size)
        if end <= self._position:
            return 0
        data = asyncio.run_coroutine_threadsafe(
            self._read(self._position, end), self._loop
        ).result()
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    async def _read(self, start: int, end: int) -> bytes:
        reader = self._objects.read_range(self._tenant_id, self._key, start, end)
        return b"".join([chunk async for chunk in reader])


def open_remote(
    loop: asyncio.AbstractEventLoop, objects: ObjectStore, tenant_id: UUID, key: str, size: int
) -> io.BufferedReader:
    """``key`` of ``tenant_id`` (``size`` bytes) as a buffered binary file; use it from a thread
    other than ``loop``'s."""
    return io.BufferedReader(_RemoteRaw(loop, objects, tenant_id, key, size), READ_AHEAD)
