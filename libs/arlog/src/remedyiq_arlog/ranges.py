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


class RangePlanner:
    """Finds range starts while the bytes stream past once (from a file or object storage).

    Feed the input's blocks in order, then :meth:`finish`. Only counters are kept, so planning a
    file of any size takes constant memory.
    """

    def __init__(self, size: int, cuts: list[int]) -> None:
        self.size = size
        self._pending = sorted({c for c in cuts if 0 < c < size}, reverse=True)
        self._starts = [0]
        self._lines_before = [0]  # newlines before each start
        self._position = 0
        self._newlines = 0
        self._last = b""  # last byte of the previous block (a record start needs "\n" + "<")

    @property
    def done(self) -> bool:
        """True once every cut is placed (the rest of the input need not be read)."""
        return not self._pending

    def feed(self, block: bytes) -> None:
        position = self._position
        end = position + len(block)
        pending = self._pending
        while pending and pending[-1] < end:
            cut = max(pending[-1], self._starts[-1] + 1)
            found = _next_record_start(block, self._last, position, cut)
            if found is None:
                break  # the start lies beyond this block
            pending.pop()
            if found > self._starts[-1]:
                self._starts.append(found)
                self._lines_before.append(self._newlines + block.count(b"\n", 0, found - position))
        self._newlines += block.count(b"\n")
        self._last = block[-1:]
        self._position = end

    def finish(self) -> list[ByteRange]:
        bounds = [*self._starts, self.size]
        return [
            ByteRange(bounds[i], bounds[i + 1], self._lines_before[i] + 1)
            for i in range(len(self._starts))
        ]


def plan_ranges(stream: BinaryIO, size: int, cuts: list[int]) -> list[ByteRange]:
    """Ranges covering ``size`` bytes of a seekable ``stream``, split near the given offsets."""
    planner = RangePlanner(size, cuts)
    stream.seek(0)
    position = 0
    while position < size and not planner.done:
        block = stream.read(min(_BLOCK, size - position))
        if not block:
            break
        planner.feed(block)
        position += len(block)
    return planner.finish()


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
