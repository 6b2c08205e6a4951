"""One header record: a line starting with ``<TYPE>``, plus its headerless continuation lines.

The common header (arlog-format.md §a.2)::

    <API > <TrID: …> <TID: 0000000336> <RPC ID: 0000021396> <Queue: Fast      >
    <Client-RPC: 390620   > <USER: Demo   > <Overlay-Group: 1   >
    /* Mon Nov 24 2025 14:47:03.3760 */ details          (one line in the file)

``<TrID: …>`` is optional (before 19.x), ``<Overlay-Group>`` too (before 8.x), the timestamp may be
missing (some filter action lines) or cut off (a truncated line). A fast regular expression reads
the usual layout; a tolerant one reads everything else (extra Helix fields such as ``<OPID: …>``,
odd spacing); a line that neither can read is *malformed* — counted and kept, never fatal.
"""

from __future__ import annotations

import re
from typing import Any, Final, cast

_FAST: Final = re.compile(
    r"<(.{4})> (?:<TrID: ([^>]*)> )?<TID: ([^>]*)> <RPC ID: ([^>]*)> <Queue: ([^>]*)> "
    r"<Client-RPC: ([^>]*)> <USER: ([^>]*)> <Overlay-Group: ([^>]*)> (?:/\* (.*?) \*/ ?)?(.*)",
    re.DOTALL,
)
_TAG: Final = re.compile(r"<([^<>]{1,8})>")
_FIELD: Final = re.compile(r"\s*<([A-Za-z][A-Za-z -]{0,30}?): ?([^>]*)>")
_STAMP: Final = re.compile(r"\s*/\*(.*?)\*/ ?", re.DOTALL)

Header = tuple[str, str | None, str, str, str, str, str, str, str | None, str]
"""``(tag, trid, tid, rpc, queue, client_rpc, user, overlay, stamp_text, details)``."""

HEADER_FIELDS: Final = {
    "TrID": "trace_id",
    "TID": "thread_id",
    "RPC ID": "rpc_id",
    "Queue": "queue",
    "Client-RPC": "client_rpc",
    "USER": "user",
    "Overlay-Group": "overlay_group",
}


RECORD_ATTRIBUTES: Final = (
    "byte_offset",
    "client_rpc",
    "details",
    "end_line",
    "file_number",
    "has_ts",
    "line",
    "lines",
    "overlay_group",
    "queue",
    "raw",
    "rpc_id",
    "tag",
    "thread_id",
    "trace_id",
    "ts",
    "ts_text",
    "user",
)
"""Every attribute of a :class:`Record` (what a range summary stores of it)."""


class Record:
    """A header record with its source position; ``ts`` is epoch ms (``None`` until known)."""

    __slots__ = RECORD_ATTRIBUTES

    def __init__(
        self,
        file_number: int,
        line: int,
        byte_offset: int,
        raw: str,
        fields: Header,
    ) -> None:
        self.file_number = file_number
        self.line = line
        self.end_line = line
        self.byte_offset = byte_offset
        self.raw = raw
        self.lines = 1
        tag, trid, tid, rpc, queue, crpc, user, og, ts_text, details = fields
        self.tag = tag
        # TrID, TID and RPC ID are written unpadded; the other fields are padded with spaces
        self.trace_id = trid or ""
        self.thread_id = tid
        self.rpc_id = rpc
        self.queue = queue.rstrip()
        self.client_rpc = crpc.rstrip()
        self.user = user.rstrip()
        self.overlay_group = og.rstrip()
        self.ts_text = ts_text
        # The reference strips one trailing ">" from every record (so "<NULL>" reads "<NULL").
        self.details = details[:-1] if details.endswith(">") else details
        self.ts: int | None = None
        self.has_ts = False

    def add_continuation(self, text: str) -> None:
        """A headerless line continues this record (multi-line SQL literal, wrapped text)."""
        self.raw = f"{self.raw}\n{text}"
        self.details = f"{self.details} {text}"
        self.lines += 1
        self.end_line += 1


def restore_record(attributes: dict[str, Any]) -> Record:
    """A record rebuilt from its :data:`RECORD_ATTRIBUTES` (a decoded range summary)."""
    record = Record(0, 0, 0, "", ("", None, "", "", "", "", "", "", None, ""))
    for name in RECORD_ATTRIBUTES:
        setattr(record, name, attributes[name])
    return record


def read_header(
    line: str,
) -> Header | None:
    """Header fields of a line starting with ``<``, or ``None`` if it is malformed.

    ``trid`` is ``None`` when the header has no TrID field, ``stamp_text`` when the record has
    no (complete) timestamp.
    """
    match = _FAST.match(line)
    if match is not None:
        fields = cast(Header, match.groups())
        if fields[8] is None and fields[9].startswith("/*"):  # cut inside the timestamp
            return (*fields[:9], "")
        return fields
    return _read_tolerant(line)


def _read_tolerant(
    line: str,
) -> Header | None:
    tag_match = _TAG.match(line)
    if tag_match is None:
        return None
    tag = tag_match.group(1)
    tag = tag.ljust(4) if len(tag) < 4 else tag
    fields = dict.fromkeys(HEADER_FIELDS.values(), "")
    position = tag_match.end()
    seen_tid = False
    while True:
        field = _FIELD.match(line, position)
        if field is None:
            break
        name = HEADER_FIELDS.get(field.group(1).strip())
        if name is not None:
            fields[name] = field.group(2)
            seen_tid = seen_tid or name == "thread_id"
        position = field.end()
    if not seen_tid:
        return None
    stamp: str | None = None
    rest = line[position:]
    stamp_match = _STAMP.match(rest)
    if stamp_match is not None:
        stamp = stamp_match.group(1).strip()
        rest = rest[stamp_match.end() :]
    elif rest.lstrip().startswith("/*"):
        rest = ""  # a cut-off timestamp: the line was truncated inside it
    else:
        rest = rest.removeprefix(" ")
    return (
        tag,
        fields["trace_id"],
        fields["thread_id"],
        fields["rpc_id"],
        fields["queue"],
        fields["client_rpc"],
        fields["user"],
        fields["overlay_group"],
        stamp,
        rest,
    )
