"""A multi-hundred-MB upload streams through the gateway with flat memory, over real HTTP.

S3 is SeaweedFS here (a separate process): moto keeps objects in this process's memory, which
would hide the gateway's own. Two measurements: Python allocations traced during a 256 MiB
upload (tracemalloc: client, server, parser and S3 client all included), and the gateway
process's RSS sampled during a 1 GiB upload sent by a client in another process (which also
gives the throughput).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import sys
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from remedyiq_devstack import SeaweedS3Server
from remedyiq_devstack.pytest_plugin import unique_name
from remedyiq_gateway.app import create_app
from remedyiq_gateway.http_server import EmbeddedServer, embedded
from remedyiq_platform.stores.objects import ObjectStore

from .conftest import Caller, Gateway
from .seed import SAMPLE

pytestmark = pytest.mark.timeout(300)
MIB = 1024 * 1024
BOUNDARY = "remedyiq-memory-test"
BLOCK = (SAMPLE.read_bytes() * 10)[: 1 * MIB]  # real log lines, 1 MiB a chunk
CLIENT = Path(__file__).with_name("upload_client.py")


@pytest.fixture(scope="module")
def seaweed() -> Iterator[SeaweedS3Server]:
    with SeaweedS3Server() as server:
        yield server


@pytest.fixture
async def seaweed_gateway(
    gateway: Gateway, seaweed: SeaweedS3Server
) -> AsyncIterator[tuple[EmbeddedServer, ObjectStore]]:
    """The gateway's app on the session's clients, but storing uploads in SeaweedFS."""
    endpoint = seaweed.endpoint
    store = await ObjectStore.open(
        bucket=unique_name("mem-"),
        endpoint_url=endpoint.endpoint_url,
        region=endpoint.region,
        access_key_id=endpoint.access_key,
        secret_access_key=endpoint.secret_key,
    )
    resources = dataclasses.replace(gateway.resources, objects=store, bucket=store.bucket)
    server = embedded(create_app(gateway.settings, resources), "127.0.0.1", 0)
    await server.start()
    yield server, store
    await server.stop()
    await store.close()


async def body(total: int, digest: hashlib._Hash) -> AsyncIterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.log"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    sent = 0
    while sent < total:
        chunk = BLOCK[: min(len(BLOCK), total - sent)]
        digest.update(chunk)
        sent += len(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def send(server: EmbeddedServer, caller: Caller, total: int) -> tuple[dict[str, Any], str]:
    digest = hashlib.sha256()
    url = f"http://127.0.0.1:{server.port}/api/v1/files/upload"
    headers = {**caller.headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    async with httpx.AsyncClient(timeout=300) as client:
        response = await client.post(url, content=body(total, digest), headers=headers)
    assert response.status_code == 201, response.text
    uploaded: dict[str, Any] = response.json()
    return uploaded, digest.hexdigest()


async def test_traced_allocations_stay_flat(
    seaweed_gateway: tuple[EmbeddedServer, ObjectStore], alice: Caller
) -> None:
    server, store = seaweed_gateway
    total = 256 * MIB
    tracemalloc.start()
    try:
        uploaded, sha = await send(server, alice, total)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert uploaded["size_bytes"] == total
    assert uploaded["sha256"] == sha
    print(f"\ntraced peak during a {total // MIB} MiB upload: {peak / MIB:.1f} MiB")
    # about two S3 parts in flight plus network buffers, whatever the size
    assert peak < 4 * store.part_size, f"peak {peak / MIB:.1f} MiB"


async def _external_upload(
    server: EmbeddedServer, caller: Caller, mib: int
) -> tuple[float, dict[str, Any], str]:
    """Upload from another process (so this process's RSS and CPU are the gateway's)."""
    url = f"http://127.0.0.1:{server.port}/api/v1/files/upload"
    headers = [f"{name}:{value}" for name, value in caller.headers.items()]
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(CLIENT), url, str(mib), *headers, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    elapsed, sha, status, text = out.decode().split(" ", 3)
    assert status == "201", text
    uploaded: dict[str, Any] = json.loads(text)
    return float(elapsed), uploaded, sha


async def test_rss_stays_flat_and_throughput(
    seaweed_gateway: tuple[EmbeddedServer, ObjectStore], alice: Caller
) -> None:
    server, _ = seaweed_gateway
    process = psutil.Process()
    await _external_upload(server, alice, 32)  # warm up: buffers, pools, code paths
    baseline = process.memory_info().rss
    peak = baseline
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    mib = 1024
    try:
        elapsed, uploaded, sha = await _external_upload(server, alice, mib)
    finally:
        done.set()
        await sampler
    assert uploaded["sha256"] == sha
    assert uploaded["size_bytes"] == mib * MIB
    growth = (peak - baseline) / MIB
    print(
        f"\n{mib} MiB upload from another process: {mib / elapsed:.0f} MiB/s over loopback "
        f"(S3: SeaweedFS on the same 2 cores), gateway RSS growth {growth:.0f} MiB"
    )
    assert growth < 96, f"RSS grew {growth:.0f} MiB during a {mib} MiB upload"
