"""The identity provider's signing keys (JWKS), fetched once, cached, refreshed on rotation.

Keys are trusted for ``ttl_s``; a token signed with a key id the cache does not know triggers a
refetch (the provider rotated its keys), at most once per ``min_refresh_s`` so a flood of tokens
with made-up key ids cannot turn into a flood of requests to the provider. When the provider is
unreachable, keys already known stay in use until the next successful fetch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKError, PyJWKSetError

logger = logging.getLogger(__name__)

MAX_JWKS_BYTES = 1024 * 1024
Fetch = Callable[[], Awaitable[dict[str, Any]]]


class JwksUnavailableError(Exception):
    """The signing keys could not be fetched and none are cached."""


class UnknownKeyError(Exception):
    """The token names a key the provider does not publish."""


def _get_json(url: str, timeout_s: float) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise ValueError("the JWKS URL must be http(s)")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("the JWKS document is larger than 1 MiB")
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("the JWKS document is not a JSON object")
    return data


def http_fetcher(url: str, timeout_s: float) -> Fetch:
    """Fetch ``url`` in a worker thread (urllib; the loop never blocks)."""

    async def fetch() -> dict[str, Any]:
        return await asyncio.to_thread(_get_json, url, timeout_s)

    return fetch


class JwksCache:
    """Key lookup by key id with caching and rotation (see the module docstring)."""

    def __init__(self, fetch: Fetch, *, ttl_s: float, min_refresh_s: float) -> None:
        self._fetch = fetch
        self._ttl_s = ttl_s
        self._min_refresh_s = min_refresh_s
        self._keys: dict[str | None, PyJWK] = {}
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> PyJWK:
        """The key a token's ``kid`` header names (the only key, if the token names none)."""
        now = time.monotonic()
        if now - self._fetched_at > self._ttl_s:
            await self._refresh(force=True)
        key = self._lookup(kid)
        if key is None:
            await self._refresh(force=False)
            key = self._lookup(kid)
        if key is None:
            if not self._keys:
                raise JwksUnavailableError("no signing keys are available")
            raise UnknownKeyError(f"unknown signing key {kid!r}")
        return key

    def _lookup(self, kid: str | None) -> PyJWK | None:
        if kid is None:
            only = list(self._keys.values())
            return only[0] if len(only) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if force and now - self._fetched_at <= self._ttl_s:
                return  # another request refreshed while we waited
            if not force and now - self._attempted_at < self._min_refresh_s:
                return
            self._attempted_at = now
            try:
                document = await self._fetch()
                keyset = PyJWKSet.from_dict(document)
            except (OSError, ValueError, PyJWKError, PyJWKSetError) as exc:
                logger.warning("could not refresh the JWKS: %s", exc)
                return
            self._keys = {key.key_id: key for key in keyset.keys}
            self._fetched_at = now
