"""Object keys, all under the tenant's prefix ``tenants/{tenant_id}/``.

* uploaded files: ``tenants/{tenant_id}/files/{file_id}/{safe filename}``
* job artefacts: ``tenants/{tenant_id}/artefacts/{job_id}/{name}``

:func:`check_key` is what every object operation calls first: a key outside the tenant's
prefix, or one a proxy or a file system could reinterpret (``..``, empty segments, control
characters, backslashes), is refused with :class:`TenantKeyError`.
"""

from __future__ import annotations

import re
import unicodedata
from uuid import UUID

from remedyiq_platform.stores.errors import TenantKeyError
from remedyiq_platform.stores.tenant_ids import parse_tenant_id

MAX_KEY_BYTES = 1024  # S3's limit
MAX_FILENAME = 128
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,128}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def tenant_prefix(tenant_id: UUID | str) -> str:
    """``tenants/{tenant_id}/``: every key of the tenant starts with it."""
    return f"tenants/{parse_tenant_id(tenant_id)}/"


def safe_filename(name: str) -> str:
    """A file name fit for a key: the base name, ASCII letters, digits, ``._-`` only.

    Other characters become ``_``; leading dots are dropped (no hidden or ``..`` names); the
    extension survives truncation to 128 characters. Never empty.
    """
    base = re.split(r"[/\\]", name)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE_CHARS.sub("_", ascii_name).lstrip("._")
    if len(cleaned) > MAX_FILENAME:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            cleaned = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            cleaned = cleaned[:MAX_FILENAME]
    return cleaned or "upload.log"


def file_key(tenant_id: UUID | str, file_id: UUID, filename: str) -> str:
    """Key of an uploaded file."""
    return f"{tenant_prefix(tenant_id)}files/{file_id}/{safe_filename(filename)}"


def artefact_key(tenant_id: UUID | str, job_id: UUID, name: str) -> str:
    """Key of a job artefact; ``name`` may have ``/``-separated segments of ``[A-Za-z0-9._-]``."""
    segments = name.split("/")
    if not all(_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments):
        raise TenantKeyError(f"invalid artefact name: {name!r}")
    return f"{tenant_prefix(tenant_id)}artefacts/{job_id}/{name}"


def check_key(tenant_id: UUID | str, key: str) -> str:
    """``key`` if it is a well-formed key inside the tenant's prefix, else TenantKeyError."""
    prefix = tenant_prefix(tenant_id)
    _check_shape(key)
    if not key.startswith(prefix) or len(key) == len(prefix) or key.endswith("/"):
        raise TenantKeyError(f"key {key!r} is not an object of tenant {tenant_id}")
    return key


def check_prefix(tenant_id: UUID | str, prefix: str) -> str:
    """A "folder" prefix (ending in ``/``) inside the tenant's prefix, else TenantKeyError.

    The tenant prefix itself is allowed (deleting a tenant's objects).
    """
    tenant = tenant_prefix(tenant_id)
    _check_shape(prefix)
    if not prefix.startswith(tenant) or not prefix.endswith("/"):
        raise TenantKeyError(f"prefix {prefix!r} is not a folder of tenant {tenant_id}")
    return prefix


def _check_shape(key: str) -> None:
    if len(key.encode()) > MAX_KEY_BYTES or _CONTROL.search(key):
        raise TenantKeyError(f"malformed key: {key!r}")
    segments = key.rstrip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise TenantKeyError(f"malformed key: {key!r}")
