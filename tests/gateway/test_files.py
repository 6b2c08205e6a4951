"""Files: streaming upload into S3 (checksum, type and size checks), list, get, delete, and
presigned multipart uploads."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from remedyiq_platform.stores.objects_keys import tenant_prefix

from .conftest import Caller, Gateway
from .seed import SAMPLE, upload

LOG = SAMPLE.read_bytes()


async def test_upload_streams_into_s3_with_checksum_and_types(
    gateway: Gateway, alice: Caller
) -> None:
    body = await upload(alice.client)
    assert body["filename"] == SAMPLE.name
    assert body["size_bytes"] == len(LOG)
    assert body["sha256"] == hashlib.sha256(LOG).hexdigest()
    assert body["status"] == "ready"
    assert body["detected_types"] == ["API", "ESCL", "FLTR", "SQL"]
    assert body["ar_version"] == "20.02.00"
    assert body["compression"] is None
    got = await alice.client.get(f"/files/{body['id']}")
    assert got.json() == body
    # the object sits under the tenant's prefix, byte for byte
    resources = gateway.resources
    key = f"{tenant_prefix(alice.tenant_id)}files/{body['id']}/{SAMPLE.name}"
    stored = await resources.objects.get_bytes(alice.tenant_id, key)
    assert stored == LOG


async def test_upload_of_a_gzipped_log(alice: Caller) -> None:
    packed = gzip.compress(LOG)
    response = await alice.client.post(
        "/files/upload", files={"file": ("server.log.gz", packed, "application/gzip")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["compression"] == "gzip"
    assert response.json()["size_bytes"] == len(packed)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some text\nnothing like a log\n" * 100, "no AR System log records"),
        (bytes(range(256)) * 100, "binary"),
        (gzip.compress(b"hello " * 1000), "no AR System log records"),
        (b"\x1f\x8b\x08\x00broken", "gzip"),
    ],
)
async def test_not_an_ar_log_is_refused(alice: Caller, content: bytes, message: str) -> None:
    response = await alice.client.post("/files/upload", files={"file": ("x.log", content)})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "not_an_ar_log"
    assert message in response.json()["message"]
    listed = (await alice.client.get("/files")).json()
    assert listed["files"] == []  # nothing registered, nothing stored


async def test_malformed_requests(alice: Caller) -> None:
    no_file = await alice.client.post("/files/upload", data={"other": "x"}, files={"f": b"x"})
    assert no_file.status_code == 400
    assert no_file.json()["code"] == "invalid_multipart"
    not_multipart = await alice.client.post("/files/upload", content=LOG)
    assert not_multipart.status_code == 415
    truncated = await alice.client.post(
        "/files/upload",
        content=b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.log"\r\n\r\n'
        + LOG[:1000],
        headers={"Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert truncated.status_code == 400


async def test_tenant_upload_limit_is_enforced_while_streaming(
    gateway: Gateway, alice: Caller
) -> None:
    await gateway.as_admin(
        "UPDATE tenants SET max_upload_bytes = $1 WHERE id = $2", 50_000, alice.tenant_id
    )

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the stream is cut
        yield b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.log"\r\n\r\n'
        for start in range(0, len(LOG), 8192):
            yield LOG[start : start + 8192]
        yield b"\r\n--XX--\r\n"

    response = await alice.client.post(
        "/files/upload",
        content=chunked(),
        headers={"Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "file_too_large"
    assert response.json()["details"] == {"max_bytes": 50_000}
    # with a Content-Length, it is refused before a byte is read
    early = await alice.client.post("/files/upload", files={"file": ("a.log", LOG)})
    assert early.status_code == 413
    assert (await alice.client.get("/files")).json()["files"] == []


async def test_upload_rate_limit_answers_429_with_retry_after(
    gateway: Gateway, alice: Caller
) -> None:
    async with gateway.client_of(upload_rate_limit=2) as client:
        client.headers.update(alice.headers)
        codes = []
        for _ in range(3):
            response = await client.post("/files/upload", files={"file": ("a.log", LOG)})
            codes.append(response.status_code)
        assert codes == [201, 201, 429]
        assert int(response.headers["Retry-After"]) > 0
        assert response.json()["code"] == "rate_limited"


async def test_list_paginates_and_delete_removes_the_object(
    gateway: Gateway, alice: Caller
) -> None:
    ids = [(await upload(alice.client))["id"] for _ in range(3)]
    first = (await alice.client.get("/files", params={"page_size": 2})).json()
    assert [f["id"] for f in first["files"]] == ids[::-1][:2]
    assert first["pagination"]["total_count"] == 3
    assert first["pagination"]["total_pages"] == 2
    cursor = first["pagination"]["next_cursor"]
    second = (await alice.client.get("/files", params={"page_size": 2, "cursor": cursor})).json()
    assert [f["id"] for f in second["files"]] == ids[:1]
    assert second["pagination"]["next_cursor"] is None
    by_page = (await alice.client.get("/files", params={"page_size": 2, "page": 2})).json()
    assert by_page["files"] == second["files"]
    bad = await alice.client.get("/files", params={"cursor": "forged"})
    assert bad.status_code == 400

    key = f"{tenant_prefix(alice.tenant_id)}files/{ids[0]}/{SAMPLE.name}"
    assert await gateway.resources.objects.head(alice.tenant_id, key) is not None
    assert (await alice.client.delete(f"/files/{ids[0]}")).status_code == 204
    assert await gateway.resources.objects.head(alice.tenant_id, key) is None
    assert (await alice.client.get(f"/files/{ids[0]}")).status_code == 404
    assert (await alice.client.delete(f"/files/{ids[0]}")).status_code == 404
    assert (await alice.client.get("/files")).json()["pagination"]["total_count"] == 2


async def _put_parts(session: dict[str, Any], data: bytes) -> list[dict[str, Any]]:
    size = session["part_size_bytes"]
    parts = []
    async with httpx.AsyncClient(timeout=60) as s3:
        for part in session["parts"]:
            number = part["part_number"]
            chunk = data[(number - 1) * size : number * size]
            put = await s3.put(part["url"], content=chunk)
            assert put.status_code == 200, put.text
            parts.append({"part_number": number, "etag": put.headers["ETag"]})
    return parts


async def _ready(client: httpx.AsyncClient, file_id: str) -> dict[str, Any]:
    for _ in range(200):
        body: dict[str, Any] = (await client.get(f"/files/{file_id}")).json()
        if body["status"] == "ready":
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("the upload was never verified")


async def test_presigned_multipart_upload(alice: Caller) -> None:
    data = LOG * 100  # 12 MB: two 5 MiB parts and a tail
    started = await alice.client.post(
        "/files/uploads",
        json={"filename": "big.log", "size_bytes": len(data), "part_size_bytes": 5 * 1024**2},
    )
    assert started.status_code == 201, started.text
    session = started.json()
    assert session["part_count"] == 3
    assert session["file"]["status"] == "uploading"
    file_id = session["file"]["id"]
    # a job cannot start before the upload is complete and verified
    early = await alice.client.post("/analysis", json={"file_id": file_id})
    assert early.status_code == 409
    # resume: presign part 2 again, as a reloaded page would
    again = await alice.client.post(
        f"/files/uploads/{file_id}/parts",
        json={"upload_id": session["upload_id"], "part_numbers": [2]},
    )
    assert [p["part_number"] for p in again.json()["parts"]] == [2]
    parts = await _put_parts(session, data)
    # a client that lost the ETags lists the parts S3 holds, and completes with those
    listed = await alice.client.get(
        f"/files/uploads/{file_id}/parts", params={"upload_id": session["upload_id"]}
    )
    assert listed.status_code == 200, listed.text
    held = listed.json()["parts"]
    assert [(p["part_number"], p["etag"]) for p in held] == [
        (p["part_number"], p["etag"]) for p in parts
    ]
    assert sum(p["size_bytes"] for p in held) == len(data)
    unknown = await alice.client.get(
        f"/files/uploads/{file_id}/parts", params={"upload_id": "no-such-upload"}
    )
    assert unknown.status_code == 404, unknown.text
    done = await alice.client.post(
        f"/files/uploads/{file_id}/complete",
        json={
            "upload_id": session["upload_id"],
            "parts": [{"part_number": p["part_number"], "etag": p["etag"]} for p in held],
        },
    )
    assert done.status_code == 202, done.text
    ready = await _ready(alice.client, file_id)
    assert ready["sha256"] == hashlib.sha256(data).hexdigest()
    assert ready["size_bytes"] == len(data)
    assert ready["detected_types"] == ["API", "ESCL", "FLTR", "SQL"]
    # completing again is harmless
    repeat = await alice.client.post(
        f"/files/uploads/{file_id}/complete",
        json={"upload_id": session["upload_id"], "parts": parts},
    )
    assert repeat.status_code == 202


async def test_presigned_upload_of_a_non_log_is_refused_and_abort_frees_parts(
    alice: Caller,
) -> None:
    junk = b"not a log at all\n" * 1000
    session = (
        await alice.client.post(
            "/files/uploads", json={"filename": "x.log", "size_bytes": len(junk)}
        )
    ).json()
    parts = await _put_parts(session, junk)
    refused = await alice.client.post(
        f"/files/uploads/{session['file']['id']}/complete",
        json={"upload_id": session["upload_id"], "parts": parts},
    )
    assert refused.status_code == 422
    assert (await alice.client.get(f"/files/{session['file']['id']}")).status_code == 404

    other = (
        await alice.client.post("/files/uploads", json={"filename": "y.log", "size_bytes": 10})
    ).json()
    aborted = await alice.client.delete(
        f"/files/uploads/{other['file']['id']}", params={"upload_id": other["upload_id"]}
    )
    assert aborted.status_code == 204
    assert (await alice.client.get(f"/files/{other['file']['id']}")).status_code == 404


async def test_presigned_upload_respects_the_tenant_limit(gateway: Gateway, alice: Caller) -> None:
    await gateway.as_admin(
        "UPDATE tenants SET max_upload_bytes = $1 WHERE id = $2", 1000, alice.tenant_id
    )
    response = await alice.client.post(
        "/files/uploads", json={"filename": "big.log", "size_bytes": 1001}
    )
    assert response.status_code == 413
