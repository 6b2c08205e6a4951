"""An identity provider for tests: RSA keys, a JWKS served over real HTTP, signed tokens."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://clerk.test.remedyiq.dev"
AUDIENCE = "remedyiq-api"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**data, "kid": self.kid, "use": "sig", "alg": "RS256"}


class IdentityProvider:
    """Publishes its keys on ``jwks_url``; ``rotate`` swaps them; ``fetches`` counts requests."""

    def __init__(self) -> None:
        self.keys = [SigningKey("k1")]
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps({"keys": [k.jwk() for k in provider.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"

    def start(self) -> IdentityProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def rotate(self, kid: str) -> SigningKey:
        key = SigningKey(kid)
        self.keys = [key]
        return key

    def token(
        self,
        *,
        org: str | None,
        sub: str = "user_test",
        key: SigningKey | None = None,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        expires_in: float = 300,
        v2: bool = False,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub,
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "nbf": now - 5,
            "exp": now + int(expires_in),
            **extra,
        }
        if org is not None:
            if v2:
                claims["o"] = {"id": org, "rol": "admin", "slg": org.lower()}
            else:
                claims["org_id"] = org
        signer = key or self.keys[0]
        return jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": signer.kid})


@contextmanager
def identity_provider() -> Iterator[IdentityProvider]:
    provider = IdentityProvider().start()
    try:
        yield provider
    finally:
        provider.stop()
