"""Splitting a file into byte ranges that can be parsed independently.

A range always starts at the beginning of a record (a line starting with ``<``), so a record and
its continuation lines never straddle two ranges; its first line number is counted here, so rows
carry absolute line numbers. Any cut points can be asked for: each moves forward to the next
record start. Scanning is done in C (``bytes.count``/``find``) and reads the file once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Final

_BLOCK: Final = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # exclusive
    first_line: int

    @property
    def length(self) -> int:
        return self.end - self.start


def plan_ranges(stream: BinaryIO, size: int, cuts: list[int]) -> list[ByteRange]:
    """Ranges covering ``size`` bytes of a seekable ``stream``, split near the given offsets."""
    wanted = sorted({c for c in cuts if 0 < c < size})
    starts = [0]
    lines_before = [0]  # newlines before each start
    stream.seek(0)
    position = 0
    newlines = 0
    carry_last = b""  # last byte of the previous block (a record start needs "\n" + "<")
    pending = list(reversed(wanted))
    while position < size and pending:
        block = stream.read(min(_BLOCK, size - position))
        if not block:
            break
        end = position + len(block)
        while pending and pending[-1] < end:
            cut = max(pending[-1], starts[-1] + 1)
            found = _next_record_start(block, carry_last, position, cut)
            if found is None:
                break  # the start lies beyond this block
            pending.pop()
            if found > starts[-1]:
                starts.append(found)
                lines_before.append(newlines + block.count(b"\n", 0, found - position))
        newlines += block.count(b"\n")
        carry_last = block[-1:]
        position = end
    bounds = [*starts, size]
    return [ByteRange(bounds[i], bounds[i + 1], lines_before[i] + 1) for i in range(len(starts))]


def _next_record_start(block: bytes, before: bytes, base: int, cut: int) -> int | None:
    """Offset of the first ``<`` at or after ``cut`` that begins a line, within this block."""
    index = max(cut - base, 0)
    if index == 0 and before == b"\n" and block[:1] == b"<":
        return base
    at = block.find(b"\n<", max(index - 1, 0))
    return None if at < 0 else base + at + 1


def even_cuts(size: int, parts: int) -> list[int]:
    """Offsets that split ``size`` bytes into ``parts`` roughly equal pieces."""
    return [size * i // parts for i in range(1, parts)]
