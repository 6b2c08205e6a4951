"""Who is calling: OIDC/JWT (RS256 via JWKS), per-tenant API tokens, and an explicit dev mode.

* ``Authorization: Bearer riq_…`` — an API token of a tenant (other systems), checked by its
  SHA-256 through ``tokens_repo.verify_token``;
* ``Authorization: Bearer <JWT>`` — signature from the JWKS, ``iss``, ``aud``, ``exp`` checked,
  Clerk-compatible claims: the organisation (``org_id``, or ``o.id`` in v2 tokens) maps to
  ``tenants.clerk_org_id`` (the tenant is created on first use), ``sub`` is the user;
* ``X-Dev-User-ID`` + ``X-Dev-Tenant-ID`` — only when ``REMEDYIQ_AUTH_DEV_MODE`` is on (refused
  in production settings); the tenant header is an organisation id, mapped like a token's.
  Without dev mode the headers are ignored.

Anything else is a 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt.exceptions import InvalidTokenError

from remedyiq_gateway.deps import Principal, resources_of
from remedyiq_gateway.errors import ApiError
from remedyiq_gateway.jwks import JwksCache, JwksUnavailableError, UnknownKeyError, http_fetcher
from remedyiq_gateway.settings import GatewaySettings
from remedyiq_platform.stores import tenants_repo, tokens_repo
from remedyiq_platform.stores.postgres import Database
from remedyiq_platform.telemetry import current_tenant

logger = logging.getLogger(__name__)

DEV_USER_HEADER = "x-dev-user-id"
DEV_TENANT_HEADER = "x-dev-tenant-id"
_HEADER_VALUE = re.compile(r"^[\x21-\x7e]{1,255}$")
_TENANT_CACHE_MAX = 10_000


def unauthorized(message: str, *, error: str = "invalid_token") -> ApiError:
    header = f'Bearer error="{error}"' if error else "Bearer"
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": header})


class Authenticator:
    """Turns request credentials into a :class:`Principal` (see the module docstring)."""

    def __init__(self, settings: GatewaySettings, jwks: JwksCache | None = None) -> None:
        self.settings = settings
        if jwks is None and settings.auth_jwks_url:
            jwks = JwksCache(
                http_fetcher(settings.auth_jwks_url, settings.auth_jwks_timeout_s),
                ttl_s=settings.auth_jwks_cache_s,
                min_refresh_s=settings.auth_jwks_min_refresh_s,
            )
        self.jwks = jwks
        self._tenants: dict[str, tuple[UUID, float]] = {}

    async def authenticate(
        self, db: Database, headers: Mapping[str, str], query_token: str | None = None
    ) -> Principal:
        """The caller of a request (``headers`` keys lower-case); raises a 401 ApiError."""
        token = _bearer(headers.get("authorization")) or query_token
        if token:
            principal = await self._token(db, token)
        elif self.settings.auth_dev_mode and DEV_USER_HEADER in headers:
            principal = await self._dev(db, headers)
        else:
            raise unauthorized("authentication required", error="")
        current_tenant.set(str(principal.tenant_id))
        return principal

    async def _token(self, db: Database, token: str) -> Principal:
        if token.startswith(tokens_repo.TOKEN_PREFIX):
            async with db.system() as conn:
                identity = await tokens_repo.verify_token(conn, token)
            if identity is None:
                raise unauthorized("unknown or revoked API token")
            return Principal(
                identity.tenant_id,
                f"token:{identity.token_id}",
                "token",
                frozenset(identity.scopes),
            )
        claims = await self._verify_jwt(token)
        org, name, role = _organisation(claims)
        if not org:
            raise ApiError(
                403, "no_organisation", "the token names no organisation (org_id / o.id)"
            )
        tenant = await self._tenant_for(db, org, name)
        scopes = frozenset({f"role:{role}"}) if role else frozenset()
        return Principal(tenant, str(claims["sub"]), "jwt", scopes)

    async def _verify_jwt(self, token: str) -> dict[str, Any]:
        if self.jwks is None:
            raise unauthorized("JWT verification is not configured on this server")
        try:
            header = jwt.get_unverified_header(token)
        except InvalidTokenError:
            raise unauthorized("malformed token") from None
        algorithm = header.get("alg")
        if algorithm not in self.settings.auth_algorithms:
            raise unauthorized(f"token algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        try:
            key = await self.jwks.key_for(kid if isinstance(kid, str) else None)
        except UnknownKeyError:
            raise unauthorized("token signed with an unknown key") from None
        except JwksUnavailableError:
            raise ApiError(
                503, "auth_unavailable", "the identity provider's keys cannot be fetched"
            ) from None
        required = ["exp", "sub"]
        settings = self.settings
        if settings.auth_issuer:
            required.append("iss")
        if settings.auth_audience:
            required.append("aud")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=settings.auth_algorithms,
                audience=settings.auth_audience,
                issuer=settings.auth_issuer,
                leeway=settings.auth_leeway_s,
                options={"require": required, "verify_aud": bool(settings.auth_audience)},
            )
        except InvalidTokenError as exc:
            raise unauthorized(f"invalid token: {exc}") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise unauthorized("invalid token: no subject")
        return claims

    async def _dev(self, db: Database, headers: Mapping[str, str]) -> Principal:
        user = headers.get(DEV_USER_HEADER, "")
        org = headers.get(DEV_TENANT_HEADER, "")
        if not _HEADER_VALUE.match(user) or not _HEADER_VALUE.match(org):
            raise unauthorized("dev mode needs X-Dev-User-ID and X-Dev-Tenant-ID", error="")
        tenant = await self._tenant_for(db, org, org)
        return Principal(tenant, user, "dev")

    async def _tenant_for(self, db: Database, org: str, name: str) -> UUID:
        """The tenant of an organisation, created on first use (cached: one write per org)."""
        now = time.monotonic()
        cached = self._tenants.get(org)
        if cached is not None and cached[1] > now:
            return cached[0]
        async with db.system() as conn:
            tenant = await tenants_repo.ensure_tenant(conn, org, name)
        if len(self._tenants) >= _TENANT_CACHE_MAX:
            self._tenants.pop(next(iter(self._tenants)))
        self._tenants[org] = (tenant, now + self.settings.auth_tenant_cache_s)
        return tenant


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("use the Bearer scheme", error="invalid_request")
    return value.strip()


def _organisation(claims: Mapping[str, Any]) -> tuple[str | None, str, str | None]:
    """``(org id, display name, role)`` from Clerk v1 (``org_*``) or v2 (``o``) claims."""
    org = claims.get("org_id")
    slug = claims.get("org_slug")
    role = claims.get("org_role")
    nested = claims.get("o")
    if isinstance(nested, Mapping):
        org = org or nested.get("id")
        slug = slug or nested.get("slg")
        role = role or nested.get("rol")
    org_id = org if isinstance(org, str) and org.strip() else None
    name = slug if isinstance(slug, str) and slug else (org_id or "")
    return org_id, name, role if isinstance(role, str) else None


# -- FastAPI dependencies -------------------------------------------------------------------

_bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ClerkAuth",
    description="An OIDC JWT (Clerk-compatible, RS256) or a tenant API token (riq_…).",
)


def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


async def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Principal:
    """The authenticated caller (the bearer scheme parameter only documents the API)."""
    authenticator = get_authenticator(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await authenticator.authenticate(resources_of(request).db, headers)


async def get_stream_principal(request: Request, token: str | None = None) -> Principal:
    """As :func:`get_principal`, also accepting ``?token=`` (EventSource cannot send headers)."""
    authenticator = get_authenticator(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await authenticator.authenticate(resources_of(request).db, headers, token)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
StreamPrincipalDep = Annotated[Principal, Depends(get_stream_principal)]

__all__ = [
    "Authenticator",
    "PrincipalDep",
    "StreamPrincipalDep",
    "get_principal",
    "unauthorized",
]
