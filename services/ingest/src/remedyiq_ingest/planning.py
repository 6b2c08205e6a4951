"""Checking a submitted object and cutting it into parser work units.

A plain log is split into byte ranges of about ``target`` bytes, each starting at a record
(the object is read once, in a stream, to place the cuts and count lines). A compressed object
(``.gz``, ``.zip``) cannot be read from the middle: it is one unit, parsed as a stream (several
zip members are merged in time order, as the reference does). Anything that is not an AR System
log is refused with a reason a user can act on.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from remedyiq_arlog.ranges import ByteRange, RangePlanner, even_cuts
from remedyiq_arlog.sources import PROBE_BYTES, detect, probe_bytes

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"


class InputProblem(ValueError):
    """Why a submitted object cannot be analysed."""


@dataclass(frozen=True, slots=True)
class Plan:
    mode: Literal["range", "stream"]
    ranges: list[ByteRange]
    compression: str | None
    detected_types: list[str]
    ar_version: str | None


def inspect_head(head: bytes, filename: str) -> tuple[str | None, list[str], str | None]:
    """Compression, detected log types and AR version from the object's first bytes."""
    if head.startswith(ZIP_MAGIC):
        return "zip", [], None  # the members are checked when parsed
    text = head
    compression = None
    if head.startswith(GZIP_MAGIC):
        compression = "gzip"
        try:
            text = zlib.decompressobj(wbits=31).decompress(head, PROBE_BYTES)
        except zlib.error as exc:
            raise InputProblem(f"{filename}: not a readable gzip file ({exc})") from None
    problem = probe_bytes(text)
    if problem is not None:
        raise InputProblem(f"{filename}: {problem}")
    types, version = detect(text)
    return compression, types, version


async def plan(
    head: bytes, size: int, filename: str, target: int, stream: AsyncIterator[bytes] | None
) -> Plan:
    """The work units of an object of ``size`` bytes whose first bytes are ``head``.

    ``stream`` (the whole object) is read only when a plain object needs several ranges.
    """
    if size == 0:
        raise InputProblem(f"{filename}: the file is empty")
    compression, types, version = inspect_head(head, filename)
    if compression is not None:
        return Plan("stream", [ByteRange(0, size, 1)], compression, types, version)
    parts = max(1, math.ceil(size / target))
    if parts == 1 or stream is None:
        return Plan("range", [ByteRange(0, size, 1)], None, types, version)
    planner = RangePlanner(size, even_cuts(size, parts))
    async for chunk in stream:
        planner.feed(chunk)
        if planner.done:
            break
    return Plan("range", planner.finish(), None, types, version)
