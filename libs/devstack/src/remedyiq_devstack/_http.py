"""Tiny loopback HTTP probe (stdlib only, never through a proxy)."""

from __future__ import annotations

import urllib.error
import urllib.request

# Loopback probes must not go through an HTTP(S)_PROXY from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 1.0) -> tuple[int, bytes] | None:
    """GET ``url``; return (status, body) for any HTTP answer, None if nothing answered."""
    try:
        with _OPENER.open(url, timeout=timeout) as resp:
            status: int = resp.status
            return status, resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()
    except (OSError, ValueError):
        return None
