"""Request size guard: JSON bodies are small (``REMEDYIQ_MAX_JSON_BODY_BYTES``, 1 MiB).

A pure ASGI middleware, so streamed bodies are counted as they arrive and the answer is the
API's ``Error`` (413 ``too_large``): refused before the app runs when ``Content-Length`` says
too much, and cut off mid-stream otherwise. The streaming upload is exempt: it enforces the
tenant's own limit while it streams into S3.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from remedyiq_gateway.errors import ApiError


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"request bodies are limited to {limit} bytes")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, exempt: Collection[str] = ()) -> None:
        self.app = app
        self.limit = limit
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", ())).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await _answer(send, _too_large(self.limit))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # an HTTPException: FastAPI lets it through its body parsing untouched,
                    # and the error handler answers with the Error schema (413 too_large)
                    raise HTTPException(413, _too_large(self.limit).message)
            return message

        await self.app(scope, counted, send)


async def _answer(send: Send, error: ApiError) -> None:
    body = json.dumps({"code": error.code, "message": error.message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
