"""``/healthz`` and ``/readyz`` as a tiny ASGI app (the services have no web framework).

``/healthz`` only says the process serves requests (never fails because a dependency is down, so
Kubernetes does not restart a healthy pod during an outage); ``/readyz`` runs the service's
dependency checks with a timeout and answers 503 with the failing ones.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

Check = Callable[[], Awaitable[object]]
Scope = MutableMapping[str, Any]  # the ASGI types, as servers and test clients declare them
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def run_checks(checks: Mapping[str, Check], timeout_s: float = 2.0) -> dict[str, str]:
    """``{name: "ok" | error}`` for every check, run concurrently."""

    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout_s)
        except TimeoutError:
            return f"timed out after {timeout_s:g}s"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        return "ok"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[name]) for name in names))
    return dict(zip(names, results, strict=True))


class HealthApp:
    def __init__(self, service: str, checks: Mapping[str, Check], draining: Callable[[], bool]):
        self.service = service
        self.checks = checks
        self.draining = draining

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        path = scope.get("path", "")
        if path == "/healthz":
            await _json(send, 200, {"status": "ok", "service": self.service})
        elif path == "/readyz":
            results = await run_checks(self.checks)
            ready = all(v == "ok" for v in results.values()) and not self.draining()
            body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": results}
            if self.draining():
                body["draining"] = True
            await _json(send, 200 if ready else 503, body)
        else:
            await _json(send, 404, {"error": "not found", "paths": ["/healthz", "/readyz"]})


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
