"""Reading the API and SQL sections (and the aggregate tables) of a reference text report."""

from __future__ import annotations

from typing import Any

from remedyiq_analysis.render.refparse_tables import (
    Block,
    common,
    integer,
    read_table,
    rows,
    seconds,
    stamp,
)
from remedyiq_analysis.render.text_calls import SQL_OPEN

Row = dict[str, str]
Obj = dict[str, Any]


def _api_call(row: Row) -> Obj:
    line = next(n for n in ("First Line#", "Line#", "End Line#") if n in row)
    return common(row, line) | {
        "end_line": integer(row.get("Last Line#", row.get("End Line#", ""))),
        "queue": row["Queue"],
        "thread": "",
        "user": row.get("User", ""),
        "api": row["API"],
        "form": row["Form"],
        "client": "",
        "client_ip": "",
        "start": stamp(row["Start Time"]),
        "duration_s": seconds(row.get("Run Time", "")),
        "queue_s": seconds(row.get("Q Time", "")),
        "success": row.get("Success") == "true",
        "error": row.get("Error Message", ""),
    }


def _statement(row: Row) -> Obj:
    return common(row, "Line#") | {
        "end_line": 0,
        "queue": row.get("Queue", ""),
        "thread": "",
        "user": row.get("User", ""),
        "table": row.get("Table", ""),
        "action": row.get("SQL", ""),
        "start": stamp(row.get("Start Time", "")) or "",
        "duration_s": seconds(row.get("Run Time", "")),
        "success": row.get("Success") == "true",
        "statement": row.get("SQL Statement", ""),
        "error": row.get("Error Message", ""),
    }


def _aggregate_row(row: Row, key_label: str) -> Obj:
    total = integer(row["Count" if key_label == "Escalation" else "Total"])
    ok = total if key_label == "Escalation" else integer(row["OK"])
    return {
        "key": row[key_label],
        "ok": ok,
        "fail": total - ok,
        "total": total,
        **{f"{m.lower()}_s": seconds(row[f"{m} Time"]) for m in ("MIN", "MAX", "AVG", "SUM")},
        **{f"{m.lower()}_line": integer(row[f"{m} Line"]) for m in ("MIN", "MAX")},
        **{f"{m.lower()}_file": integer(row.get(f"{m} File", "")) for m in ("MIN", "MAX")},
    }


def _aggregates(block: Block) -> Obj:
    key_label = block.title.split()[1]  # ### KEY CALL AGGREGATES grouped by G sorted by …
    grouping = block.title.split(" grouped by ")[1].split(" sorted by ")[0]
    table = read_table(block.lines)
    groups: list[Obj] = []
    pending: list[Obj] = []
    value, new_group = "", True
    for row in table.dicts():
        marks = {c for c in row.values() if c}
        if not marks:
            new_group = True
        elif all(set(m) <= {"-"} for m in marks) or all(set(m) <= {"="} for m in marks):
            continue
        elif row[key_label]:
            value = row[grouping] if new_group else value
            new_group = False
            pending.append(_aggregate_row(row, key_label))
        elif pending:  # a subtotal line closes the group (the grand total has none pending)
            ok, fail = sum(r["ok"] for r in pending), sum(r["fail"] for r in pending)
            sum_s = seconds(row["SUM Time"])
            groups.append(
                {"value": value, "rows": pending, "ok": ok, "fail": fail, "total": ok + fail}
                | {"sum_s": sum_s}
            )
            pending = []
    ok, fail = sum(g["ok"] for g in groups), sum(g["fail"] for g in groups)
    return {"grouping": grouping, "key_label": key_label, "groups": groups, "ok": ok} | {
        "fail": fail,
        "total": ok + fail,
        "sum_s": sum(g["sum_s"] for g in groups),
    }


def _threads(rows: list[Row]) -> list[Obj]:
    out, queue = [], ""
    for row in rows:
        queue = row["Queue"] or queue
        out.append(
            {
                "queue": queue,
                "thread": row["Thread"],
                "first_time": stamp(row["First Thread Time"]),
                "last_time": stamp(row["Last Thread Time"]),
                "count": integer(row["Count"]),
                "queued": integer(row.get("Q Count", "")),
                "queue_s": seconds(row.get("Q Time", "")),
                "total_s": seconds(row["Total Time"]),
                "busy_pct": float(row["Busy%"].rstrip("%")),
            }
        )
    return out


def _exceptions(block: Block | None) -> list[tuple[Row, str]]:
    """Exception rows as (Line# and ID cells, the rest): the SQL message overflows its column."""
    if block is None or len(block.lines) < 2:
        return []
    cut = [i for i, ch in enumerate(block.lines[1]) if ch == " "][1]
    table = read_table([line[:cut] for line in block.lines])
    return list(zip(table.dicts(), (line[cut + 1 :] for line in block.lines[2:]), strict=True))


def aggregates_of(blocks: dict[str, Block], prefix: str) -> list[Obj]:
    return [_aggregates(b) for title, b in blocks.items() if title.startswith(prefix)]


def api_section(blocks: dict[str, Block]) -> Obj:
    legend_block = blocks.get("### API Call Abbreviation Legend")
    legend = {}
    for line in legend_block.lines if legend_block else []:
        abbreviation, _, name = line.partition(" = ")
        legend[abbreviation.strip()] = name
    exceptions = []
    for row, rest in _exceptions(blocks.get("### API EXCEPTION REPORT")):
        api, message = rest.split(maxsplit=1)
        kind = "start_without_end" if "Start of API" in message else "end_without_start"
        exceptions.append(common(row, "Line#") | {"api": api, "kind": kind, "message": message})
    aggs = aggregates_of(blocks, "### API CALL AGGREGATES")
    errors = [_api_call(r) for r in rows(blocks, "### API CALLS THAT ERRORED OUT")]
    queued = [_api_call(r) for r in rows(blocks, "### N LONGEST QUEUED INDIVIDUAL API CALLS")]
    calls = aggs[0]["total"] if aggs else 0
    return {
        "calls": calls,
        "ok": calls - len(errors),
        "failed": len(errors),
        "queued": len(queued),
        "sub_calls": 0,
        "legend": legend,
        "top": [_api_call(r) for r in rows(blocks, "### N LONGEST RUNNING INDIVIDUAL API CALLS")],
        "top_queued": queued,
        "aggregates": aggs,
        "thread_stats": _threads(rows(blocks, "### API THREAD STATISTICS BY QUEUE")),
        "errors": errors,
        "exceptions": exceptions,
    }


def sql_section(blocks: dict[str, Block]) -> Obj:
    exceptions = []
    for row, rest in _exceptions(blocks.get("### SQL EXCEPTION REPORT")):
        message = SQL_OPEN if rest.startswith(SQL_OPEN) else rest.split("  ")[0]
        statement = rest[len(message) :].strip()
        exceptions.append(_statement(row) | {"statement": statement, "error": message})
    aggs = aggregates_of(blocks, "### SQL CALL AGGREGATES")
    errors = [_statement(r) for r in rows(blocks, "### SQL CALLS THAT ERRORED OUT")]
    total = aggs[0]["total"] if aggs else 0
    top = rows(blocks, "### N LONGEST RUNNING INDIVIDUAL SQL CALLS")
    return {
        "statements": total,
        "ok": total - len(errors),
        "failed": len(errors),
        "top": [_statement(r) for r in top],
        "aggregates": aggs,
        "thread_stats": _threads(rows(blocks, "### SQL THREAD STATISTICS BY QUEUE")),
        "errors": errors,
        "exceptions": exceptions,
    }
