"""The served OpenAPI keeps every operation the MVP contract declares (``mvp/openapi.yaml``):
same method and path (under /api/v1), operation id, parameters, request media types, success
status, and the response's top-level fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]

from .conftest import Gateway

MVP = Path(__file__).resolve().parents[3] / "shared" / "docs" / "mvp" / "openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")


def _mvp() -> dict[str, Any]:
    if not MVP.is_file():
        pytest.fail(f"the MVP contract is missing at {MVP}")
    loaded: dict[str, Any] = yaml.safe_load(MVP.read_text(encoding="utf-8"))
    return loaded


def _operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(path, m) for path, item in spec["paths"].items() for m in METHODS if m in item]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    for variant in schema.get("anyOf", ()):  # Optional[...] in ours
        if "$ref" in variant or variant.get("type") == "object":
            return _resolve(spec, variant)
    return schema


def _fields(spec: dict[str, Any], response: dict[str, Any]) -> set[str]:
    content = response.get("content", {}).get("application/json")
    if content is None:
        return set()
    return set(_resolve(spec, content.get("schema", {})).get("properties", {}))


@pytest.fixture(scope="module")
async def served(gateway: Gateway) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


@pytest.mark.parametrize(("path", "method"), _operations(_mvp()))
def test_mvp_operation_is_served_compatibly(served: dict[str, Any], path: str, method: str) -> None:
    mvp = _mvp()
    theirs = mvp["paths"][path][method]
    item = served["paths"].get(f"/api/v1{path}")
    assert item is not None, f"{path} is not served"
    ours = item.get(method)
    assert ours is not None, f"{method.upper()} {path} is not served"
    assert ours["operationId"] == theirs["operationId"]
    our_params = {(p["name"], p["in"]) for p in ours.get("parameters", ())}
    for param in theirs.get("parameters", ()):
        assert (param["name"], param["in"]) in our_params, f"{path}: {param['name']} missing"
    if "requestBody" in theirs:
        wanted = set(theirs["requestBody"]["content"])
        assert wanted <= set(ours["requestBody"]["content"])
    for status, response in theirs["responses"].items():
        if str(status).startswith("2"):
            assert str(status) in ours["responses"], f"{path}: status {status} not declared"
            missing = _fields(mvp, response) - _fields(served, ours["responses"][str(status)])
            assert not missing, f"{method.upper()} {path}: fields {missing} missing"


def test_docs_are_served(served: dict[str, Any]) -> None:
    assert served["info"]["title"] == "RemedyIQ API"
    assert all(path.startswith(("/api/v1/", "/healthz", "/readyz")) for path in served["paths"])
    assert "Error" in served["components"]["schemas"]
    assert "HTTPValidationError" not in served["components"]["schemas"]
