"""moto's S3 served in-process on a loopback port: the S3 for tests.

This is what ``moto.server.ThreadedMotoServer`` does, built from the same moto parts, because
``ThreadedMotoServer.start()`` waits forever if the port cannot be bound and ``stop()`` leaves
the listening socket open. Binding port 0 here means there is no port race at all.

moto keeps objects in memory, process-wide: two instances in one process share buckets, and
nothing checks signatures (any credentials work).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Self

from remedyiq_devstack._http import http_get
from remedyiq_devstack._process import wait_until
from remedyiq_devstack.ports import LOOPBACK
from remedyiq_devstack.s3 import S3Endpoint, S3Service

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

logger = logging.getLogger(__name__)


class MotoS3Server(S3Service):
    """moto's S3 API on ``http://127.0.0.1:<port>``, in a thread of this process."""

    name = "moto-s3"

    def __init__(
        self,
        *,
        port: int = 0,
        access_key: str = "testing",
        secret_key: str = "testing",
        region: str = "us-east-1",
        startup_timeout: float = 15.0,
    ) -> None:
        self._port = port
        self._access_key = access_key
        self._secret_key = secret_key
        self._region = region
        self.startup_timeout = startup_timeout
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The bound port (0 until started, if none was requested)."""
        return self._port

    @property
    def running(self) -> bool:
        """True while the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def endpoint(self) -> S3Endpoint:
        """URL, credentials and region."""
        return S3Endpoint(
            f"http://{LOOPBACK}:{self._port}", self._access_key, self._secret_key, self._region
        )

    def start(self) -> Self:
        """Bind, serve in a daemon thread and wait until HTTP answers; no-op if running."""
        with self._lock:
            if self.running:
                return self
            # Imported here: moto costs ~0.3 s to import, and importing the plugin must be cheap.
            from moto.moto_server.werkzeug_app import (  # noqa: PLC0415
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
            )
            from werkzeug.serving import make_server  # noqa: PLC0415

            class QuietHandler(MotoRequestHandler):
                """Request lines at DEBUG instead of werkzeug's INFO."""

                def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                    logger.debug("%s %s %s", self.command, self.path, code)

            app = DomainDispatcherApplication(create_backend_app)
            server = make_server(
                LOOPBACK, self._port, app, threaded=True, request_handler=QuietHandler
            )
            self._port = server.server_port  # stays fixed across restarts
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # stop() waits for one poll
                name=f"moto-s3-{self._port}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
            try:
                wait_until(
                    lambda: http_get(f"{self.endpoint_url}/") is not None,
                    timeout=self.startup_timeout,
                    what=self.name,
                    alive=thread.is_alive,
                )
            except BaseException:
                self._shutdown()
                raise
            logger.info("moto S3 ready at %s", self.endpoint_url)
            return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (buckets stay in moto's memory)."""
        with self._lock:
            self._shutdown()

    def _shutdown(self) -> None:
        self._forget_client()
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)
