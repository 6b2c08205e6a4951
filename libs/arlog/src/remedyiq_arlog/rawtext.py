"""A row's raw lines as stored: the headers the row's columns already hold, folded.

Every line of an AR log starts with the same ~200-character header (``<FLTR> <TrID: …> <TID: …>
<RPC ID: …> <Queue: …> <Client-RPC: …> <USER: …> <Overlay-Group: …>``), and the lines of one row
(an API call's begin and end, a filter check with its actions…) come from one thread, so they
repeat the first line's header. Headers are ~70 % of a combined log's raw text, and storing them
is most of what the writer and ClickHouse's merges spend their CPU on; the header's fields are
columns anyway. So a row stores its lines *packed*:

* a line after the first that starts with the first line's header ``H`` is written with
  :data:`MARK` in its place; ``raw_head`` is ``H``'s length in stored (UTF-8) bytes, 0 when
  nothing was folded;
* when ``H`` is exactly what the row's own columns print (:func:`render`: the type tag, then
  :data:`SEGMENTS` with the writer's paddings), ``H`` itself is dropped from the first line too
  and the packed text starts with :data:`REBUILT` (the TrID layout of 9.x and later) or
  :data:`REBUILT_LEGACY` (the older layout without ``<TrID: …>``); reading puts it back from
  the columns.

Unpacking is exact because a row is packed only when none of the three marks is in it
(:func:`pack`). ClickHouse unpacks in the ``raw_text`` ALIAS column of ``log_entries``
(migrations 0009 and 0011), :func:`unpack` is the same in Python. A substring free of ``<``,
``>``, newlines and the marks is in the unpacked text exactly when it is in the packed text or,
for a row with a rebuilt header, inside one of ``H``'s bracketed segments (a match that crosses
a header's edge holds a ``<``, a ``>`` or a newline); so free-text search reads the smaller
column and the header's columns (``remedyiq_query.predicates``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Final

from remedyiq_arlog.schema import LogType

MARK: Final = "\x1e"
"""Stands for the first line's header at the start of a later line (ASCII record separator)."""
REBUILT: Final = "\x1c"
"""Starts a packed text whose first header is rendered from the row's columns (TrID layout)."""
REBUILT_LEGACY: Final = "\x1d"
"""… the same in the layout without ``<TrID: …>`` (7.x to early 9.x servers)."""
MARKS: Final = (MARK, REBUILT, REBUILT_LEGACY)
TAG_WIDTH: Final = 4
SEGMENTS: Final = (
    ("TrID: ", "trace_id", 30),
    ("TID: ", "thread_id", 0),
    ("RPC ID: ", "rpc_id", 0),
    ("Queue: ", "queue", 10),
    ("Client-RPC: ", "client_rpc", 9),
    ("USER: ", "user", 45),
    ("Overlay-Group: ", "overlay_group", 10),
)
"""``(label, column, width)`` of the bracketed fields after the type tag, as the AR server
writes them: the value padded with spaces to ``width`` (0: as it is). The legacy layout lacks the
first."""
HEADER_COLUMNS: Final = ("log_type", *(column for _, column, _ in SEGMENTS))
"""The columns a rendered header is made of, in the order :func:`render` takes them."""
VALUE_CHARACTERS: Final = {
    "trace_id": frozenset(string.ascii_letters + string.digits + "_-:"),
    "thread_id": frozenset(string.digits),
    "rpc_id": frozenset(string.digits),
}
"""A header is rendered only when these values hold only these characters (as AR servers write
them): search then knows that a word with other characters is in none of them."""
_TAGS: Final = {int(t): t.name for t in LogType if t is not LogType.OTHER}
_TAG_NAMES: Final = frozenset(_TAGS.values())
MAX_HEAD: Final = 0xFFFF
"""``raw_head`` is a UInt16: a longer "header" is no AR header, its row is stored as it is."""

_HEAD: Final = re.compile(r"<[^<>\n]*>(?: <[^<>\n]*>)*")
_FOLDED: Final = "\n" + MARK
_STAMPED: Final = "> /* "


def stored_utf8(text: str) -> str:
    """``text`` as ClickHouse stores it: lines are decoded with ``surrogateescape`` (any bytes
    survive, offsets stay exact) and bytes that are not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def render(values: Sequence[str], *, trid: bool = True) -> str:
    """The header a line with these :data:`HEADER_COLUMNS` values (the log type by name) has,
    without ``<TrID: …>`` unless ``trid``: each value padded with spaces to its width, and cut
    to it if longer, in characters — exactly what the ``raw_header`` ALIAS of ``log_entries``
    computes (``rightPadUTF8``), so that Python and ClickHouse read a row alike."""
    parts = ["<", _fit(values[0], TAG_WIDTH), ">"]
    for index, (label, _, width) in enumerate(SEGMENTS):
        if index or trid:
            parts += [" <", label, _fit(values[index + 1], width), ">"]
    return "".join(parts)


def _fit(value: str, width: int) -> str:
    return value[:width].ljust(width) if width else value


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def pack(text: str, header_values: Sequence[str] | None = None) -> tuple[str, int]:
    """``(packed text, raw_head)`` of a row's newline-joined lines; ``header_values``: the row's
    :data:`HEADER_COLUMNS`, to drop the first header too when they print it."""
    if MARK in text or REBUILT in text or REBUILT_LEGACY in text:
        return text, 0
    header = _first_header(text)
    if header is None:
        return text, 0
    size = len(header) if header.isascii() else len(stored_utf8(header).encode())
    if size > MAX_HEAD:
        return text, 0
    packed = text.replace("\n" + header, _FOLDED)
    layout = _layout(header, header_values) if header_values is not None else None
    if layout is not None:
        return layout + packed[len(header) :], size
    if len(packed) == len(text):
        return text, 0
    return packed, size


def _first_header(text: str) -> str | None:
    first = text.find("\n")
    stamp = text.find(_STAMPED, 0, first if first >= 0 else len(text))
    if stamp > 0 and text[0] == "<":  # the usual first line: header, then its time
        return text[: stamp + 1]
    head = _HEAD.match(text)
    return None if head is None else head.group()


def _layout(header: str, values: Sequence[str]) -> str | None:
    """The mark of the layout in which ``values`` render ``header`` as the AR server wrote it, if
    one does (a type with a tag; UTF-8 text: bytes that were not are stored otherwise)."""
    if values[0] not in _TAG_NAMES or not (header.isascii() or _is_utf8(header)):
        return None
    for index, (_, column, _) in enumerate(SEGMENTS, 1):
        allowed = VALUE_CHARACTERS.get(column)
        if allowed is not None and not allowed.issuperset(values[index]):
            return None
    if header == render(values):
        return REBUILT
    if not values[1] and header == render(values, trid=False):
        return REBUILT_LEGACY
    return None


def pack_all(
    texts: Sequence[str], header_columns: Sequence[Sequence[object]] | None = None
) -> tuple[list[str], list[int]]:
    """:func:`pack` over a column of rows (``header_columns``: the :data:`HEADER_COLUMNS`, a
    list each, the log type as its number): the packed texts and their ``raw_head`` values (one
    loop, no tuple per row: compiled, this is most of what packing a batch costs)."""
    packed: list[str] = []
    heads: list[int] = []
    for index, text in enumerate(texts):
        values: list[str] | None = None
        if header_columns is not None:
            tag = _TAGS.get(int(header_columns[0][index]), "")  # type: ignore[call-overload]
            values = [tag, *(str(column[index]) for column in header_columns[1:])]
        lines, head = pack(text, values)
        packed.append(lines)
        heads.append(head)
    return packed, heads


def unpack(packed: str, raw_head: int, header_values: Sequence[str] | None = None) -> str:
    """The row's lines from what :func:`pack` stored (``packed`` as stored: valid UTF-8), or
    from a prefix of it (a prefix of the lines); ``header_values``: the row's
    :data:`HEADER_COLUMNS`, needed when its first header was dropped."""
    layout = packed[:1]
    if layout in (REBUILT, REBUILT_LEGACY):
        if header_values is None:
            raise ValueError("this row's header is rendered from its columns: pass them")
        header = render(header_values, trid=layout == REBUILT)
        return (header + packed[1:]).replace(_FOLDED, "\n" + header)
    if not raw_head or _FOLDED not in packed:
        return packed
    header = packed.encode()[:raw_head].decode()
    return packed.replace(_FOLDED, "\n" + header)
