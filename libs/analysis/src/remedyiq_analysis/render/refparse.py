"""Read a reference (ARLogAnalyzer 3.x) text report back into a :class:`Report`.

For parity checks (``render_text(parse_reference_text(t))`` reproduces ``t`` from ``Start Time:``
on) and to import reports made with the reference. Only what the text shows is recovered:
counts the text does not print are 0, fields it does not print are empty, ``line`` equals the
printed ``ref_line``, and thread-statistics queue times keep their one printed decimal.
"""

from __future__ import annotations

from typing import Any

from remedyiq_analysis.render.refparse_sections import aggregates_of, api_section, sql_section
from remedyiq_analysis.render.refparse_tables import (
    Block,
    common,
    integer,
    options,
    rows,
    seconds,
    split_blocks,
    stamp,
    statistics,
)
from remedyiq_analysis.report import Report

Row = dict[str, str]
Obj = dict[str, Any]


def _run(row: Row) -> Obj:
    return common(row, "Line#") | {
        "pool": row.get("Pool", ""),
        "escalation": row["Escalation"],
        "form": row["Form"],
        "start": stamp(row["Start Time"]),
        "duration_s": seconds(row.get("Run Time", "")),
        "error": row.get("Error") == "true",
        "reconstructed": False,
    }


def _delayed(row: Row) -> Obj:
    previous = row["Previous Escalation"]
    return common(row, "Line#") | {
        "escalation": row["Escalation"],
        "pool": row["Pool"],
        "form": row["Form"],
        "scheduled_time": stamp(row["Scheduled Time"]),
        "start": stamp(row["Start Time"]),
        "delay_s": seconds(row["Delay"]),
        "previous_escalation": None if previous == "null" else previous,
        "previous_end": None if previous == "null" else stamp(row["Previous Esc End Time"]),
    }


def _escl(blocks: dict[str, Block]) -> Obj:
    aggs = aggregates_of(blocks, "### Escalation CALL AGGREGATES")
    errors = [_run(r) for r in rows(blocks, "### ESC CALLS THAT ERRORED OUT")]
    top = rows(blocks, "### N LONGEST RUNNING INDIVIDUAL ESCALATION CALLS")
    return {
        "runs": aggs[0]["total"] if aggs else 0,
        "failed": len(errors),
        "top": [_run(r) for r in top],
        "delayed": [_delayed(r) for r in rows(blocks, "### ESC CALLS THAT GOT DELAYED")],
        "aggregates": aggs,
        "errors": errors,
        "exceptions": [],
    }


def _transaction(row: Row) -> Obj:
    fps = row.get("Filters/sec", "NaN")
    return common(row, "Line#") | {
        "filter_count": integer(row.get("Filter Count", "")),
        "checks": 0,
        "max_level": integer(row.get("Filter Level", "")),
        "operation": row["Operation"],
        "form": row["Form"],
        "request_id": row["Request ID"],
        "ms_per_filter": None if fps == "NaN" else float(fps),
        "filters_per_s": None,
    }


def _fltr(blocks: dict[str, Block]) -> Obj:
    top = [
        common(r, "First Line#")
        | {"end_line": integer(r["Last Line#"]), "queue": r["Queue"], "thread": ""}
        | {"filter": r["Filter"], "start": stamp(r["Start Time"])}
        | {"duration_s": seconds(r["Run Time"])}
        for r in rows(blocks, "### N LONGEST RUNNING INDIVIDUAL FLTR")
    ]
    counts = [
        {"filter": r["Filter"], "passed": integer(r["Pass Count"])}
        | {"failed": integer(r["Fail Count"])}
        for r in rows(blocks, "### N MOST EXECUTED FLTR")
    ]
    pairs = [
        common(r, "Line#")
        | {"filter": r["Filter"], "passed": integer(r["Pass Count"])}
        | {"failed": integer(r["Fail Count"])}
        for r in rows(blocks, "### N MOST EXECUTED FLTR PER TRANSACTION")
    ]
    most = rows(blocks, "### N MOST FILTERS PER TRANSACTION")
    levels = rows(blocks, "### N MOST FILTER LEVELS IN TRANSACTIONS")
    return {
        "transactions": 0,
        "checks": 0,
        "passed": sum(c["passed"] for c in counts),
        "failed": sum(c["failed"] for c in counts),
        "failed_with_else": 0,
        "top": top,
        "most_executed": counts,
        "most_filters": [_transaction(r) for r in most],
        "most_executed_per_transaction": pairs,
        "most_levels": [_transaction(r) for r in levels],
    }


def _gaps(blocks: dict[str, Block], title: str, label: str) -> list[Obj]:
    return [
        common(r, "Line#")
        | {"gap_s": seconds(r[label]), "thread": "", "queue": "", "time": stamp(r["Date/Time"])}
        | {"details": r["Details"]}
        for r in rows(blocks, title)
    ]


def parse_reference_text(text: str) -> Report:
    """Build a :class:`Report` from a reference text report (see the module docstring)."""
    lines = text.splitlines()
    blocks = {b.title: b for b in split_blocks(lines)}
    general = statistics(lines)
    general["lines"]["FLTR"] = int("### N LONGEST RUNNING INDIVIDUAL FLTR" in blocks)
    gap_header = blocks["### N LONGEST LINE GAPS"].lines[0].split()
    return Report.model_validate(
        {
            "has_trace_ids": "TrID" in gap_header,
            "options": options(lines),
            "general": general,
            "gaps": {
                "line": _gaps(blocks, "### N LONGEST LINE GAPS", "Line Gap"),
                "thread": _gaps(blocks, "### N LONGEST THREAD GAPS", "Thread Gap"),
            },
            "api": api_section(blocks),
            "sql": sql_section(blocks),
            "escl": _escl(blocks),
            "fltr": _fltr(blocks),
        }
    )
