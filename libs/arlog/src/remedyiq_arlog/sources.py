"""Inputs: plain files, ``.gz``, ``.zip`` (every member), folders — checked before parsing.

A folder stands for its files (sorted by name); each folder is a different server, so thread ids
are kept apart per folder (the reference's rule). Anything that is not an AR System log gets a
clear :class:`InputError` naming the file and the reason, before any work starts.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

PROBE_BYTES: Final = 64 * 1024
_HEADER: Final = re.compile(
    rb"^<(API |SQL |FLTR|ESCL|USER|THRD|ALRT|[A-Z ]{4})> (<TrID: [^>]*> )?<TID: ", re.M
)
_TEXT_BYTES: Final = frozenset(range(32, 127)) | frozenset(b"\t\r\n") | frozenset(range(160, 256))
MAX_ZIP_RATIO: Final = 200
"""A zip member that expands more than this many times its compressed size is refused (bomb)."""


class InputError(ValueError):
    """An input that cannot be analysed (message names the file and the reason)."""


@dataclass(frozen=True, slots=True)
class LogInput:
    """One log to parse: a file, or a member of a zip, possibly gzip-compressed."""

    name: str  # what reports show
    path: str
    folder: str  # inputs of one folder share thread ids; different folders are servers
    member: str | None = None  # zip member
    gzipped: bool = False
    size: int = 0  # bytes on disk (compressed size for compressed inputs)

    @property
    def seekable(self) -> bool:
        """Plain files can be split into byte ranges; compressed ones are read as a stream."""
        return self.member is None and not self.gzipped

    def open(self) -> BinaryIO:
        if self.member is not None:
            archive = zipfile.ZipFile(self.path)
            return _ZipMember(archive, self.member)
        if self.gzipped:
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        return open(self.path, "rb")


class _ZipMember(io.BufferedReader):
    """A zip member that closes its archive too."""

    def __init__(self, archive: zipfile.ZipFile, member: str) -> None:
        self._archive = archive
        super().__init__(archive.open(member))  # type: ignore[arg-type]

    def close(self) -> None:
        super().close()
        self._archive.close()


def resolve_inputs(paths: list[str]) -> list[LogInput]:
    """Expand and check the paths a user gave; raises :class:`InputError` on the first bad one."""
    found: list[LogInput] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or folder")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            if not files:
                raise InputError(f"{raw}: the folder holds no files")
            for file in files:
                found.extend(_expand(file, str(file.parent), skip_non_logs=True))
        else:
            found.extend(_expand(path, str(path.parent), skip_non_logs=False))
    if not found:
        raise InputError(f"{', '.join(paths)}: no AR System log found")
    return found


def _expand(path: Path, folder: str, *, skip_non_logs: bool) -> Iterator[LogInput]:
    try:
        with open(path, "rb") as stream:
            magic = stream.read(4)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    size = path.stat().st_size
    if magic[:2] == b"\x1f\x8b":
        candidates = [LogInput(path.name, str(path), folder, gzipped=True, size=size)]
    elif magic == b"PK\x03\x04":
        candidates = list(_zip_members(path, folder))
    else:
        candidates = [LogInput(path.name, str(path), folder, size=size)]
    for candidate in candidates:
        problem = probe(candidate)
        if problem is None:
            yield candidate
        elif not skip_non_logs:
            raise InputError(f"{candidate.name}: {problem}")


def _zip_members(path: Path, folder: str) -> Iterator[LogInput]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a readable zip archive ({exc})") from None
    if not infos:
        raise InputError(f"{path}: the zip archive is empty")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
            raise InputError(
                f"{path}!{info.filename}: expands {info.file_size // info.compress_size}x "
                "(more than a log compresses); refused as a possible zip bomb"
            )
        member_folder = f"{folder}/{path.name}!{Path(info.filename).parent}"
        yield LogInput(
            f"{path.name}!{info.filename}",
            str(path),
            member_folder,
            member=info.filename,
            size=info.compress_size,
        )


def probe(log: LogInput) -> str | None:
    """Why this input is not an AR System log, or ``None`` if it looks like one."""
    try:
        with log.open() as stream:
            head = stream.read(PROBE_BYTES)
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        return f"cannot be read ({exc})"
    return probe_bytes(head)


def probe_bytes(head: bytes) -> str | None:
    """Why text starting with ``head`` (decompressed) is not an AR System log, or ``None``."""
    if not head:
        return "the file is empty"
    sample = head[:1000]
    texty = sum(1 for byte in sample if byte in _TEXT_BYTES)
    if texty < 0.95 * len(sample):
        return "binary content, not a text log"
    if _HEADER.search(head) is None:
        return (
            "no AR System log records (lines starting with <API >, <SQL >, <FLTR> or <ESCL> "
            f"and a <TID: …> field) in the first {PROBE_BYTES // 1024} KB"
        )
    return None


_TYPE_TAG: Final = re.compile(rb"^<(API |SQL |FLTR|ESCL)> ", re.M)
_VERSION: Final = re.compile(rb"\(AR Server ([0-9][0-9.]*)")


def detect(head: bytes) -> tuple[list[str], str | None]:
    """Log types seen in ``head`` and the AR server version its "Trace Log -- ON" lines give."""
    types = sorted({m.group(1).decode().strip() for m in _TYPE_TAG.finditer(head)})
    version = _VERSION.search(head)
    return types, version.group(1).decode() if version else None
