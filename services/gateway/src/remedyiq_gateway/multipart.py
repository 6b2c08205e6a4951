"""The one file of a ``multipart/form-data`` body, streamed: never held whole in memory or on disk.

python-multipart's incremental parser is fed the request body chunk by chunk as it arrives
(``request.stream()``); the file part's bytes are handed on as they are parsed, so memory stays
at about one network chunk whatever the file's size. Other (text) fields are read and dropped,
up to a small size; a second file field is refused.

    upload = MultipartFile(request.stream(), request.headers["content-type"])
    part = await upload.start()          # headers of the file part (its filename)
    async for chunk in upload.data():    # its bytes, then the rest of the body is checked
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from remedyiq_gateway.errors import ApiError

MAX_FIELD_BYTES: Final = 64 * 1024
MAX_OTHER_BYTES: Final = 1024 * 1024  # all non-file fields of one body together
MAX_HEADER_BYTES: Final = 8 * 1024
MAX_PARTS: Final = 100


@dataclass(frozen=True, slots=True)
class FilePart:
    """The file part's headers."""

    field: str
    filename: str
    content_type: str


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_multipart", message)


class MultipartFile:
    """See the module docstring."""

    def __init__(
        self, body: AsyncIterator[bytes], content_type: str | None, *, field: str = "file"
    ):
        kind, params = parse_options_header(content_type or "")
        boundary = params.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise ApiError(
                415,
                "unsupported_media_type",
                "send the file as multipart/form-data with a 'file' field",
            )
        self._body = body
        self._field = field
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_end": self._end,
            },
            max_header_count=16,
        )
        self._headers: dict[str, bytes] = {}
        self._name = bytearray()
        self._value = bytearray()
        self._in_file = False
        self._field_size = 0
        self._other_size = 0
        self._parts = 0
        self._file: FilePart | None = None
        self._file_done = False
        self._ended = False
        self._out: list[bytes] = []

    # -- parser callbacks (synchronous, called from write()) ------------------------------

    def _part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise _bad(f"at most {MAX_PARTS} form fields are accepted")
        self._headers = {}
        self._in_file = False
        self._field_size = 0

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]
        self._check_header()

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        self._check_header()

    def _check_header(self) -> None:
        if len(self._name) + len(self._value) > MAX_HEADER_BYTES:
            raise _bad("a part header is too long")

    def _header_end(self) -> None:
        # kept as bytes: header values may hold any bytes (UTF-8 file names, or garbage)
        self._headers[self._name.decode("latin-1").lower()] = bytes(self._value)
        self._name.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get("content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if name != self._field:
            return
        if self._file is not None:
            raise _bad(f"only one '{self._field}' part is accepted")
        self._in_file = True
        self._file = FilePart(
            name,
            filename.decode("utf-8", "replace") if filename else "upload.log",
            self._headers.get("content-type", b"application/octet-stream").decode("latin-1"),
        )

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._out.append(data[start:end])
            return
        self._field_size += end - start
        self._other_size += end - start
        if self._field_size > MAX_FIELD_BYTES or self._other_size > MAX_OTHER_BYTES:
            raise _bad(f"form fields other than '{self._field}' are limited to 64 KiB")

    def _part_end(self) -> None:
        if self._in_file:
            self._file_done = True
            self._in_file = False

    def _end(self) -> None:
        self._ended = True

    # -- driving it ------------------------------------------------------------------------

    async def _feed_next(self) -> bool:
        """Feed one more chunk of the body; False at its end."""
        try:
            chunk = await anext(self._body)
        except StopAsyncIteration:
            return False
        if chunk:
            try:
                self._parser.write(chunk)
            except MultipartParseError as exc:
                raise _bad(f"malformed multipart body: {exc}") from None
        return True

    async def start(self) -> FilePart:
        """Read until the file part's headers are known (its first bytes may be buffered)."""
        while self._file is None:
            if self._ended or not await self._feed_next():
                raise _bad(f"the body has no '{self._field}' part")
        return self._file

    async def data(self) -> AsyncIterator[bytes]:
        """The file's bytes; afterwards the rest of the body is read and checked."""
        if self._file is None:
            await self.start()
        while True:
            if self._out:
                chunk = self._out[0] if len(self._out) == 1 else b"".join(self._out)
                self._out.clear()
                yield chunk
            if self._file_done:
                break
            if not await self._feed_next():
                raise _bad("the body ended inside the file part")
        while not self._ended:
            if not await self._feed_next():
                raise _bad("the body ended before its closing boundary")
        self._out.clear()
