"""Physical lines of a byte stream, with their numbers and byte offsets.

Reads big blocks and splits them in C; decodes UTF-8 with ``surrogateescape`` so that arbitrary
bytes never raise (and encode back unchanged); strips the ``\\r`` of CRLF files (offsets still
count it). Memory is one block plus at most :data:`MAX_LINE` bytes of one line, whatever the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Final

BLOCK_SIZE: Final = 4 * 1024 * 1024
MAX_LINE: Final = 1024 * 1024
"""Longer physical lines keep their first MAX_LINE bytes (the cut is counted)."""


class LineStats:
    """What :func:`iter_lines` had to cut, for the parse statistics."""

    __slots__ = ("cut_lines",)

    def __init__(self) -> None:
        self.cut_lines = 0


def iter_lines(
    stream: BinaryIO,
    first_line: int = 1,
    first_offset: int = 0,
    length: int | None = None,
    stats: LineStats | None = None,
) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_number, byte_offset, text)`` for the lines in ``length`` bytes of ``stream``.

    ``stream`` must be positioned at ``first_offset``, the start of a line. A final line without a
    newline is yielded too; an empty input yields nothing.
    """
    remaining = length
    line_number = first_line
    offset = first_offset
    carry = b""
    dropped = 0  # bytes of the current (over-long) line that were not kept
    while True:
        size = BLOCK_SIZE if remaining is None else min(BLOCK_SIZE, remaining)
        block = stream.read(size) if size > 0 else b""
        if remaining is not None:
            remaining -= len(block)
        if not block:
            break
        data = carry + block if carry else block
        parts = data.split(b"\n")
        carry = parts.pop()
        for raw in parts:
            text = raw.decode("utf-8", "surrogateescape")
            yield line_number, offset, text[:-1] if text.endswith("\r") else text
            line_number += 1
            offset += len(raw) + 1 + dropped
            dropped = 0
        if len(carry) > MAX_LINE:
            if dropped == 0 and stats is not None:
                stats.cut_lines += 1
            dropped += len(carry) - MAX_LINE
            carry = carry[:MAX_LINE]
    if carry:
        text = carry.decode("utf-8", "surrogateescape")
        yield line_number, offset, text[:-1] if text.endswith("\r") else text
