"""End to end with the real pipeline: upload through the gateway, the job runs through the ingest,
parser and writer services over a NATS server of its own, progress arrives over SSE, and the
dashboard, search, trace and report are served from what the pipeline stored — the README's
walk-through, as a test."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Gateway, make_caller
from .seed import FIXTURES

pytestmark = pytest.mark.timeout(180)
LOG = FIXTURES / "trid_23x_15k.log"


async def _events(client: httpx.AsyncClient, job: str) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    async with client.stream("GET", f"/analysis/{job}/events") as response:
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                seen.append((kind, json.loads(line.split(":", 1)[1])))
    return seen


async def test_upload_to_report_through_the_real_pipeline(gateway: Gateway, platform: str) -> None:
    caller = await make_caller(gateway, "e2e")
    await caller.client.aclose()
    async with httpx.AsyncClient(base_url=platform, headers=caller.headers, timeout=60) as client:
        with LOG.open("rb") as handle:
            file = (await client.post("/files/upload", files={"file": (LOG.name, handle)})).json()
        job = (await client.post("/analysis", json={"file_id": file["id"]})).json()["id"]
        events = await asyncio.wait_for(_events(client, job), 120)
        kinds = [kind for kind, _ in events]
        assert kinds[-1] == "job_complete", events[-3:]
        assert events[-1][1]["status"] == "complete", events[-1]
        assert "job_progress" in kinds
        stages = [int(p["progress_pct"]) for kind, p in events if kind == "job_progress"]
        assert stages == sorted(stages)

        detail = (await client.get(f"/analysis/{job}")).json()
        assert detail["status"] == "complete"
        assert detail["api_count"] > 0
        dashboard = (await client.get(f"/analysis/{job}/dashboard")).json()
        assert dashboard["general_stats"]["api_count"] == detail["api_count"]
        assert dashboard["top_api_calls"]
        hits = (await client.get(f"/analysis/{job}/search", params={"q": "type:SQL"})).json()
        assert hits["entries"]
        assert all(e["log_type"] == "SQL" for e in hits["entries"])
        slowest = (await client.get(f"/analysis/{job}/transactions", params={"limit": 1})).json()
        trace = await client.get(f"/analysis/{job}/trace/{slowest['rows'][0]['trace_id']}")
        assert trace.status_code == 200
        assert trace.json()["entry_count"] > 0
        report = await client.get(f"/analysis/{job}/report", params={"format": "text"})
        assert report.status_code == 200
        assert "API" in report.text
        context = await client.get(
            f"/analysis/{job}/entries/{hits['entries'][0]['entry_id']}/context"
        )
        assert context.status_code == 200, context.text
        assert (await client.delete(f"/analysis/{job}")).status_code == 204
        assert (await client.get(f"/analysis/{job}/search")).status_code == 404


async def test_context_lines_of_a_zip_archives_members(
    gateway: Gateway, platform: str, tmp_path: Path
) -> None:
    """Entries of the second member of an uploaded zip show their original lines: the member is
    read through the archive's directory with ranged requests and decompressed up to them."""
    members = {"logs/first.log": FIXTURES / "sample1_trid_mssql.log", "logs/second.log": LOG}
    archive = tmp_path / "server-logs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, path in members.items():
            packed.write(path, name)
    caller = await make_caller(gateway, "zip")
    await caller.client.aclose()
    async with httpx.AsyncClient(base_url=platform, headers=caller.headers, timeout=60) as client:
        with archive.open("rb") as handle:
            upload = await client.post("/files/upload", files={"file": (archive.name, handle)})
        assert upload.status_code == 201, upload.text
        job = (await client.post("/analysis", json={"file_id": upload.json()["id"]})).json()["id"]
        events = await asyncio.wait_for(_events(client, job), 120)
        assert events[-1][1]["status"] == "complete", events[-1]

        found = await client.get(
            f"/analysis/{job}/search", params={"q": "type:SQL", "page_size": 500}
        )
        assert found.status_code == 200, found.text
        second = [e for e in found.json()["entries"] if e["file_number"] == 2]
        assert second, "the second member has SQL entries"
        hit = second[-1]
        context = await client.get(
            f"/analysis/{job}/entries/{hit['entry_id']}/context", params={"before": 4, "after": 3}
        )
        assert context.status_code == 200, context.text
        lines = context.json()["lines"]
        original = LOG.read_bytes().decode().splitlines()
        number = hit["line_number"]
        assert [line["line"] for line in lines] == list(range(number - 4, number + 4))
        assert [line["text"] for line in lines] == original[number - 5 : number + 3]
        assert [line["target"] for line in lines].index(True) == 4

        missing = await client.get(f"/analysis/{job}/entries/9:1/context")
        assert missing.status_code in (404, 422)
