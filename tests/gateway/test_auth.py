"""Authentication: JWTs through the JWKS (issuer, audience, expiry, signature, rotation),
per-tenant API tokens, and dev-mode headers only when dev mode is on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from pydantic import ValidationError

from remedyiq_gateway.app import create_app
from remedyiq_gateway.settings import GatewaySettings

from .conftest import Caller, Gateway
from .jwtkit import AUDIENCE, ISSUER, SigningKey


@pytest.fixture
async def anonymous(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.api, timeout=30) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_credentials_is_401(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"


async def test_a_valid_jwt_maps_its_organisation_to_a_tenant(
    gateway: Gateway, anonymous: httpx.AsyncClient
) -> None:
    org = f"org_jwt_{time.time_ns()}"
    first = await anonymous.get("/me", headers=bearer(gateway.idp.token(org=org, sub="user_1")))
    assert first.status_code == 200, first.text
    assert first.json()["via"] == "jwt"
    assert first.json()["user_id"] == "user_1"
    # the same organisation (Clerk v2 claims this time) is the same tenant; another is not
    again = await anonymous.get("/me", headers=bearer(gateway.idp.token(org=org, v2=True)))
    assert again.json()["tenant_id"] == first.json()["tenant_id"]
    assert again.json()["scopes"] == ["role:admin"]
    other = await anonymous.get("/me", headers=bearer(gateway.idp.token(org=org + "x")))
    assert other.json()["tenant_id"] != first.json()["tenant_id"]


@pytest.mark.parametrize(
    "case",
    [
        "bad_signature",
        "wrong_issuer",
        "wrong_audience",
        "expired",
        "unknown_key",
        "garbage",
        "hs256",
        "alg_none",
        "no_exp",
    ],
)
async def test_bad_tokens_are_401(
    gateway: Gateway, anonymous: httpx.AsyncClient, case: str
) -> None:
    idp = gateway.idp
    org = "org_bad_tokens"
    now = int(time.time())
    claims = {"sub": "u", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "org_id": org}
    tokens = {
        # same key id, different key: the signature does not verify
        "bad_signature": idp.token(org=org, key=SigningKey(idp.keys[0].kid)),
        "wrong_issuer": idp.token(org=org, issuer="https://evil.example"),
        "wrong_audience": idp.token(org=org, audience="someone-else"),
        "expired": idp.token(org=org, expires_in=-120),
        "unknown_key": idp.token(org=org, key=SigningKey("not-published")),
        "garbage": "not.a.jwt",
        "hs256": jwt.encode(claims, "k" * 32, algorithm="HS256", headers={"kid": "k1"}),
        "alg_none": jwt.encode(claims, "", algorithm="none"),
        "no_exp": jwt.encode(
            {k: v for k, v in claims.items() if k != "exp"},
            idp.keys[0].private,
            algorithm="RS256",
            headers={"kid": idp.keys[0].kid},
        ),
    }
    response = await anonymous.get("/me", headers=bearer(tokens[case]))
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthorized"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_token_without_organisation_is_403(
    gateway: Gateway, anonymous: httpx.AsyncClient
) -> None:
    response = await anonymous.get("/me", headers=bearer(gateway.idp.token(org=None)))
    assert response.status_code == 403
    assert response.json()["code"] == "no_organisation"


async def test_key_rotation_is_picked_up(gateway: Gateway, anonymous: httpx.AsyncClient) -> None:
    idp = gateway.idp
    old = idp.keys[0]
    try:
        new = idp.rotate(f"k-{time.time_ns()}")
        # an earlier test's unknown key may have refetched just now: refetches are spaced by
        # auth_jwks_min_refresh_s (0.5 s here), so a new key is picked up within that
        await asyncio.sleep(0.6)
        response = await anonymous.get("/me", headers=bearer(idp.token(org="org_rot", key=new)))
        assert response.status_code == 200, response.text
        # unknown key ids refetch at most every auth_jwks_min_refresh_s: a flood of them
        # does not become a flood of JWKS requests
        forger = SigningKey("forger")
        tokens = [
            idp.token(org="org_rot", key=SigningKey(f"nope-{i}", forger.private)) for i in range(30)
        ]
        before, started = idp.fetches, time.monotonic()
        for forged in tokens:
            assert (await anonymous.get("/me", headers=bearer(forged))).status_code == 401
        elapsed = time.monotonic() - started
        bound = elapsed / gateway.settings.auth_jwks_min_refresh_s + 1
        assert idp.fetches - before <= bound < len(tokens)
    finally:
        idp.keys = [old]


async def test_api_tokens(alice: Caller, anonymous: httpx.AsyncClient) -> None:
    created = await alice.client.post("/tokens", json={"name": "ci", "scopes": ["jobs"]})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert token.startswith("riq_")
    me = await anonymous.get("/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json() == {
        "tenant_id": str(alice.tenant_id),
        "user_id": f"token:{created.json()['id']}",
        "via": "token",
        "scopes": ["jobs"],
    }
    # a token cannot mint tokens; the list never shows the secret
    assert (
        await anonymous.post("/tokens", json={"name": "x"}, headers=bearer(token))
    ).status_code == 403
    listed = (await alice.client.get("/tokens")).json()
    assert [t["id"] for t in listed] == [created.json()["id"]]
    assert "token" not in listed[0]
    revoked = await alice.client.delete(f"/tokens/{created.json()['id']}")
    assert revoked.status_code == 204
    assert (await anonymous.get("/me", headers=bearer(token))).status_code == 401
    assert (await anonymous.get("/me", headers=bearer("riq_" + "x" * 32))).status_code == 401


async def test_dev_headers_are_ignored_without_dev_mode(gateway: Gateway, alice: Caller) -> None:
    settings = gateway.settings.model_copy(update={"auth_dev_mode": False})
    app = create_app(settings, gateway.resources)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw/api/v1") as client:
        response = await client.get("/me", headers=alice.headers)
        assert response.status_code == 401
        token = gateway.idp.token(org=alice.org)
        assert (await client.get("/me", headers=bearer(token))).status_code == 200


def test_production_refuses_dev_mode_and_needs_an_identity_provider(gateway: Gateway) -> None:
    base = gateway.settings.model_dump()
    prod = {**base, "environment": "production", "nats_url": "nats://nats:4222"}
    with pytest.raises(ValidationError, match="AUTH_DEV_MODE is refused"):
        GatewaySettings.model_validate(prod)
    with pytest.raises(ValidationError, match="REMEDYIQ_AUTH_JWKS_URL"):
        GatewaySettings.model_validate({**prod, "auth_dev_mode": False, "auth_jwks_url": None})
    assert GatewaySettings.model_validate({**base, "auth_dev_mode": False}).auth_dev_mode is False
