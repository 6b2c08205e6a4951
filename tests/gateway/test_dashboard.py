"""The dashboard (combined and every section), the extras the reference lacks, and the reports,
on one finished job, through HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from remedyiq_analysis.render import render_text
from remedyiq_analysis.report import Report

from .conftest import Caller, Gateway
from .seed import upload
from .seeded import Seeded


async def test_combined_dashboard(gateway: Gateway, seeded: Seeded) -> None:
    report = seeded.report
    body = await seeded.get("/dashboard", top_n=5)
    stats = body["general_stats"]
    assert stats["total_lines"] == report.general.total_lines
    assert stats["api_count"] == report.general.lines["API"]
    assert stats["unique_users"] == report.general.user_count
    assert stats["log_start"] == f"{report.general.start_time}Z"
    assert len(body["top_api_calls"]) == 5
    slowest = report.api.top[0]
    assert body["top_api_calls"][0]["identifier"] == slowest.api
    assert body["top_api_calls"][0]["duration_ms"] == round(slowest.duration_s * 1000)
    assert body["top_sql_statements"][0]["identifier"] == report.sql.top[0].table
    assert sum(p["api_count"] for p in body["time_series"]) == report.api.calls
    assert body["distribution"]["by_type"] == report.general.lines
    assert body["report"]["api"] == report.api.model_dump(mode="json")
    # cached in Redis for 5 minutes under the documented key
    key = gateway.resources.status.keys.cache(
        seeded.caller.tenant_id, "dashboard", str(seeded.job_id)
    )
    ttl = await gateway.resources.status.redis.ttl(key)
    assert 0 < ttl <= 300


@pytest.mark.parametrize(
    ("path", "pick"),
    [
        ("general", lambda r: r["general"]),
        ("gaps", lambda r: r["gaps"]),
        ("api", lambda r: r["api"]),
        ("sql", lambda r: r["sql"]),
        ("escalations", lambda r: r["escl"]),
        ("filters", lambda r: r["fltr"]),
        (
            "aggregates",
            lambda r: {
                "api": r["api"]["aggregates"],
                "sql": r["sql"]["aggregates"],
                "escalations": r["escl"]["aggregates"],
            },
        ),
        ("threads", lambda r: {"api": r["api"]["thread_stats"], "sql": r["sql"]["thread_stats"]}),
        ("queued-calls", lambda r: {"queued_api_calls": r["api"]["top_queued"]}),
        ("delayed-escalations", lambda r: {"delayed": r["escl"]["delayed"]}),
        ("logging-activity", lambda r: {"activity": r["general"]["activity"]}),
        ("file-metadata", lambda r: {"files": r["general"]["files"]}),
    ],
)
async def test_every_section_has_its_endpoint(seeded: Seeded, path: str, pick: Any) -> None:
    expected = pick(seeded.report.model_dump(mode="json"))
    assert await seeded.get(f"/dashboard/{path}") == expected


async def test_exceptions_section(seeded: Seeded) -> None:
    body = await seeded.get("/dashboard/exceptions")
    assert body["api_errors"] == seeded.report.model_dump(mode="json")["api"]["errors"]
    assert set(body) == {
        "api_errors",
        "api_exceptions",
        "sql_errors",
        "sql_exceptions",
        "escalation_errors",
        "escalation_exceptions",
    }


async def test_insights(seeded: Seeded) -> None:
    series = await seeded.get("/dashboard/timeseries", bucket_s=60)
    api = [p for p in series if p["log_type"] == "API"]
    assert sum(p["count"] for p in api) == seeded.report.api.calls
    assert all(p["p50_ms"] <= p["p95_ms"] <= p["p99_ms"] <= p["max_ms"] for p in series)
    forms = await seeded.get("/dashboard/percentiles", by="form", top=3)
    assert len(forms) == 3
    assert forms[0]["total_ms"] >= forms[1]["total_ms"]
    fingerprints = await seeded.get("/dashboard/sql-fingerprints", top=5)
    assert fingerprints
    assert sum(f["count"] for f in fingerprints) <= seeded.report.sql.statements
    errors = await seeded.get("/dashboard/errors-by-code")
    assert all(group["count"] > 0 for group in errors)
    again = await seeded.get("/dashboard/percentiles", by="form", top=3)
    assert again == forms
    bad = await seeded.caller.client.get(f"{seeded.base}/dashboard/percentiles?by=nope")
    assert bad.status_code == 422


async def test_dashboard_of_an_unfinished_job_is_409(alice: Caller) -> None:
    file = await upload(alice.client)
    job = (await alice.client.post("/analysis", json={"file_id": file["id"]})).json()
    response = await alice.client.get(f"/analysis/{job['id']}/dashboard")
    assert response.status_code == 409
    assert response.json() == {
        "code": "job_not_complete",
        "message": "the job is queued: its dashboard exists once it is complete",
        "details": {"status": "queued"},
    }


async def test_reports_use_the_cli_renderers(seeded: Seeded) -> None:
    client = seeded.caller.client
    text = await client.get(f"{seeded.base}/report", params={"format": "text"})
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    job = await seeded.get("")
    took = datetime.fromisoformat(job["completed_at"]) - datetime.fromisoformat(job["started_at"])
    # the reference's last line, "Duration:", is the job's processing time
    assert text.text == render_text(seeded.report, duration_s=took.total_seconds())
    assert took.total_seconds() > 0  # so the line differs from a report without it
    assert "attachment" in text.headers["content-disposition"]
    html = await client.get(f"{seeded.base}/report", params={"format": "html", "download": False})
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.lstrip().lower().startswith("<!doctype html")
    assert html.headers["content-disposition"].startswith("inline")
    as_json = await client.get(f"{seeded.base}/report", params={"format": "json"})
    loaded = Report.model_validate(as_json.json())
    assert loaded.general == seeded.report.general
    assert loaded.api == seeded.report.api
