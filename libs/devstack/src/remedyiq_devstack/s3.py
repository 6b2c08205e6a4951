"""The S3 interface shared by the moto and SeaweedFS servers, and bucket helpers."""

from __future__ import annotations

import contextlib
import threading
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from remedyiq_devstack._server import Lifecycle


@dataclass(frozen=True)
class S3Endpoint:
    """Everything a client needs to reach an S3 server."""

    endpoint_url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"


def s3_client(endpoint: S3Endpoint) -> Any:
    """A boto3 S3 client for ``endpoint`` (path-style addressing, SigV4), without retries."""
    import boto3  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415 - heavy, only when needed
    from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    session = boto3.session.Session(
        aws_access_key_id=endpoint.access_key,
        aws_secret_access_key=endpoint.secret_key,
        region_name=endpoint.region,
    )
    config = Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=30,
    )
    return session.client("s3", endpoint_url=endpoint.endpoint_url, config=config)


class S3Service(Lifecycle):
    """An S3-compatible server: ``endpoint`` plus bucket helpers."""

    _client: Any = None
    _client_lock = threading.Lock()

    @property
    @abstractmethod
    def endpoint(self) -> S3Endpoint:
        """URL, credentials and region of the running server."""

    @property
    def endpoint_url(self) -> str:
        """Base URL of the S3 API."""
        return self.endpoint.endpoint_url

    @property
    def access_key(self) -> str:
        """Access key id accepted by the server."""
        return self.endpoint.access_key

    @property
    def secret_key(self) -> str:
        """Secret access key accepted by the server."""
        return self.endpoint.secret_key

    @property
    def region(self) -> str:
        """Region name clients should sign for."""
        return self.endpoint.region

    def client(self) -> Any:
        """A cached boto3 client for this server (boto3 clients are thread-safe)."""
        with self._client_lock:
            if self._client is None:
                self._client = s3_client(self.endpoint)
            return self._client

    def create_bucket(self, name: str) -> str:
        """Create bucket ``name`` (no error if it is already ours); return the name."""
        client = self.client()
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=name)
        return name

    def delete_bucket(self, name: str) -> None:
        """Delete every object in bucket ``name``, then the bucket."""
        client = self.client()
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=name):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
        client.delete_bucket(Bucket=name)

    def _forget_client(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
            self._client = None
