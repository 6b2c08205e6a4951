"""The served OpenAPI document: the MVP's ``Error`` schema for every error answer."""

from __future__ import annotations

import json
from typing import Any, cast

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_ERROR_REF = "#/components/schemas/Error"


def customise_openapi(app: FastAPI) -> None:
    """Validation errors (422) answer with ``Error`` too; ``ErrorBody`` is named ``Error``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        text = json.dumps(schema).replace("#/components/schemas/ErrorBody", _ERROR_REF)
        schema = cast("dict[str, Any]", json.loads(text))
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorBody" in components:
            components["Error"] = components.pop("ErrorBody") | {"title": "Error"}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                response = operation.get("responses", {}).get("422")
                if response is not None:
                    response["description"] = "Invalid request"
                    response["content"] = {"application/json": {"schema": {"$ref": _ERROR_REF}}}
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
