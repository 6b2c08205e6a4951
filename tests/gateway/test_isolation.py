"""Tenant isolation: for every served operation that takes an id, tenant B gets 404 for tenant
A's object — the operations are read from the served OpenAPI, so a new endpoint is covered the
day it is added. Tenant A's own requests succeed (the ids are real)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .conftest import Caller, Gateway, make_caller
from .seed import FIXTURES, seeded_job, upload

pytestmark = pytest.mark.timeout(120)
LOG = FIXTURES / "trid_23x_15k.log"


@dataclass
class Owned:
    values: dict[str, str]  # path parameter -> one of tenant A's ids
    upload_file: str  # a file whose presigned upload is under way
    upload_id: str


async def _owned(alice: Caller, gateway: Gateway) -> Owned:
    client = alice.client
    job, _ = await seeded_job(client, gateway.resources, alice.tenant_id, LOG)
    file = await upload(client)
    search = await client.post("/search/saved", json={"name": "s", "kql_query": "type:API"})
    token = (await client.post("/tokens", json={"name": "t"})).json()
    hit = (await client.get(f"/analysis/{job}/search", params={"q": "type:API"})).json()
    trace = (await client.get(f"/analysis/{job}/transactions", params={"limit": 1})).json()
    session = (
        await client.post("/files/uploads", json={"filename": "u.log", "size_bytes": 10})
    ).json()
    row = trace["rows"][0]
    return Owned(
        values={
            "job_id": str(job),
            "file_id": file["id"],
            "search_id": search.json()["id"],
            "token_id": token["id"],
            "entry_id": hit["entries"][0]["entry_id"],
            "trace_id": row["trace_id"],
            "thread_id": row["thread_id"],
            "rpc_id": row["rpc_id"],
        },
        upload_file=session["file"]["id"],
        upload_id=session["upload_id"],
    )


def _body(operation: str, owned: Owned) -> dict[str, Any] | None:
    job = owned.values["job_id"]
    bodies: dict[str, dict[str, Any]] = {
        "presignUploadParts": {"upload_id": owned.upload_id, "part_numbers": [1]},
        "completeUpload": {
            "upload_id": owned.upload_id,
            "parts": [{"part_number": 1, "etag": "x"}],
        },
        "updateSavedSearch": {"name": "renamed"},
        "queryAI": {"question": "why?", "job_id": job},
    }
    return bodies.get(operation)


def _requests(spec: dict[str, Any], owned: Owned) -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for template, item in spec["paths"].items():
        names = re.findall(r"{(\w+)}", template)
        if not names:
            continue
        for method, operation in item.items():
            values = dict(owned.values)
            if template.startswith("/api/v1/files/uploads/"):
                values["file_id"] = owned.upload_file
            path = template.format(**values).removeprefix("/api/v1")
            extra: dict[str, Any] = {}
            if (body := _body(operation["operationId"], owned)) is not None:
                extra["json"] = body
            if operation["operationId"] in ("abortUpload", "listUploadParts"):
                extra["params"] = {"upload_id": owned.upload_id}
            found.append((operation["operationId"], method.upper(), path, extra))
    return found


async def test_tenant_b_gets_404_for_every_id_of_tenant_a(gateway: Gateway) -> None:
    alice = await make_caller(gateway, "iso_a")
    bob = await make_caller(gateway, "iso_b")
    try:
        owned = await _owned(alice, gateway)
        async with httpx.AsyncClient(base_url=gateway.url) as client:
            spec = (await client.get("/api/v1/openapi.json")).json()
        requests = _requests(spec, owned)
        assert len(requests) >= 35  # every id-taking operation, not a handful
        failures = []
        for operation, method, path, extra in requests:
            response = await bob.client.request(method, path, **extra)
            if response.status_code != 404:
                failures.append(f"{operation} {method} {path}: {response.status_code}")
        assert not failures, "\n".join(failures)
        # and tenant A reaches all of it (reads only: the writes above changed nothing of A's)
        for operation, method, path, extra in requests:
            if method == "GET":
                response = await alice.client.request(method, path, **extra)
                assert response.status_code == 200, f"{operation} {path}: {response.text}"
    finally:
        await alice.client.aclose()
        await bob.client.aclose()
