"""The HTML report's escalation and filter sections.

A delayed escalation without predecessor shows "none" (the reference prints null and 1970), and
the filter rate is labelled for what it is: milliseconds per filter, next to true filters/s.
"""

from __future__ import annotations

from collections.abc import Sequence

from remedyiq_analysis.render.fmt import duration
from remedyiq_analysis.render.html_sections import aggregates_table
from remedyiq_analysis.render.html_tables import Cell, Col, Doc, id_col, ident, num, when
from remedyiq_analysis.report import EscRun, Report, Transaction


def _run_rows(report: Report, runs: Sequence[EscRun]) -> list[list[Cell]]:
    return [
        [
            duration(r.duration_s),
            r.escalation,
            r.form,
            r.pool,
            when(r.start),
            "yes" if r.error else "",
            "yes" if r.reconstructed else "",
            r.line,
            r.file,
            ident(report, r.trace_id, r.rpc_id),
        ]
        for r in runs
    ]


def escalations(doc: Doc, report: Report) -> str:
    section = report.escl
    cols = [num("Run time"), Col("Escalation"), Col("Form"), num("Pool"), Col("Start")]
    cols += [Col("Error"), Col("Rebuilt"), num("Line"), num("File"), id_col(report)]
    delayed: list[list[Cell]] = [
        [
            duration(d.delay_s),
            d.escalation,
            d.form,
            d.pool,
            when(d.scheduled_time),
            when(d.start),
            d.previous_escalation or "none",
            when(d.previous_end),
            d.line,
            ident(report, d.trace_id, d.rpc_id),
        ]
        for d in section.delayed
    ]
    delayed_cols = [num("Delay"), Col("Escalation"), Col("Form"), num("Pool"), Col("Scheduled")]
    delayed_cols += [Col("Started"), Col("Previous on pool"), Col("Previous ended"), num("Line")]
    delayed_cols += [id_col(report)]
    return "".join(
        [
            doc.section("escl", "Escalations"),
            doc.table("Longest escalation runs", cols, _run_rows(report, section.top)),
            doc.table(
                "Delayed escalations", delayed_cols, delayed,
                note="Started more than 5 s away from their scheduled time (early ones too).",
            ),
            *(aggregates_table(doc, agg) for agg in section.aggregates),
            doc.table("Escalations with errors", cols, _run_rows(report, section.errors)),
            doc.table("Escalations never completed", cols, _run_rows(report, section.exceptions)),
        ]
    )  # fmt: skip


def _transaction_rows(report: Report, items: Sequence[Transaction]) -> list[list[Cell]]:
    return [
        [
            t.filter_count,
            t.checks,
            t.max_level,
            t.operation,
            t.form,
            t.request_id,
            "" if t.ms_per_filter is None else f"{t.ms_per_filter:.2f}",
            "" if t.filters_per_s is None else f"{t.filters_per_s:.1f}",
            t.line,
            ident(report, t.trace_id, t.rpc_id),
        ]
        for t in items
    ]


def filters(doc: Doc, report: Report) -> str:
    section, id_column = report.fltr, id_col(report)
    runs: list[list[Cell]] = [
        [
            duration(r.duration_s),
            r.filter,
            r.queue,
            r.thread,
            when(r.start),
            r.line,
            r.end_line,
            ident(report, r.trace_id, r.rpc_id),
        ]
        for r in section.top
    ]
    run_cols = [num("Run time"), Col("Filter"), Col("Queue"), Col("Thread"), Col("Start")]
    run_cols += [num("Line"), num("End line"), id_column]
    count_cols = [Col("Filter"), num("Passed"), num("Failed"), num("Total")]
    counts: list[list[Cell]] = [
        [c.filter, c.passed, c.failed, c.passed + c.failed] for c in section.most_executed
    ]
    pairs: list[list[Cell]] = [
        [p.filter, p.passed, p.failed, p.line, ident(report, p.trace_id, p.rpc_id)]
        for p in section.most_executed_per_transaction
    ]
    txn_cols = [num("Max filter #"), num("Checks"), num("Max level"), Col("Operation")]
    txn_cols += [Col("Form"), Col("Request ID"), num("ms / filter"), num("Filters / s")]
    txn_cols += [num("Line"), id_column]
    return "".join(
        [
            doc.section("fltr", "Filters"),
            doc.table("Longest filter executions", run_cols, runs),
            doc.table("Most executed filters", count_cols, counts),
            doc.table(
                "Transactions with the most filters", txn_cols,
                _transaction_rows(report, section.most_filters),
                note="'Max filter #' is the reference's Filter Count (the highest 0-based filter "
                "number); its 'Filters/sec' is really milliseconds per filter.",
            ),
            doc.table(
                "Most executed filters per transaction",
                [Col("Filter"), num("Passed"), num("Failed"), num("Line"), id_column], pairs,
            ),
            doc.table(
                "Deepest filter nesting", txn_cols,
                _transaction_rows(report, section.most_levels),
            ),
        ]
    )  # fmt: skip
