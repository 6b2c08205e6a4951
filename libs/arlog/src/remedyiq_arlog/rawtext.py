"""A row's raw lines as stored: each line that repeats the first line's header, folded.

Every line of an AR log starts with the same ~200-character header (``<FLTR> <TrID: …> <TID: …>
<RPC ID: …> <Queue: …> <Client-RPC: …> <USER: …> <Overlay-Group: …>``), and the lines of one row
(an API call's begin and end, a filter check with its actions…) come from one thread, so they
repeat the first line's header. Those repeats are 45 % of the raw text of a combined log, and
storing them is most of what the writer and ClickHouse's merges spend their CPU on; the header's
fields are columns anyway. So a row stores its lines *packed*: a line after the first that starts
with the first line's header ``H`` is written with :data:`MARK` in its place. ``raw_head`` is
``H``'s length in stored (UTF-8) bytes, 0 when nothing was folded.

Unpacking replaces every newline + :data:`MARK` by newline + ``H``, which is exact because a row
is packed only when the mark is nowhere in it (:func:`pack`). ClickHouse
unpacks in the ``raw_text`` ALIAS column of ``log_entries`` (migration 0009), :func:`unpack` is the
same in Python. A substring free of ``>``, newlines and the mark is found in the packed text
exactly when it is in the unpacked one: a match inside a folded header is also in the first line's,
and one that crosses a folded header's edge holds the newline before it or its closing ``>``. So
free-text search reads the smaller column for most words (``remedyiq_query.fields``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

MARK: Final = "\x1e"
"""Stands for the first line's header at the start of a later line (ASCII record separator)."""
MAX_HEAD: Final = 0xFFFF
"""``raw_head`` is a UInt16: a longer "header" is no AR header, its row is stored as it is."""

_HEAD: Final = re.compile(r"<[^<>\n]*>(?: <[^<>\n]*>)*")
_FOLDED: Final = "\n" + MARK
_STAMPED: Final = "> /* "


def stored_utf8(text: str) -> str:
    """``text`` as ClickHouse stores it: lines are decoded with ``surrogateescape`` (any bytes
    survive, offsets stay exact) and bytes that are not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def pack(text: str) -> tuple[str, int]:
    """``(packed text, raw_head)`` of a row's newline-joined lines."""
    first = text.find("\n")
    if first < 0 or MARK in text:
        return text, 0
    stamp = text.find(_STAMPED, 0, first)  # the usual first line: header, then its time
    if stamp > 0 and text[0] == "<":
        header = text[: stamp + 1]
    else:
        head = _HEAD.match(text)
        if head is None:
            return text, 0
        header = head.group()
    packed = text.replace("\n" + header, _FOLDED)
    if len(packed) == len(text):
        return text, 0
    size = len(header) if header.isascii() else len(stored_utf8(header).encode())
    return (packed, size) if size <= MAX_HEAD else (text, 0)


def pack_all(texts: Iterable[str]) -> tuple[list[str], list[int]]:
    """:func:`pack` over a column of rows: the packed texts and their ``raw_head`` values (one
    loop, no tuple per row: compiled, this is most of what packing a batch costs)."""
    packed: list[str] = []
    heads: list[int] = []
    for text in texts:
        lines, head = pack(text)
        packed.append(lines)
        heads.append(head)
    return packed, heads


def unpack(packed: str, raw_head: int) -> str:
    """The row's lines from what :func:`pack` stored (``packed`` as stored: valid UTF-8), or
    from a prefix of it (a prefix of the lines)."""
    if not raw_head or _FOLDED not in packed:
        return packed
    header = packed.encode()[:raw_head].decode()
    return packed.replace(_FOLDED, "\n" + header)
