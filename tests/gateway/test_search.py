"""KQL search (paging, filters, cache, history, errors, injection), histogram, facets, export,
autocomplete, tenant-wide search, entries with context, transactions and traces — on one
finished job, through HTTP."""

from __future__ import annotations

import csv
import io
import json
from uuid import UUID

import pytest

from .conftest import Caller
from .seed import parse_fixture
from .seeded import LOG, Seeded

# -- search -------------------------------------------------------------------------------


async def test_search_pages_with_cursors(seeded: Seeded) -> None:
    api = seeded.report.api.calls
    first = await seeded.get("/search", q="type:API", page_size=100, sort="duration_ms")
    assert first["total_count"] >= api
    assert all(e["log_type"] == "API" for e in first["entries"])
    durations = [e["duration_ms"] for e in first["entries"]]
    assert durations == sorted(durations, reverse=True)
    seen = [e["entry_id"] for e in first["entries"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await seeded.get(
            "/search", q="type:API", page_size=100, sort="duration_ms", cursor=cursor
        )
        seen += [e["entry_id"] for e in page["entries"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total_count"]
    second = await seeded.get("/search", q="type:API", page_size=100, sort="duration_ms", page=2)
    assert [e["entry_id"] for e in second["entries"]] == seen[100:200]


async def test_search_filters_time_range_facets_cache_and_history(seeded: Seeded) -> None:
    user = "Jürgen Müller"
    body = await seeded.get("/search", q=f'user:"{user}" and type:SQL', facets="true")
    assert body["entries"]
    assert {e["user"] for e in body["entries"]} == {user}
    assert body["facets"]["users"] == {user: body["total_count"]}
    assert set(body["facets"]["types"]) == {"SQL"}
    assert body["cached"] is False
    again = await seeded.get("/search", q=f'user:"{user}" and type:SQL', facets="true")
    assert again["cached"] is True
    assert again["entries"] == body["entries"]
    start = body["entries"][-1]["timestamp_ms"]
    ranged = await seeded.get(
        "/search", q=f'user:"{user}" and type:SQL', start=str(start), order="asc"
    )
    assert all(e["timestamp_ms"] >= start for e in ranged["entries"])
    history = (await seeded.caller.client.get("/search/history")).json()["searches"]
    assert history[0]["q"] == f'user:"{user}" and type:SQL'
    assert history[0]["job_ids"] == [str(seeded.job_id)]


@pytest.mark.parametrize(
    ("query", "code", "start"),
    [
        ("type:API and (user:Demo", "syntax", 23),
        ("usr:Demo", "unknown_field", 0),
        ("duration >= fast", "bad_value", 12),
    ],
)
async def test_kql_errors_are_400_with_position(
    seeded: Seeded, query: str, code: str, start: int
) -> None:
    response = await seeded.caller.client.get(f"{seeded.base}/search", params={"q": query})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "invalid_query"
    assert body["details"]["code"] == code
    assert body["details"]["start"] == start
    if code == "unknown_field":
        assert "user" in body["details"]["valid"]
        assert body["details"]["did_you_mean"] == "user"


INJECTIONS = [
    'user:"x\' OR 1=1 --"',
    "'; DROP TABLE log_entries; --",
    "user:x) OR (1=1",
    "`tenant_id` = 'other'",
    "tenant_id:*",
    "job_id:*",
    'raw:"/* comment */ UNION SELECT * FROM system.tables"',
    'form:\\"HPD\\"',
    'sql:"SELECT 1; SELECT 2"',
    "user:{x}",
    "duration >= 1; DROP",
    "user:\\' OR 1=1",
    "not not not user:*",
    "a" * 5000,
    "(" * 200 + "x" + ")" * 200,
    "user:" + "\\u0000",
    "raw:%",
    "raw:_",
    "user:Dem%",
]


@pytest.mark.parametrize("query", INJECTIONS)
async def test_kql_injection_is_safe_or_400(seeded: Seeded, bob: Caller, query: str) -> None:
    response = await seeded.caller.client.get(f"{seeded.base}/search", params={"q": query})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        entries = response.json()["entries"]
        assert all(e["job_id"] == str(seeded.job_id) for e in entries)
    else:
        assert response.json()["code"] in ("invalid_query", "invalid_request")
    # another tenant reaches nothing of this job, whatever the query
    other = await bob.client.get(f"{seeded.base}/search", params={"q": query})
    assert other.status_code == 404
    # the table is intact
    total = await seeded.get("/search", q="", page_size=1)
    assert total["total_count"] == len(parse_fixture(LOG).rows)


async def test_histogram_facets_and_export(seeded: Seeded) -> None:
    hits = await seeded.get("/search", q="type:API", page_size=1)
    buckets = await seeded.get("/search/histogram", q="type:API", buckets=20)
    assert len(buckets) <= 21
    assert sum(b["total"] for b in buckets) == hits["total_count"]
    facets = await seeded.get("/search/facets", q="type:API", field=["user", "form"], top=3)
    assert set(facets) == {"user", "form"}
    assert len(facets["user"]) == 3
    exported = await seeded.caller.client.get(
        f"{seeded.base}/search/export", params={"q": "type:API", "format": "csv"}
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == hits["total_count"]
    assert {row["log_type"] for row in rows} == {"API"}
    lines = await seeded.caller.client.get(
        f"{seeded.base}/search/export", params={"q": "type:API", "format": "jsonl"}
    )
    parsed = [json.loads(line) for line in lines.text.splitlines()]
    assert [p["entry_id"] for p in parsed] == [r["entry_id"] for r in rows]
    bad = await seeded.caller.client.get(f"{seeded.base}/search/export", params={"q": "x:("})
    assert bad.status_code == 400


async def test_autocomplete(seeded: Seeded) -> None:
    client = seeded.caller.client
    fields = (await client.get("/search/autocomplete", params={"prefix": "us"})).json()
    assert fields["suggestions"][0] == {
        "field": "user",
        "value": None,
        "count": None,
        "text": "user",
        "kind": "field",
        "detail": fields["suggestions"][0]["detail"],
        "start": 0,
        "end": 2,
    }
    values = (
        await client.get(
            "/search/autocomplete", params={"prefix": "user:J", "job_id": str(seeded.job_id)}
        )
    ).json()
    assert '"Jürgen Müller"' in [s["text"] for s in values["suggestions"]]
    assert values["field"] == "user"


async def test_tenant_wide_search(seeded: Seeded) -> None:
    client = seeded.caller.client
    body = (await client.get("/search", params={"q": "type:API", "page_size": 5})).json()
    assert {e["job_id"] for e in body["entries"]} == {str(seeded.job_id)}
    listed = await client.get(
        "/search", params={"q": "type:API", "job_id": str(seeded.job_id), "page_size": 5}
    )
    assert listed.json()["entries"] == body["entries"]
    other = await client.get("/search", params={"job_id": str(UUID(int=5))})
    assert other.status_code == 404


# -- entries, context, transactions, traces --------------------------------------------------


async def test_entry_and_its_context_from_the_file(seeded: Seeded) -> None:
    hit = (await seeded.get("/search", q="type:API and status:false", page_size=1))["entries"][0]
    entry = await seeded.get(f"/entries/{hit['entry_id']}")
    assert entry["entry_id"] == hit["entry_id"]
    assert entry["success"] is False
    context = await seeded.get(f"/entries/{hit['entry_id']}/context", before=3, after=2)
    lines = context["lines"]
    target = [line for line in lines if line["target"]]
    assert len(target) == 1
    assert target[0]["line"] == entry["line_number"]
    assert entry["raw_text"].startswith(target[0]["text"])
    assert [line["line"] for line in lines] == list(
        range(entry["line_number"] - 3, entry["line_number"] + 3)
    )
    original = LOG.read_bytes().split(b"\n")
    assert target[0]["text"] == original[entry["line_number"] - 1].decode().rstrip("\r")
    missing = await seeded.caller.client.get(f"{seeded.base}/entries/1:999999999")
    assert missing.status_code == 404
    malformed = await seeded.caller.client.get(f"{seeded.base}/entries/abc")
    assert malformed.status_code == 400


async def test_transactions_and_trace_waterfall(seeded: Seeded) -> None:
    page = await seeded.get("/transactions", limit=5)
    assert page["key_kind"] == "trace_id"
    assert len(page["rows"]) == 5
    slowest = page["rows"][0]
    assert slowest["duration_ms"] >= page["rows"][1]["duration_ms"]
    trace = await seeded.get(f"/trace/{slowest['trace_id']}")
    tree = trace["tree"]
    assert trace["trace_id"] == slowest["trace_id"]
    assert trace["entry_count"] == tree["span_count"] == len(trace["entries"])
    assert trace["total_duration_ms"] == tree["duration_ms"]
    breakdown = tree["breakdown"]
    parts = ("sql_ms", "filter_ms", "api_ms", "escalation_ms", "other_ms", "idle_ms")
    assert sum(breakdown[p] for p in parts) == breakdown["total_ms"]
    assert any(entry["critical"] for entry in trace["entries"])
    export = await seeded.caller.client.get(f"{seeded.base}/trace/{slowest['trace_id']}/export")
    assert export.json() == tree
    assert "attachment" in export.headers["content-disposition"]
    by_thread = await seeded.get(f"/threads/{slowest['thread_id']}/rpc/{slowest['rpc_id']}/trace")
    assert by_thread["tree"]["key_kind"] == "thread_rpc"
    missing = await seeded.caller.client.get(f"{seeded.base}/trace/no-such-trace")
    assert missing.status_code == 404
