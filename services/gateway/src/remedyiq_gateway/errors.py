"""One error shape for every failure: the MVP ``Error`` schema ``{code, message, details}``.

Routes raise :class:`ApiError`; validation errors, HTTP errors from the framework and store
errors are translated by the handlers installed with :func:`install_error_handlers`. Unexpected
exceptions become a 500 whose body says nothing about the internals (they are logged).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from remedyiq_analysis.explore import BudgetExceeded, ExploreError, InvalidCursor
from remedyiq_platform.stores.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidTenantError,
    NotFoundError,
    ObjectTooLargeError,
    TenantKeyError,
)
from remedyiq_query import KqlError

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    """The MVP ``Error`` schema."""

    code: str
    message: str
    details: dict[str, Any] | None = Field(default=None)


Responses = dict[int | str, dict[str, Any]]

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found (or not this tenant's)",
    409: "Not possible in the current state",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Rate limited (see Retry-After)",
    503: "A dependency is unavailable",
}


def responses(*statuses: int) -> Responses:
    """OpenAPI ``responses`` declaring ``Error`` bodies for these statuses."""
    return {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS.get(status, "Error")}
        for status in statuses
    }


class ApiError(Exception):
    """An error a client can act on; rendered as ``ErrorBody`` with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details) if details is not None else None
        self.headers = dict(headers or {})


def not_found(what: str, ident: object) -> ApiError:
    """404 for something that does not exist *for this tenant* (never says which)."""
    return ApiError(404, "not_found", f"{what} {ident} not found")


def error_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = dict(details)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def kql_error(exc: KqlError) -> ApiError:
    """400 with the position of the problem and, for an unknown field, the valid fields."""
    return ApiError(400, "invalid_query", exc.message, details=exc.to_dict())


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()[:20]
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"]) if first["loc"] else "request"
    return error_response(422, "invalid_request", f"{where}: {first['msg']}", {"errors": errors})


async def _store_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFoundError):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, IllegalTransitionError):
        return error_response(409, "illegal_transition", str(exc), {"status": exc.current})
    if isinstance(exc, ConflictError):
        return error_response(409, "conflict", str(exc))
    if isinstance(exc, ObjectTooLargeError):
        return error_response(413, "file_too_large", str(exc))
    if isinstance(exc, InvalidTenantError | TenantKeyError):
        return error_response(400, "invalid_request", "invalid identifier")
    return await _unexpected(_, exc)


async def _kql_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KqlError)
    error = kql_error(exc)
    return error_response(error.status, error.code, error.message, error.details)


async def _explore_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidCursor):
        return error_response(400, "invalid_cursor", str(exc))
    if isinstance(exc, BudgetExceeded):
        return error_response(
            422,
            "too_expensive",
            f"{exc}: narrow the time range or add a field condition (type, user, trace …)",
        )
    return error_response(400, "invalid_request", str(exc))


async def _database_value(_: Request, exc: Exception) -> JSONResponse:
    # SQLSTATE class 22: a value PostgreSQL cannot store (a NUL in text, a number out of range)
    return error_response(400, "invalid_value", f"a value cannot be stored: {exc}"[:300])


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for kind in (
        NotFoundError,
        IllegalTransitionError,
        ConflictError,
        ObjectTooLargeError,
        InvalidTenantError,
        TenantKeyError,
    ):
        app.add_exception_handler(kind, _store_error)
    app.add_exception_handler(KqlError, _kql_error)
    app.add_exception_handler(ExploreError, _explore_error)
    app.add_exception_handler(asyncpg.DataError, _database_value)
    app.add_exception_handler(Exception, _unexpected)
