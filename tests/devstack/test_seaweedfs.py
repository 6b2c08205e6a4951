"""SeaweedFS `weed mini`: S3 with real SigV4 checks, every listener on a port we chose."""

from __future__ import annotations

import aioboto3  # type: ignore[import-untyped,unused-ignore]
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

from remedyiq_devstack import S3Endpoint, SeaweedS3Server

from .helpers import aio_s3_kwargs


async def test_put_get_with_auth_and_wrong_secret_rejected() -> None:
    async with SeaweedS3Server() as server:
        bucket = server.create_bucket("uploads")
        session = aioboto3.Session()
        async with session.client("s3", **aio_s3_kwargs(server.endpoint)) as s3:
            await s3.put_object(Bucket=bucket, Key="t1/a.log", Body=b"API line\n" * 1000)
            got = await s3.get_object(Bucket=bucket, Key="t1/a.log", Range="bytes=0-8")
            assert await got["Body"].read() == b"API line\n"

        wrong = S3Endpoint(server.endpoint_url, server.access_key, "not-the-secret")
        async with session.client("s3", **aio_s3_kwargs(wrong)) as s3:
            with pytest.raises(ClientError) as excinfo:
                await s3.get_object(Bucket=bucket, Key="t1/a.log")
        assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"

        listening = {
            conn.laddr.port
            for conn in psutil.Process(server.pid).net_connections(kind="inet")
            if conn.status == psutil.CONN_LISTEN
        }
        assert listening <= set(server.ports.values())
        assert all(conn_ip == "127.0.0.1" for conn_ip in _listen_ips(server.pid))
    assert not server.running


def _listen_ips(pid: int | None) -> set[str]:
    return {
        conn.laddr.ip
        for conn in psutil.Process(pid).net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    }
