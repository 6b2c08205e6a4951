"""Saved searches (PostgreSQL): create, list, get, update, pin, delete — checked queries, the
author's alone to change, the tenant's to read, invisible to other tenants; search history."""

from __future__ import annotations

import httpx

from .conftest import Caller, Gateway
from .seed import upload


async def test_saved_search_lifecycle(gateway: Gateway, alice: Caller, bob: Caller) -> None:
    client = alice.client
    first = await client.post(
        "/search/saved",
        json={
            "name": "slow GE",
            "kql_query": "api:GE and duration >= 2s",
            "filters": {"start": "2025-11-24T14:00:00Z"},
        },
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        "/search/saved", json={"name": "errors", "kql_query": "status:false", "is_pinned": True}
    )
    saved = first.json()
    assert saved["user_id"] == alice.user
    assert saved["filters"] == {"start": "2025-11-24T14:00:00Z"}
    listed = (await client.get("/search/saved")).json()
    assert [s["name"] for s in listed] == ["errors", "slow GE"]  # pinned first
    pinned = await client.put(f"/search/saved/{saved['id']}/pin")
    assert pinned.json()["is_pinned"] is True
    unpinned = await client.delete(f"/search/saved/{second.json()['id']}/pin")
    assert unpinned.json()["is_pinned"] is False
    renamed = await client.patch(f"/search/saved/{saved['id']}", json={"name": "slow gets"})
    assert renamed.json()["name"] == "slow gets"
    assert renamed.json()["kql_query"] == "api:GE and duration >= 2s"
    bad = await client.patch(f"/search/saved/{saved['id']}", json={"kql_query": "user:("})
    assert bad.status_code == 400
    assert bad.json()["details"]["code"] == "syntax"
    # another tenant sees nothing
    assert (await bob.client.get(f"/search/saved/{saved['id']}")).status_code == 404
    assert (await bob.client.get("/search/saved", params={"owner": "tenant"})).json() == []
    # a colleague in the same tenant reads it, but cannot change it
    headers = {"X-Dev-User-ID": "colleague", "X-Dev-Tenant-ID": alice.org}
    async with httpx.AsyncClient(base_url=gateway.api, headers=headers) as colleague:
        team = (await colleague.get("/search/saved", params={"owner": "tenant"})).json()
        assert {s["id"] for s in team} == {saved["id"], second.json()["id"]}
        assert (await colleague.get("/search/saved")).json() == []  # none of their own
        refused = await colleague.delete(f"/search/saved/{saved['id']}")
        assert refused.status_code == 403
    assert (await client.delete(f"/search/saved/{saved['id']}")).status_code == 204
    assert (await client.get(f"/search/saved/{saved['id']}")).status_code == 404


async def test_invalid_queries_and_values_are_refused(alice: Caller) -> None:
    unknown = await alice.client.post(
        "/search/saved", json={"name": "x", "kql_query": "nosuchfield:1"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["details"]["code"] == "unknown_field"
    nul = await alice.client.post("/search/saved", json={"name": "a\u0000b", "kql_query": ""})
    assert nul.status_code == 400
    assert nul.json()["code"] == "invalid_value"


async def test_history_is_per_user_and_capped(gateway: Gateway, alice: Caller) -> None:
    assert (await alice.client.get("/search/history")).json() == {"searches": []}
    file = await upload(alice.client)
    job = (await alice.client.post("/analysis", json={"file_id": file["id"]})).json()["id"]
    async with gateway.client_of(search_history_size=3) as client:
        client.headers.update(alice.headers)
        for i in range(5):
            response = await client.get(f"/analysis/{job}/search", params={"q": f"user:u{i}"})
            assert response.status_code == 200  # a queued job: no rows yet, but searchable
            assert response.json()["entries"] == []
        assert (await client.get(f"/analysis/{job}/search", params={"q": ""})).status_code == 200
        history = (await client.get("/search/history")).json()["searches"]
    assert [h["q"] for h in history] == ["user:u4", "user:u3", "user:u2"]
    assert (await alice.client.delete("/search/history")).status_code == 204
    assert (await alice.client.get("/search/history")).json() == {"searches": []}
