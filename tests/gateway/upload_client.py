"""A client in its own process: streams a generated multipart upload of N MiB to the gateway.

python upload_client.py URL MIB HEADER:VALUE...  ->  prints "elapsed_s sha256 status body"
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

BOUNDARY = "remedyiq-upload-client"
MIB = 1024 * 1024
SAMPLE = Path(__file__).resolve().parents[3] / "shared/fixtures/arlogs/sample1_trid_mssql.log"


def body(total: int, digest: hashlib._Hash) -> Iterator[bytes]:
    block = (SAMPLE.read_bytes() * 10)[:MIB]
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.log"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    sent = 0
    while sent < total:
        chunk = block[: min(len(block), total - sent)]
        digest.update(chunk)
        sent += len(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def main() -> None:
    url, size, *pairs = sys.argv[1:]
    headers = dict(pair.split(":", 1) for pair in pairs)
    headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
    digest = hashlib.sha256()
    started = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        response = client.post(url, content=body(int(size) * MIB, digest), headers=headers)
    elapsed = time.perf_counter() - started
    sys.stdout.write(f"{elapsed:.3f} {digest.hexdigest()} {response.status_code} {response.text}\n")


if __name__ == "__main__":
    main()
