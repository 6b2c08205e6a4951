"""Jobs: created from a file (SubmitJob on the real NATS), listed, read, cancelled, deleted
everywhere (ClickHouse rows, results, artefacts, caches, the row)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import nats
from nats.aio.msg import Msg

from remedyiq_platform.contracts.messages import CancelJob, SubmitJob
from remedyiq_platform.contracts.subjects import TENANT_HEADER, subject
from remedyiq_platform.stores.objects_keys import artefact_key

from .conftest import Caller, Gateway
from .seed import SAMPLE, seeded_job, upload


@asynccontextmanager
async def capture(gateway: Gateway, key: str, tenant: UUID) -> AsyncIterator[list[Msg]]:
    """Messages published to ``key``'s subject of ``tenant`` while the block runs."""
    connection = await nats.connect(gateway.settings.nats_url)
    seen: list[Msg] = []

    async def keep(msg: Msg) -> None:
        seen.append(msg)

    await connection.subscribe(subject(key, tenant), cb=keep)
    await connection.flush()
    try:
        yield seen
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.02)
    finally:
        await connection.close()


async def test_create_publishes_submit_job(gateway: Gateway, alice: Caller) -> None:
    file = await upload(alice.client)
    async with capture(gateway, "jobs.submit", alice.tenant_id) as seen:
        response = await alice.client.post(
            "/analysis",
            json={
                "file_id": file["id"],
                "jar_flags": {"top_n": 10, "skip_sql": True, "group_by": ["USER"]},
            },
        )
        assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "queued"
    assert job["file_id"] == file["id"]
    assert job["filename"] == SAMPLE.name
    assert job["jar_flags"]["top_n"] == 10
    assert len(seen) == 1
    message = SubmitJob.model_validate_json(seen[0].data)
    assert seen[0].headers is not None
    assert seen[0].headers[TENANT_HEADER] == str(alice.tenant_id)
    assert message.job_id == UUID(job["id"])
    assert message.tenant_id == alice.tenant_id
    assert message.file.key.startswith(f"tenants/{alice.tenant_id}/files/")
    assert message.file.sha256 == file["sha256"]
    assert message.options.top_n == 10
    assert message.options.types == ["API", "FLTR", "ESCL"]
    assert message.options.group_by == ["user"]
    assert message.requested_by == alice.user
    status = (await alice.client.get(f"/analysis/{job['id']}/status")).json()
    assert status["status"] == "queued"
    assert status["source"] == "cache"


async def test_idempotency_key_and_bad_requests(alice: Caller) -> None:
    file = await upload(alice.client)
    headers = {"Idempotency-Key": "retry-1"}
    first = await alice.client.post("/analysis", json={"file_id": file["id"]}, headers=headers)
    second = await alice.client.post("/analysis", json={"file_id": file["id"]}, headers=headers)
    assert first.json()["id"] == second.json()["id"]
    bad_time = await alice.client.post(
        "/analysis", json={"file_id": file["id"], "options": {"begin": "yesterday"}}
    )
    assert bad_time.status_code == 422
    unknown = await alice.client.post("/analysis", json={"file_id": str(UUID(int=7))})
    assert unknown.status_code == 404
    extra = await alice.client.post("/analysis", json={"file_id": file["id"], "nope": 1})
    assert extra.status_code == 422
    assert extra.json()["code"] == "invalid_request"


async def test_list_filters_and_pages(alice: Caller) -> None:
    file = await upload(alice.client)
    ids = []
    for _ in range(3):
        ids.append(
            (await alice.client.post("/analysis", json={"file_id": file["id"]})).json()["id"]
        )
    await alice.client.post(f"/analysis/{ids[0]}/cancel")
    page = (await alice.client.get("/analysis", params={"page_size": 2})).json()
    assert [j["id"] for j in page["jobs"]] == [ids[2], ids[1]]
    assert page["pagination"]["total_count"] == 3
    rest = await alice.client.get(
        "/analysis", params={"page_size": 2, "cursor": page["pagination"]["next_cursor"]}
    )
    assert [j["id"] for j in rest.json()["jobs"]] == [ids[0]]
    cancelled = (await alice.client.get("/analysis", params={"status": "cancelled"})).json()
    assert [j["id"] for j in cancelled["jobs"]] == [ids[0]]
    assert cancelled["pagination"]["total_count"] == 1
    assert (await alice.client.get("/analysis", params={"status": "nope"})).status_code == 422


async def test_cancel_publishes_and_is_refused_when_final(gateway: Gateway, alice: Caller) -> None:
    file = await upload(alice.client)
    job = (await alice.client.post("/analysis", json={"file_id": file["id"]})).json()
    async with capture(gateway, "jobs.cancel", alice.tenant_id) as seen:
        response = await alice.client.post(f"/analysis/{job['id']}/cancel")
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert CancelJob.model_validate_json(seen[0].data).job_id == UUID(job["id"])
    assert (await alice.client.get(f"/analysis/{job['id']}")).json()["status"] == "cancelled"
    assert (await alice.client.post(f"/analysis/{job['id']}/cancel")).status_code == 200

    done, _ = await seeded_job(alice.client, gateway.resources, alice.tenant_id)
    refused = await alice.client.post(f"/analysis/{done}/cancel")
    assert refused.status_code == 409
    assert refused.json()["code"] == "illegal_transition"


async def _rows(gateway: Gateway, tenant: UUID, job: UUID) -> int:
    clickhouse = gateway.resources.clickhouse
    scope = clickhouse.scope(str(tenant), str(job))
    rows = await clickhouse.run(scope.rows, "SELECT count() FROM $E WHERE $JOB")
    return int(rows[0][0])


async def test_delete_removes_rows_results_artefacts_and_row(
    gateway: Gateway, alice: Caller
) -> None:
    resources = gateway.resources
    file = await upload(alice.client)
    running = (await alice.client.post("/analysis", json={"file_id": file["id"]})).json()
    refused = await alice.client.delete(f"/analysis/{running['id']}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "job_running"

    job, _ = await seeded_job(alice.client, resources, alice.tenant_id)
    artefact = artefact_key(alice.tenant_id, job, "meta.json")
    await resources.objects.put_bytes(alice.tenant_id, artefact, b"{}")
    assert (await alice.client.get(f"/analysis/{job}/dashboard")).status_code == 200  # cached
    assert await _rows(gateway, alice.tenant_id, job) > 100

    assert (await alice.client.delete(f"/analysis/{job}")).status_code == 204
    assert await _rows(gateway, alice.tenant_id, job) == 0
    assert await resources.objects.head(alice.tenant_id, artefact) is None
    assert (await alice.client.get(f"/analysis/{job}")).status_code == 404
    assert (await alice.client.get(f"/analysis/{job}/dashboard")).status_code == 404
    assert (await alice.client.delete(f"/analysis/{job}")).status_code == 404
    async with resources.db.tenant(alice.tenant_id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM analysis_results") == 0
