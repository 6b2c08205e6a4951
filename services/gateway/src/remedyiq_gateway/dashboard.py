"""Dashboards from the job's durable result (PostgreSQL), cached in Redis for 5 minutes.

The report is validated once when it leaves PostgreSQL and cached as JSON under
``cache:{tenant}:dashboard:{job}``; every dashboard endpoint reads that one entry and picks its
section, so a warm dashboard costs one Redis GET and a JSON parse. A month-old job still has its
dashboard: the cache is only a cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from remedyiq_analysis.report import Report
from remedyiq_gateway.deps import Resources
from remedyiq_gateway.errors import ApiError, not_found
from remedyiq_gateway.jobview import log_duration
from remedyiq_platform.stores import jobs_repo, results_repo

Json = dict[str, Any]


def cache_name(job_id: UUID, *extra: str) -> tuple[str, ...]:
    return ("dashboard", str(job_id), *extra)


async def report_json(resources: Resources, tenant: UUID, job_id: UUID, ttl_s: float) -> Json:
    """The job's report (as JSON data): from the cache, else from PostgreSQL (then cached)."""
    cached = await resources.status.cache_get(tenant, cache_name(job_id))
    if cached is not None:
        data: Json = json.loads(cached)
        return data
    async with resources.db.tenant(tenant, readonly=True) as conn:
        result = await results_repo.get_result(conn, job_id)
        job = await jobs_repo.get_job(conn, job_id) if result is None else None
    if result is None:
        if job is None:
            raise not_found("job", job_id)
        if job.status.value != "complete":
            raise ApiError(
                409,
                "job_not_complete",
                f"the job is {job.status.value}: its dashboard exists once it is complete",
                {"status": job.status.value},
            )
        raise ApiError(404, "result_missing", "the job is complete but has no stored result")
    text = Report.model_validate(result.report).model_dump_json()
    await resources.status.cache_set(tenant, cache_name(job_id), text.encode(), ttl_s=ttl_s)
    loaded: Json = json.loads(text)
    return loaded


def zulu(time: str | None) -> str | None:
    """The report's UTC wall-clock time as RFC 3339 (the MVP's ``date-time``)."""
    return f"{time}Z" if time and not time.endswith("Z") else time


def _ms(seconds: float | None) -> int:
    return round((seconds or 0.0) * 1000)


def general_stats(report: Json) -> Json:
    general = report["general"]
    lines = general["lines"]
    start, end = general.get("start_time"), general.get("end_time")
    duration = (
        log_duration(datetime.fromisoformat(start), datetime.fromisoformat(end))
        if start and end
        else None
    )
    return {
        "total_lines": general["total_lines"],
        "api_count": lines.get("API", 0),
        "sql_count": lines.get("SQL", 0),
        "filter_count": lines.get("FLTR", 0),
        "esc_count": lines.get("ESCL", 0),
        "unique_users": general["user_count"],
        "unique_forms": general["form_count"],
        "unique_tables": general["table_count"],
        "log_start": zulu(start),
        "log_end": zulu(end),
        "log_duration": duration,
    }


def _top(items: Iterable[Mapping[str, Any]], top_n: int, kind: str) -> list[Json]:
    out = []
    for rank, item in enumerate(items, 1):
        if rank > top_n:
            break
        entry: Json = {
            "rank": rank,
            "line_number": item["line"],
            "file_number": item["file"],
            "timestamp": zulu(item.get("start")),
            "trace_id": item.get("trace_id", ""),
            "rpc_id": item.get("rpc_id", ""),
            "queue": item.get("queue", ""),
            "form": item.get("form"),
            "user": item.get("user"),
            "duration_ms": _ms(item.get("duration_s")),
            "queue_time_ms": _ms(item["queue_s"]) if "queue_s" in item else None,
            "success": item.get("success", not item.get("error") if kind == "escl" else True),
        }
        if kind == "api":
            entry |= {"identifier": item["api"], "details": item.get("error", "")}
        elif kind == "sql":
            entry |= {"identifier": item["table"], "details": item.get("statement", "")}
        elif kind == "fltr":
            entry |= {"identifier": item["filter"], "details": ""}
        else:
            entry |= {
                "identifier": item["escalation"],
                "queue": item.get("pool", ""),
                "details": "error" if item.get("error") else "",
            }
        out.append(entry)
    return out


def time_series(report: Json) -> list[Json]:
    """Per-minute points from the report's timeline (empty when the report has none)."""
    points: dict[str, Json] = {}
    fields = {"API": "api_count", "SQL": "sql_count", "FLTR": "filter_count", "ESCL": "esc_count"}
    for point in report.get("timeline") or ():
        minute = zulu(point["minute"]) or point["minute"]
        row = points.setdefault(
            minute,
            {
                "timestamp": minute,
                "api_count": 0,
                "sql_count": 0,
                "filter_count": 0,
                "esc_count": 0,
                "avg_duration_ms": None,
                "error_count": 0,
                "p50_duration_ms": None,
                "p95_duration_ms": None,
            },
        )
        if point["log_type"] in fields:
            row[fields[point["log_type"]]] += point["count"]
        row["error_count"] += point["errors"]
        row["p50_duration_ms"] = max(row["p50_duration_ms"] or 0.0, point["p50_s"] * 1000)
        row["p95_duration_ms"] = max(row["p95_duration_ms"] or 0.0, point["p95_s"] * 1000)
    return [points[key] for key in sorted(points)]


def _totals(aggregates: Iterable[Mapping[str, Any]], grouping: str) -> dict[str, int]:
    for block in aggregates:
        if block["grouping"] == grouping:
            return {group["value"]: group["total"] for group in block["groups"]}
    return {}


def distribution(report: Json) -> Json:
    by_queue: dict[str, int] = {}
    for stat in report["api"]["thread_stats"]:
        by_queue[stat["queue"]] = by_queue.get(stat["queue"], 0) + stat["count"]
    return {
        "by_type": dict(report["general"]["lines"]),
        "by_queue": by_queue,
        "by_form": _totals(report["api"]["aggregates"], "Form"),
        "by_table": _totals(report["sql"]["aggregates"], "Table"),
    }


def dashboard(job_id: UUID, report: Json, top_n: int) -> Json:
    """The combined dashboard: the MVP ``DashboardData`` fields and the whole report."""
    return {
        "job_id": str(job_id),
        "general_stats": general_stats(report),
        "top_api_calls": _top(report["api"]["top"], top_n, "api"),
        "top_sql_statements": _top(report["sql"]["top"], top_n, "sql"),
        "top_filters": _top(report["fltr"]["top"], top_n, "fltr"),
        "top_escalations": _top(report["escl"]["top"], top_n, "escl"),
        "time_series": time_series(report),
        "distribution": distribution(report),
        "report": report,
    }


def section(report: Json, name: str) -> Json:
    """One of the grouped sections the per-section endpoints serve."""
    api, sql, escl, general = report["api"], report["sql"], report["escl"], report["general"]
    views: dict[str, Any] = {
        "aggregates": lambda: {
            "api": api["aggregates"],
            "sql": sql["aggregates"],
            "escalations": escl["aggregates"],
        },
        "exceptions": lambda: {
            "api_errors": api["errors"],
            "api_exceptions": api["exceptions"],
            "sql_errors": sql["errors"],
            "sql_exceptions": sql["exceptions"],
            "escalation_errors": escl["errors"],
            "escalation_exceptions": escl["exceptions"],
        },
        "threads": lambda: {"api": api["thread_stats"], "sql": sql["thread_stats"]},
        "queued-calls": lambda: {"queued_api_calls": api["top_queued"]},
        "delayed-escalations": lambda: {"delayed": escl["delayed"]},
        "logging-activity": lambda: {"activity": general["activity"]},
        "file-metadata": lambda: {"files": general["files"]},
    }
    built: Json = views[name]()
    return built
