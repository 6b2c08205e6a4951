"""moto's S3 in-process, through aioboto3."""

from __future__ import annotations

import aioboto3  # type: ignore[import-untyped,unused-ignore]

from remedyiq_devstack import MotoS3Server, S3Endpoint

from .helpers import aio_s3_kwargs


async def test_put_get_and_ranged_get(s3_endpoint: S3Endpoint, s3_bucket: str) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB
    async with aioboto3.Session().client("s3", **aio_s3_kwargs(s3_endpoint)) as s3:
        await s3.put_object(Bucket=s3_bucket, Key="tenant-a/upload.log", Body=body)
        whole = await s3.get_object(Bucket=s3_bucket, Key="tenant-a/upload.log")
        assert await whole["Body"].read() == body
        part = await s3.get_object(
            Bucket=s3_bucket, Key="tenant-a/upload.log", Range="bytes=1000-1999"
        )
        assert part["ContentRange"] == f"bytes 1000-1999/{len(body)}"
        assert await part["Body"].read() == body[1000:2000]


def test_each_test_gets_an_empty_bucket(s3_server: MotoS3Server, s3_bucket: str) -> None:
    listing = s3_server.client().list_objects_v2(Bucket=s3_bucket)
    assert listing["KeyCount"] == 0
