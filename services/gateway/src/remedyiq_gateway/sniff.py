"""Is an upload an AR System log? Decided from its first bytes, before anything is stored.

Plain text, gzip and zip (the first member) are looked into: the decompressed head must pass
``remedyiq_arlog.sources.probe_bytes`` (text, with AR record headers). The log types seen and the
server version are kept as hints (``detected_types``, ``ar_version``).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final

from remedyiq_arlog.sources import PROBE_BYTES, detect, probe_bytes

HEAD_BYTES: Final = PROBE_BYTES
"""How many bytes of the upload (compressed) are held back to decide."""

_ZIP_LOCAL = b"PK\x03\x04"
_GZIP = b"\x1f\x8b"


class NotArLogError(ValueError):
    """The upload is not something the analysis can read; the message says why."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    compression: str | None  # None, "gzip" or "zip"
    content_type: str
    detected_types: list[str]
    ar_version: str | None


def sniff(head: bytes) -> Sniffed:
    """Classify the first bytes of an upload; raises :class:`NotArLogError`."""
    if head.startswith(_GZIP):
        compression, content_type, text = "gzip", "application/gzip", _gunzip(head)
    elif head.startswith(_ZIP_LOCAL):
        compression, content_type, text = "zip", "application/zip", _first_zip_member(head)
    else:
        compression, content_type, text = None, "text/plain", head
    problem = probe_bytes(text)
    if problem is not None:
        raise NotArLogError(problem)
    types, version = detect(text)
    return Sniffed(compression, content_type, types, version)


def _gunzip(head: bytes) -> bytes:
    try:
        text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, PROBE_BYTES)
    except zlib.error as exc:
        raise NotArLogError(f"not a readable gzip file ({exc})") from None
    if not text:
        raise NotArLogError("an empty or truncated gzip file")
    return text


def _first_zip_member(head: bytes) -> bytes:
    if len(head) < 30:
        raise NotArLogError("truncated zip archive")
    flags, method = struct.unpack_from("<HH", head, 6)
    name_len, extra_len = struct.unpack_from("<HH", head, 26)
    start = 30 + name_len + extra_len
    name = head[30 : 30 + name_len].decode("utf-8", "replace")
    if flags & 0x1:
        raise NotArLogError("encrypted zip archives are not supported")
    if name.endswith("/"):
        raise NotArLogError("the zip archive starts with a folder; put the logs at its top")
    data = head[start:]
    if method == 0:
        return data[:PROBE_BYTES]
    if method == 8:
        try:
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(data, PROBE_BYTES)
        except zlib.error as exc:
            raise NotArLogError(f"not a readable zip archive ({exc})") from None
    raise NotArLogError(f"zip compression method {method} is not supported (use deflate)")
