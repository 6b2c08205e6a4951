"""The HTML report's gap, API and SQL sections (every table of the reference, readable).

Unlike the text report (which mirrors the reference), the HTML tables show real first line
numbers, the fields the reference leaves out (thread, user, client), failure rates, and explicit
"none" instead of the reference's placeholders (see also :mod:`.html_escl_fltr`).
"""

from __future__ import annotations

from collections.abc import Sequence

from remedyiq_analysis.render.fmt import duration, percent
from remedyiq_analysis.render.html_tables import Cell, Col, Doc, id_col, ident, num, when, wide
from remedyiq_analysis.report import (
    Aggregates,
    ApiCall,
    Gap,
    Report,
    SqlStatement,
    ThreadStat,
)


def gaps(doc: Doc, report: Report) -> str:
    def rows(items: Sequence[Gap]) -> list[list[Cell]]:
        return [
            [
                duration(g.gap_s),
                g.line,
                g.file,
                g.queue,
                g.thread,
                when(g.time),
                ident(report, g.trace_id, g.rpc_id),
                g.details,
            ]
            for g in items
        ]

    cols = [num("Gap"), num("Line"), num("File"), Col("Queue"), Col("Thread"), Col("Time")]
    cols += [id_col(report), wide("Details")]
    return (
        doc.section("gaps", "Gap analysis")
        + doc.table(
            "Longest line gaps", cols, rows(report.gaps.line),
            note="Silences: time since the previous record of the same file.",
        )
        + doc.table(
            "Longest thread gaps", cols, rows(report.gaps.thread),
            note="Time since the previous record on the same thread (Fast and List queues).",
        )
    )  # fmt: skip


def _call_rows(report: Report, calls: Sequence[ApiCall]) -> list[list[Cell]]:
    return [
        [
            duration(c.duration_s),
            duration(c.queue_s),
            c.api,
            c.form,
            c.queue,
            c.thread,
            c.user,
            c.client,
            c.client_ip,
            when(c.start),
            "yes" if c.success else "no",
            c.line,
            c.end_line,
            c.file,
            ident(report, c.trace_id, c.rpc_id),
        ]
        for c in calls
    ]


_CALL_COLS = [num("Run time"), num("Queue time"), Col("API"), Col("Form"), Col("Queue")]
_CALL_COLS += [Col("Thread"), Col("User"), Col("Client"), Col("Client IP"), Col("Start")]
_CALL_COLS += [Col("OK"), num("Line"), num("End line"), num("File")]


def aggregates_table(doc: Doc, agg: Aggregates) -> str:
    rows: list[list[Cell]] = []
    starts: list[int] = []
    for group in agg.groups:
        starts.append(len(rows))
        for r in group.rows:
            fail_pct = f"{100 * r.fail / r.total:.1f}%" if r.fail and r.total else ""
            rows.append(
                [
                    group.value,
                    r.key,
                    r.ok,
                    r.fail,
                    r.total,
                    fail_pct,
                    duration(r.min_s),
                    duration(r.max_s),
                    duration(r.avg_s),
                    duration(r.sum_s),
                    r.min_line,
                    r.max_line,
                ]
            )
    cols = [Col(agg.grouping), Col(agg.key_label), num("OK"), num("Fail"), num("Total")]
    cols += [num("Fail %"), num("Min"), num("Max"), num("Avg"), num("Sum")]
    cols += [num("Min line"), num("Max line")]
    foot: list[Cell] = ["All", "", agg.ok, agg.fail, agg.total, "", "", "", ""]
    foot += [duration(agg.sum_s), "", ""]
    return doc.table(
        f"{agg.key_label} aggregates by {agg.grouping}", cols, rows, foot=foot, group_starts=starts
    )


def threads_table(doc: Doc, title: str, stats: Sequence[ThreadStat], *, queued: bool) -> str:
    rows: list[list[Cell]] = []
    for s in stats:
        row: list[Cell] = [s.queue, s.thread, when(s.first_time), when(s.last_time), s.count]
        if queued:
            row += [s.queued, duration(s.queue_s, 1)]
        rows.append([*row, duration(s.total_s), percent(s.busy_pct)])
    cols = [Col("Queue"), Col("Thread"), Col("First call"), Col("Last call"), num("Count")]
    cols += [num("Queued"), num("Queue time")] if queued else []
    cols += [num("Busy time"), num("Busy %")]
    return doc.table(title, cols, rows, note="Busy % is busy time over the whole log's span.")


def api(doc: Doc, report: Report) -> str:
    section, id_column = report.api, id_col(report)
    legend: list[list[Cell]] = [[k, section.legend[k]] for k in sorted(section.legend)]
    exc: list[list[Cell]] = [
        [e.line, e.api, e.message, e.file, ident(report, e.trace_id, e.rpc_id)]
        for e in section.exceptions
    ]
    errors: list[list[Cell]] = [
        [
            c.end_line,
            duration(c.duration_s),
            c.api,
            c.form,
            c.queue,
            c.user,
            when(c.start),
            c.error,
            ident(report, c.trace_id, c.rpc_id),
        ]
        for c in section.errors
    ]
    error_cols = [num("End line"), num("Run time"), Col("API"), Col("Form"), Col("Queue")]
    error_cols += [Col("User"), Col("Start"), wide("Error"), id_column]
    parts = [
        doc.section("api", "API calls"),
        doc.table("Longest API calls", [*_CALL_COLS, id_column], _call_rows(report, section.top)),
        doc.table(
            "Longest queued API calls", [*_CALL_COLS, id_column],
            _call_rows(report, section.top_queued),
            note="Calls that waited in their queue (:q: > 0) before a thread took them.",
        ),
        *(aggregates_table(doc, agg) for agg in section.aggregates),
        threads_table(doc, "API threads by queue", section.thread_stats, queued=True),
        doc.table("API calls that failed", error_cols, errors),
        doc.table(
            "API exceptions", [num("Line"), Col("API"), Col("Message"), num("File"), id_column], exc
        ),
        doc.table("API abbreviations", [Col("Abbreviation"), Col("Call")], legend),
    ]  # fmt: skip
    return "".join(parts)


def _statement_rows(report: Report, items: Sequence[SqlStatement]) -> list[list[Cell]]:
    return [
        [
            duration(s.duration_s),
            s.action,
            s.table,
            s.queue,
            s.thread,
            s.user,
            when(s.start),
            "yes" if s.success else "no",
            s.line,
            s.file,
            ident(report, s.trace_id, s.rpc_id),
            s.statement,
            s.error,
        ]
        for s in items
    ]


def sql(doc: Doc, report: Report) -> str:
    section = report.sql
    cols = [num("Run time"), Col("Action"), Col("Table"), Col("Queue"), Col("Thread")]
    cols += [Col("User"), Col("Start"), Col("OK"), num("Line"), num("File"), id_col(report)]
    cols += [wide("Statement"), wide("Error")]
    return "".join(
        [
            doc.section("sql", "SQL statements"),
            doc.table("Longest SQL statements", cols, _statement_rows(report, section.top)),
            *(aggregates_table(doc, agg) for agg in section.aggregates),
            threads_table(doc, "SQL threads by queue", section.thread_stats, queued=False),
            doc.table("SQL statements that failed", cols, _statement_rows(report, section.errors)),
            doc.table(
                "SQL statements never ended", cols, _statement_rows(report, section.exceptions)
            ),
        ]
    )
