"""S3 object store: tenant-scoped keys, streaming multipart upload, ranged reads, presigning.

Most tests use the session's moto server (``s3_endpoint``/``s3_bucket``). The memory and
presigned-URL tests use SeaweedFS (devstack's ``SeaweedS3Server``), a separate process that
checks SigV4 signatures: moto runs inside the test process (tracemalloc would count the
objects it keeps in memory) and accepts any signature.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest

from remedyiq_devstack import S3Endpoint, SeaweedS3Server
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_devstack.s3_moto import MotoS3Server
from remedyiq_platform.stores.errors import (
    InvalidTenantError,
    NotFoundError,
    ObjectTooLargeError,
    TenantKeyError,
)
from remedyiq_platform.stores.objects import ObjectStore
from remedyiq_platform.stores.objects_keys import (
    artefact_key,
    check_key,
    file_key,
    safe_filename,
    tenant_prefix,
)
from remedyiq_platform.stores.objects_presign import CompletedPart
from remedyiq_platform.stores.objects_upload import MIB

TENANT = uuid.UUID("0b7f6a4e-8d0c-4f39-9a8e-6a1f6f0c2b11")
OTHER = uuid.UUID("5d2c1e0f-3b4a-4c8d-9e7f-1a2b3c4d5e6f")


async def open_store(endpoint: S3Endpoint, bucket: str) -> ObjectStore:
    """An ObjectStore on ``endpoint`` with short timeouts."""
    return await ObjectStore.open(
        bucket=bucket,
        endpoint_url=endpoint.endpoint_url,
        region=endpoint.region,
        access_key_id=endpoint.access_key,
        secret_access_key=endpoint.secret_key,
        connect_timeout=2,
        read_timeout=10,
        max_attempts=2,
    )


@pytest.fixture
async def store(s3_endpoint: S3Endpoint, s3_bucket: str) -> AsyncIterator[ObjectStore]:
    """A store on the test's own moto bucket."""
    opened = await open_store(s3_endpoint, s3_bucket)
    yield opened
    await opened.close()


@pytest.fixture(scope="module")
def seaweed() -> Iterator[SeaweedS3Server]:
    """SeaweedFS for this module (about 1.5 s to start)."""
    with SeaweedS3Server() as server:
        yield server


@pytest.fixture
async def sw_store(seaweed: SeaweedS3Server) -> AsyncIterator[ObjectStore]:
    """A store on a bucket that does not exist yet (ensure_bucket creates it)."""
    opened = await open_store(seaweed.endpoint, unique_name("t-"))
    yield opened
    await opened.close()


async def pattern(total: int, block: bytes) -> AsyncIterator[bytes]:
    """``total`` bytes repeating ``block``, in chunks of ``len(block)``."""
    sent = 0
    while sent < total:
        size = min(len(block), total - sent)
        yield block if size == len(block) else block[:size]
        sent += size


def pattern_bytes(total: int, block: bytes) -> bytes:
    """What :func:`pattern` yields, as one bytes object (for small sizes)."""
    return (block * (total // len(block) + 1))[:total]


# -- keys ------------------------------------------------------------------------------------


def test_key_builders() -> None:
    file_id, job_id = uuid.uuid4(), uuid.uuid4()
    assert tenant_prefix(TENANT) == f"tenants/{TENANT}/"
    assert file_key(TENANT, file_id, "arapi.log") == f"tenants/{TENANT}/files/{file_id}/arapi.log"
    assert file_key(str(TENANT), file_id, "../../x/..\\évil name?.log").endswith("/evil_name_.log")
    assert artefact_key(TENANT, job_id, "ranges/0001.json") == (
        f"tenants/{TENANT}/artefacts/{job_id}/ranges/0001.json"
    )
    for bad in ("../x", "a//b", "a/./b", "", "a b", "a\\b"):
        with pytest.raises(TenantKeyError):
            artefact_key(TENANT, job_id, bad)
    assert safe_filename("...") == "upload.log"
    assert safe_filename(".bashrc") == "bashrc"
    long_name = safe_filename("a" * 300 + ".log")
    assert len(long_name) == 128
    assert long_name.endswith(".log")


@pytest.mark.parametrize(
    "key",
    [
        f"tenants/{OTHER}/files/x/a.log",  # another tenant
        f"tenants/{TENANT}",  # the prefix itself, not an object
        f"tenants/{TENANT}/",
        f"tenants/{TENANT}/files/../../{OTHER}/files/a.log",  # traversal
        f"tenants/{TENANT}//a.log",
        f"tenants/{TENANT}/files/a\x00.log",
        f"tenants/{TENANT}/files/a\\b.log",
        f"tenants/{TENANT}/files/dir/",
        f"x/tenants/{TENANT}/a.log",
        f"tenants/{TENANT}/" + "a" * 1100,
    ],
)
def test_keys_outside_the_tenant_prefix_are_refused(key: str) -> None:
    with pytest.raises(TenantKeyError):
        check_key(TENANT, key)


def test_tenant_ids_are_validated_for_keys() -> None:
    for bad in ("", "*", "a:b", "00000000-0000-0000-0000-000000000000", f"{{{TENANT}}}"):
        with pytest.raises(InvalidTenantError):
            tenant_prefix(bad)


async def _drain(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


async def test_every_operation_refuses_another_tenants_key(store: ObjectStore) -> None:
    key = f"tenants/{OTHER}/files/{uuid.uuid4()}/a.log"
    operations: list[Callable[[], Awaitable[Any]]] = [
        lambda: store.upload_stream(TENANT, key, pattern(10, b"x")),
        lambda: store.head(TENANT, key),
        lambda: _drain(store.read_range(TENANT, key, 0, 10)),
        lambda: _drain(store.read_stream(TENANT, key)),
        lambda: store.put_bytes(TENANT, key, b"x"),
        lambda: store.get_bytes(TENANT, key),
        lambda: store.delete(TENANT, key),
        lambda: store.delete_prefix(TENANT, f"tenants/{OTHER}/"),
        lambda: store.presign_get(TENANT, key),
        lambda: store.presign_put(TENANT, key),
        lambda: store.create_multipart(TENANT, key),
        lambda: store.presign_part(TENANT, key, "u", 1),
        lambda: store.complete_multipart(TENANT, key, "u", [CompletedPart(1, "e")]),
        lambda: store.abort_multipart(TENANT, key, "u"),
    ]
    for operation in operations:
        with pytest.raises(TenantKeyError):
            await operation()
    assert await store.head(OTHER, key) is None  # nothing was written


# -- small objects ---------------------------------------------------------------------------


async def test_put_get_head_delete(store: ObjectStore) -> None:
    key = artefact_key(TENANT, uuid.uuid4(), "summary.json")
    assert await store.head(TENANT, key) is None
    with pytest.raises(NotFoundError):
        await store.get_bytes(TENANT, key)
    etag = await store.put_bytes(TENANT, key, b'{"a": 1}', content_type="application/json")
    info = await store.head(TENANT, key)
    assert info is not None
    assert (info.size, info.etag, info.content_type) == (8, etag, "application/json")
    assert await store.get_bytes(TENANT, key) == b'{"a": 1}'
    with pytest.raises(ObjectTooLargeError):
        await store.get_bytes(TENANT, key, max_bytes=4)
    await store.delete(TENANT, key)
    await store.delete(TENANT, key)  # deleting a missing object is fine
    assert await store.head(TENANT, key) is None


async def test_bucket_is_created_on_first_use(
    s3_server: MotoS3Server, s3_endpoint: S3Endpoint
) -> None:
    bucket = unique_name("t-")
    fresh = await open_store(s3_endpoint, bucket)
    try:
        key = artefact_key(TENANT, uuid.uuid4(), "a")
        await fresh.put_bytes(TENANT, key, b"1")
        await fresh.ensure_bucket()  # idempotent
        assert await fresh.get_bytes(TENANT, key) == b"1"
    finally:
        await fresh.close()
        await asyncio.to_thread(s3_server.delete_bucket, bucket)


async def test_delete_prefix(store: ObjectStore) -> None:
    job, other_job = uuid.uuid4(), uuid.uuid4()
    for i in range(5):
        await store.put_bytes(TENANT, artefact_key(TENANT, job, f"r/{i}"), b"x")
    await store.put_bytes(TENANT, artefact_key(TENANT, other_job, "keep"), b"x")
    await store.put_bytes(OTHER, artefact_key(OTHER, job, "keep"), b"x")
    prefix = f"{tenant_prefix(TENANT)}artefacts/{job}/"
    assert await store.delete_prefix(TENANT, prefix) == 5
    assert await store.delete_prefix(TENANT, prefix) == 0
    assert await store.head(TENANT, artefact_key(TENANT, other_job, "keep")) is not None
    assert await store.head(OTHER, artefact_key(OTHER, job, "keep")) is not None
    with pytest.raises(TenantKeyError):
        await store.delete_prefix(TENANT, prefix.rstrip("/"))  # "job1" would match "job10"
    assert await store.delete_prefix(TENANT, tenant_prefix(TENANT)) == 1


# -- streaming upload and ranged reads ---------------------------------------------------------


async def test_small_stream_is_one_put(store: ObjectStore) -> None:
    key = file_key(TENANT, uuid.uuid4(), "small.log")
    data = b"API line\n" * 1000
    result = await store.upload_stream(TENANT, key, pattern(len(data), b"API line\n"))
    assert (result.size, result.sha256, result.parts) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
        0,
    )
    assert await store.get_bytes(TENANT, key) == data
    empty = await store.upload_stream(TENANT, key + ".empty", pattern(0, b"x"))
    assert (empty.size, empty.sha256) == (0, hashlib.sha256(b"").hexdigest())


async def test_multipart_upload_and_ranged_reads(store: ObjectStore) -> None:
    key = file_key(TENANT, uuid.uuid4(), "big.log")
    block = os.urandom(64 * 1024 + 7)  # chunks that do not line up with parts
    size = 2 * store.part_size + 12345
    data = pattern_bytes(size, block)
    result = await store.upload_stream(TENANT, key, pattern(size, block), content_type="text/plain")
    assert (result.size, result.sha256, result.parts) == (size, hashlib.sha256(data).hexdigest(), 3)
    info = await store.head(TENANT, key)
    assert info is not None
    assert (info.size, info.content_type) == (size, "text/plain")
    assert info.etag.strip('"').endswith("-3")
    for start, end in [
        (0, 10),
        (store.part_size - 5, store.part_size + 5),  # across a part boundary
        (size - 100, size),
        (size - 100, None),
        (123, 123 + 3 * MIB),
    ]:
        got = await _drain(store.read_range(TENANT, key, start, end, chunk_size=MIB))
        assert got == data[start:end], (start, end)
    assert await _drain(store.read_range(TENANT, key, 50, 50)) == b""
    with pytest.raises(ValueError, match="byte range"):
        await _drain(store.read_range(TENANT, key, 10, 5))
    with pytest.raises(ValueError, match="past the end"):
        await _drain(store.read_range(TENANT, key, size + 10, size + 20))
    digest = hashlib.sha256()
    async for chunk in store.read_stream(TENANT, key, chunk_size=MIB):
        assert len(chunk) <= MIB
        digest.update(chunk)
    assert digest.hexdigest() == result.sha256
    with pytest.raises(NotFoundError):
        await _drain(store.read_range(TENANT, key + ".missing", 0, 1))


async def _multipart_uploads(server: MotoS3Server | SeaweedS3Server, bucket: str) -> list[Any]:
    listed = await asyncio.to_thread(server.client().list_multipart_uploads, Bucket=bucket)
    return list(listed.get("Uploads", []))


async def test_failed_or_oversized_upload_is_aborted(
    store: ObjectStore, s3_server: MotoS3Server, s3_bucket: str
) -> None:
    key = file_key(TENANT, uuid.uuid4(), "broken.log")

    async def broken() -> AsyncIterator[bytes]:
        async for chunk in pattern(store.part_size + MIB, b"y" * 65536):
            yield chunk
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.upload_stream(TENANT, key, broken())
    with pytest.raises(ObjectTooLargeError):
        await store.upload_stream(
            TENANT, key, pattern(2 * store.part_size, b"z" * 65536), max_bytes=store.part_size + 1
        )
    assert await store.head(TENANT, key) is None
    assert await _multipart_uploads(s3_server, s3_bucket) == []


async def test_upload_memory_is_flat(seaweed: SeaweedS3Server, sw_store: ObjectStore) -> None:
    size = 40 * MIB + 321
    block = os.urandom(64 * 1024)
    expected = hashlib.sha256()
    async for chunk in pattern(size, block):
        expected.update(chunk)
    key = file_key(TENANT, uuid.uuid4(), "flat.log")
    await sw_store.ensure_bucket()  # creates the (missing) bucket
    tracemalloc.start()
    try:
        result = await sw_store.upload_stream(TENANT, key, pattern(size, block))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.size, result.sha256, result.parts) == (size, expected.hexdigest(), 6)
    # One part uploading, one filling, plus client overhead: far below the 40 MiB uploaded.
    assert peak < 3 * sw_store.part_size, f"peak {peak / MIB:.1f} MiB"
    streamed = hashlib.sha256()
    async for chunk in sw_store.read_stream(TENANT, key):
        streamed.update(chunk)
    assert streamed.hexdigest() == result.sha256


# -- presigned URLs (SigV4 checked by SeaweedFS) ---------------------------------------------------


async def test_presigned_put_then_get(sw_store: ObjectStore) -> None:
    key = file_key(TENANT, uuid.uuid4(), "browser.log")
    put_url = await sw_store.presign_put(TENANT, key, content_type="text/plain", expires_s=60)
    get_url = await sw_store.presign_get(TENANT, key, download_name="my log.txt")
    body = b"uploaded by a browser\n" * 100
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        async with http.put(put_url, data=body, headers={"Content-Type": "text/plain"}) as put:
            assert put.status == 200, await put.text()
        async with http.get(get_url) as got:
            assert got.status == 200
            assert await got.read() == body
            assert got.headers["Content-Disposition"] == 'attachment; filename="my_log.txt"'
        tampered = get_url.replace("browser.log", "browser.lo")
        async with http.get(tampered) as denied:
            assert denied.status == 403
    with pytest.raises(ValueError, match="expiry"):
        await sw_store.presign_get(TENANT, key, expires_s=8 * 24 * 3600)


async def test_presigned_multipart_upload(seaweed: SeaweedS3Server, sw_store: ObjectStore) -> None:
    key = file_key(TENANT, uuid.uuid4(), "parts.log")
    chunks = [os.urandom(5 * MIB), os.urandom(1000)]  # every part but the last is >= 5 MiB
    upload_id = await sw_store.create_multipart(TENANT, key, content_type="text/plain")
    parts = []
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for number, chunk in enumerate(chunks, start=1):
            url = await sw_store.presign_part(TENANT, key, upload_id, number)
            async with http.put(url, data=io.BytesIO(chunk)) as response:
                assert response.status == 200, await response.text()
                parts.append(CompletedPart(number, response.headers["ETag"]))
    await sw_store.complete_multipart(TENANT, key, upload_id, parts[::-1])
    assert await sw_store.get_bytes(TENANT, key) == b"".join(chunks)

    abandoned = await sw_store.create_multipart(TENANT, key + ".2")
    await sw_store.abort_multipart(TENANT, key + ".2", abandoned)
    assert await sw_store.head(TENANT, key + ".2") is None
    with pytest.raises(ValueError, match="part number"):
        await sw_store.presign_part(TENANT, key, upload_id, 0)
